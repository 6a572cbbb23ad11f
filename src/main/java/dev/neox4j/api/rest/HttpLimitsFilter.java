package dev.neox4j.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateHandler;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP limits, answered with OpenAI error bodies before any resource runs (README "HTTP limits and timeouts"):
 * <ul>
 *   <li>414 {@code uri_too_long} past {@code quarkus.http.limits.max-initial-line-length}, 431
 *       {@code headers_too_large} past {@code quarkus.http.limits.max-header-size} (Netty decodes up to
 *       {@link HttpServerTuning#CEILING} times more so that these reach the application);</li>
 *   <li>413 {@code request_too_large} past {@code quarkus.http.limits.max-body-size}, announced by
 *       {@code Content-Length} or found while a chunked body arrives;</li>
 *   <li>400 {@code invalid_body} when the body's framing breaks (a bad chunk);</li>
 *   <li>408 {@code request_timeout} when the body stops arriving for {@code quarkus.http.read-timeout}.</li>
 * </ul>
 * The body of an HTTP/1.1 request is read here, whole, before the resource (HTTP/2 keeps Quarkus' own handling: a
 * bodiless 413); each of these ends the connection. A client's fault is logged
 * once at DEBUG, never with a stack trace. It also switches a connection's idle timeout from
 * {@code neox.http.header-timeout} (set by {@link HttpServerTuning}) to {@code quarkus.http.idle-timeout} once its
 * first request head has arrived.
 */
@ApplicationScoped
public class HttpLimitsFilter {

    private static final Logger LOG = Logger.getLogger(HttpLimitsFilter.class);

    /** Before Quarkus' own body-size check (order -2) and every resource. */
    static final int ORDER = -100;
    /** The name Vert.x gives the idle-timeout handler in a connection's pipeline. */
    private static final String IDLE_HANDLER = "idle";
    /** The name Vert.x gives the handler that upgrades a connection's first request to HTTP/2 ({@code h2c}). */
    private static final String H2C_UPGRADE = "h2c";
    private static final String H2C_WATCH = "neox-h2c-upgrade-watch";
    /** Routing-context key of the body-read timer. */
    private static final String BODY_TIMER = "neox.body-timer";

    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final int maxUriLength;
    private final long maxHeaderSize;
    private final long maxBodySize;
    private final long readTimeoutMillis;
    private final long requestIdleMillis;

    @Inject
    public HttpLimitsFilter(Vertx vertx, ObjectMapper mapper,
                            @ConfigProperty(name = "quarkus.http.limits.max-initial-line-length", defaultValue = "4096")
                            int maxInitialLineLength,
                            @ConfigProperty(name = "quarkus.http.limits.max-header-size", defaultValue = "20K")
                            MemorySize maxHeaderSize,
                            @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
                            MemorySize maxBodySize,
                            @ConfigProperty(name = "quarkus.http.read-timeout", defaultValue = "60s")
                            Duration readTimeout,
                            @ConfigProperty(name = "quarkus.http.idle-timeout", defaultValue = "30M")
                            Duration idleTimeout) {
        this.vertx = vertx;
        this.mapper = mapper;
        // the request line is "METHOD URI HTTP/1.1"
        this.maxUriLength = Math.max(1, maxInitialLineLength - "OPTIONS  HTTP/1.1".length());
        this.maxHeaderSize = maxHeaderSize.asLongValue();
        this.maxBodySize = maxBodySize.asLongValue();
        this.readTimeoutMillis = Math.max(1, readTimeout.toMillis());
        this.requestIdleMillis = idleTimeout.toMillis();
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::head);
        router.route().order(ORDER).failureHandler(this::failure);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodySize);
        for (HttpMethod method : new HttpMethod[]{HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH}) {
            router.route().order(ORDER + 1).method(method).handler(rc -> {
                if (rc.request().version() == HttpVersion.HTTP_2 || rc.request().isEnded() || !hasBody(rc.request())) {
                    // HTTP/2 (also after an h2c upgrade): the REST layer reads the body from the stream itself and
                    // fails on a stream already read, so HTTP/2 keeps Quarkus' own body-size handling
                    rc.next();
                    return;
                }
                long timer = vertx.setTimer(readTimeoutMillis, id -> bodyStalled(rc));
                rc.put(BODY_TIMER, timer);
                rc.addEndHandler(v -> vertx.cancelTimer(timer));
                body.handle(rc);
            });
            router.route().order(ORDER + 2).method(method).handler(rc -> { // the body has arrived
                Long timer = rc.get(BODY_TIMER);
                if (timer != null) {
                    vertx.cancelTimer(timer);
                }
                rc.next();
            });
        }
    }

    private void head(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (request.uri().length() > maxUriLength) {
            answer(rc, new ApiException(414, "invalid_request_error", "The request URI is " + request.uri().length()
                    + " characters long; this server accepts at most " + maxUriLength
                    + " (quarkus.http.limits.max-initial-line-length)", null, "uri_too_long", 0));
            return;
        }
        long headerBytes = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            headerBytes += h.getKey().length() + h.getValue().length() + 4;
        }
        if (headerBytes > maxHeaderSize) {
            answer(rc, new ApiException(431, "invalid_request_error", "The request headers take " + headerBytes
                    + " bytes; this server accepts at most " + maxHeaderSize
                    + " (quarkus.http.limits.max-header-size)", null, "headers_too_large", 0));
            return;
        }
        liftIdleTimeout(rc);
        rc.next();
    }

    /**
     * Once a connection has sent a complete request head it gets {@code quarkus.http.idle-timeout} (as every
     * connection had before): a stream may be quiet while its request waits for a slot, and pooled keep-alive
     * connections of HTTP clients must not be closed under them between requests.
     */
    private void liftIdleTimeout(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (request.connection() instanceof ConnectionBase c) { // HTTP/1.1 and HTTP/2 alike
            Channel channel = c.channel();
            setIdleTimeout(channel, requestIdleMillis);
            ChannelPipeline pipeline = channel.pipeline();
            if (request.version() == HttpVersion.HTTP_2 && pipeline.get(H2C_UPGRADE) != null
                    && pipeline.get(H2C_WATCH) == null) {
                pipeline.addBefore(H2C_UPGRADE, H2C_WATCH, new H2cUpgradeWatch());
            }
        }
    }

    /**
     * A connection upgraded from HTTP/1.1 ({@code h2c}, as the JDK's HttpClient does) gets a new pipeline from
     * Vert.x when its first request's body has arrived whole, with the header timeout as its idle timeout again,
     * which would cut a stream that stays quiet while it waits for a slot. This handler sits in front of Vert.x'
     * upgrade handler and lifts the new pipeline's idle timeout in the same step, right after the replacement (which
     * removes it too), with no moment in which the header timeout could strike.
     */
    private final class H2cUpgradeWatch extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel channel = ctx.channel();
            boolean last = msg instanceof LastHttpContent;
            ctx.fireChannelRead(msg);
            if (last) {
                setIdleTimeout(channel, requestIdleMillis);
            }
        }
    }

    private static void setIdleTimeout(Channel channel, long millis) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> setIdleTimeout(channel, millis));
            return;
        }
        if (channel.pipeline().get(IDLE_HANDLER) instanceof IdleStateHandler idle
                && idle.getAllIdleTimeInMillis() != millis) {
            channel.pipeline().replace(IDLE_HANDLER, IDLE_HANDLER,
                    new IdleStateHandler(0, 0, Math.max(0, millis), TimeUnit.MILLISECONDS));
        }
    }

    /** Whether the head announces a body: a positive {@code Content-Length} or a chunked one. */
    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return length != null ? !"0".equals(length.strip())
                : request.headers().contains(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED, true);
    }

    private void bodyStalled(RoutingContext rc) {
        if (!rc.request().isEnded() && !rc.response().ended() && !rc.failed()) {
            rc.fail(408);
        }
    }

    private void failure(RoutingContext rc) {
        ApiException error = switch (rc.statusCode()) {
            case 413 -> new ApiException(413, "invalid_request_error", "The request body is larger than "
                    + maxBodySize + " bytes (quarkus.http.limits.max-body-size)", null, "request_too_large", 0);
            case 408 -> new ApiException(408, "invalid_request_error", "The request body did not arrive within "
                    + readTimeoutMillis / 1000.0 + " s (quarkus.http.read-timeout)", null, "request_timeout", 0);
            default -> rc.failure() != null && !rc.request().isEnded()
                    ? new ApiException(400, "invalid_request_error", "The request body could not be read: "
                    + ApiException.cut(String.valueOf(rc.failure().getMessage())), null, "invalid_body", 0)
                    : null;
        };
        if (error == null) {
            rc.next();
            return;
        }
        LOG.debugf("%s %s from %s: %d %s", rc.request().method(), ApiException.cut(rc.request().path()),
                rc.request().remoteAddress(), error.status(), error.getMessage());
        answer(rc, error);
    }

    /** Writes {@code error} and closes the connection: what remains of the request cannot be trusted. */
    private void answer(RoutingContext rc, ApiException error) {
        HttpServerResponse response = rc.response();
        if (response.headWritten()) {
            rc.request().connection().close();
            return;
        }
        String json;
        try {
            json = mapper.writeValueAsString(error.body());
        } catch (JsonProcessingException e) {
            json = "{\"error\":{\"message\":\"" + error.status() + "\",\"type\":\"invalid_request_error\","
                    + "\"param\":null,\"code\":null}}";
        }
        try {
            response.setStatusCode(error.status())
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(json)
                    .onComplete(done -> rc.request().connection().close());
        } catch (IllegalStateException e) {
            // the head went out between the check above and here (the endpoint answered on its own thread while the
            // body read failed, e.g. a client that reset the connection): nothing to add, and no ERROR for the
            // router to log ("Response head already sent", seen once in ClientDisconnectStormTest)
            rc.request().connection().close();
        }
    }
}
