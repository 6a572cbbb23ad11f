package dev.neox4j.api.ws;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import org.jboss.logging.Logger;

/**
 * Answers a frame Netty's decoder refuses (over {@code quarkus.websockets-next.server.max-frame-size}: 1009; a
 * reserved bit without a negotiated extension, a bad opcode or length: 1002) with the close frame RFC 6455 names
 * and closes the connection. Vert.x would drop the connection without a close frame and log the refusal with a
 * stack trace; this is the client's fault and is logged once at DEBUG.
 */
final class ProtocolViolationCloser extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(ProtocolViolationCloser.class);

    private boolean closing;

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof CorruptedWebSocketFrameException violation)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (closing) {
            return;
        }
        closing = true;
        LOG.debugf("WebSocket protocol violation from %s: %s (closing with %d)", ctx.channel().remoteAddress(),
                violation.getMessage(), violation.closeStatus().code());
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new CloseWebSocketFrame(violation.closeStatus()))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
