package dev.neox4j.api.ws;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * What the upgrade of {@code /v1/stream} adds to the connection's pipeline, in front of Vert.x' handler.
 *
 * <ul>
 *   <li>RFC 6455 requires text frames to be UTF-8 and a connection that receives anything else to close with 1007.
 *       Vert.x decodes text with replacement characters instead, so Netty's {@link Utf8FrameValidator} checks
 *       every text and continuation frame after the handshake (also across fragments) and closes with 1007 on the
 *       first invalid byte, before the message is delivered.</li>
 *   <li>Behind it a {@link ProtocolViolationCloser} answers the frames Netty's decoder refuses (over
 *       {@code quarkus.websockets-next.server.max-frame-size}: 1009; reserved bits, with WebSocket compression off
 *       ({@code HttpServerTuning}): 1002) with their close code. Binary frames are refused by {@link StreamSocket}
 *       (1003).</li>
 *   <li>An {@link UpgradeCompletion} ends the upgrade request for Quarkus' graceful shutdown once the
 *       {@code 101} is written, so that a WebSocket never holds the shutdown's wait for HTTP requests.</li>
 * </ul>
 * Before the handshake these handlers let the HTTP objects through.
 */
@ApplicationScoped
public class WebSocketUpgrade {

    /** The name Vert.x gives its connection handler in the pipeline. */
    private static final String VERTX_HANDLER = "handler";
    private static final String VALIDATOR = "neox-utf8-validator";
    private static final String CLOSER = "neox-protocol-violation-closer";
    private static final String COMPLETION = "neox-upgrade-completion";

    void install(@Observes Router router) {
        router.route("/v1/stream").order(-90).handler(this::upgrade);
    }

    private void upgrade(RoutingContext rc) {
        if (rc.request().headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true)
                && rc.request().connection() instanceof ConnectionBase c) {
            ChannelPipeline pipeline = c.channel().pipeline();
            if (pipeline.get(VERTX_HANDLER) != null && pipeline.get(VALIDATOR) == null) {
                pipeline.addBefore(VERTX_HANDLER, VALIDATOR, new Utf8FrameValidator(true));
                pipeline.addBefore(VERTX_HANDLER, CLOSER, new ProtocolViolationCloser());
                UpgradeCompletion completion = UpgradeCompletion.of(rc.request());
                if (completion != null) {
                    pipeline.addBefore(VERTX_HANDLER, COMPLETION, completion);
                }
            }
        }
        rc.next();
    }
}
