package dev.neox4j.api.rest;

import dev.neox4j.config.NeoxConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.TimeUnit;

/**
 * Settings of the Vert.x HTTP server that Quarkus has no key for.
 *
 * <ul>
 *   <li>The connection idle timeout becomes {@code neox.http.header-timeout}: a connection that sends no complete
 *       request head within it is closed. {@link HttpLimitsFilter} lifts it to {@code quarkus.http.idle-timeout}
 *       while a request runs.</li>
 *   <li>Netty's request-line and header limits are raised to {@link #CEILING} times
 *       {@code quarkus.http.limits.max-initial-line-length} / {@code max-header-size}, so that a request over the
 *       configured limits still reaches {@link HttpLimitsFilter}, which answers 414 / 431 with an OpenAI error body.
 *       Only a request past the ceiling gets Vert.x's own bodiless 414 / 431.</li>
 *   <li>{@code neox.http.send-buffer-size}, when set, is each connection's {@code SO_SNDBUF}.</li>
 *   <li>WebSocket compression is off: the API's messages are small JSON, and with no extension negotiated a
 *       frame with a reserved bit set is refused as RFC 6455 requires.</li>
 * </ul>
 */
@ApplicationScoped
public class HttpServerTuning implements HttpServerOptionsCustomizer {

    /** How far past the configured limits Netty still decodes a request head, so that the application can answer. */
    public static final int CEILING = 8;

    private final long headerTimeoutMillis;
    private final int sendBufferSize;
    private final int maxInitialLineLength;
    private final long maxHeaderSize;

    @Inject
    public HttpServerTuning(NeoxConfig config,
                            @ConfigProperty(name = "quarkus.http.limits.max-initial-line-length", defaultValue = "4096")
                            int maxInitialLineLength,
                            @ConfigProperty(name = "quarkus.http.limits.max-header-size", defaultValue = "20K")
                            MemorySize maxHeaderSize) {
        this.headerTimeoutMillis = config.http().headerTimeout().toMillis();
        this.sendBufferSize = config.http().sendBufferSize()
                .map(m -> (int) Math.min(Integer.MAX_VALUE, Math.max(1024, m.asLongValue()))).orElse(-1);
        this.maxInitialLineLength = maxInitialLineLength;
        this.maxHeaderSize = maxHeaderSize.asLongValue();
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        apply(options);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        apply(options);
    }

    private void apply(HttpServerOptions options) {
        options.setIdleTimeout((int) Math.max(1, headerTimeoutMillis)).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        options.setMaxInitialLineLength(ceiling(maxInitialLineLength));
        options.setMaxHeaderSize(ceiling(maxHeaderSize));
        if (sendBufferSize > 0) {
            options.setSendBufferSize(sendBufferSize);
        }
        // no WebSocket extension is ever negotiated, so a frame with a reserved bit set is a protocol error (1002)
        options.setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
    }

    private static int ceiling(long limit) {
        return (int) Math.min(Integer.MAX_VALUE / 2, limit * CEILING);
    }
}
