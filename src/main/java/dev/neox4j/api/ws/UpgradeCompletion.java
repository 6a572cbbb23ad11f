package dev.neox4j.api.ws;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.vertx.http.runtime.filters.QuarkusRequestWrapper;
import io.vertx.core.http.HttpServerRequest;
import org.jboss.logging.Logger;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;

/**
 * Ends a WebSocket upgrade request, for Quarkus' graceful shutdown, once its {@code 101 Switching Protocols} has
 * been written.
 *
 * <p>With {@code quarkus.shutdown.timeout} set (the prod profile), Quarkus waits at shutdown for every HTTP request
 * it has counted to end: when its response ends or fails or its connection closes while the request is in progress.
 * Vert.x never ends the request that became a WebSocket: it sets the response's status to 101, hands the connection
 * over and forgets the request. So every WebSocket connection ever opened, even one closed long before, made each
 * later shutdown wait the whole timeout and log {@code Timed out waiting for graceful shutdown}. From the 101 on the
 * connection is the WebSocket's, which {@link WebSocketShutdown} ends at shutdown with a 1001 close.
 *
 * <p>Quarkus has no public way to end a request, so this calls the request wrapper's package-private
 * {@code done()} (idempotent: it runs the request's done handlers once). Without the wrapper (no shutdown timeout
 * and no access log) nothing counts the request and there is nothing to do. {@code PackagedServerIT} checks the
 * effect on the packaged application.
 */
@RegisterForReflection(targets = QuarkusRequestWrapper.class, methods = true, fields = false)
final class UpgradeCompletion extends ChannelOutboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(UpgradeCompletion.class);
    private static final MethodHandle DONE = doneHandle();

    private final QuarkusRequestWrapper request;

    private UpgradeCompletion(QuarkusRequestWrapper request) {
        this.request = request;
    }

    /** The handler that ends {@code request} after its upgrade, or null when Quarkus does not count it. */
    static UpgradeCompletion of(HttpServerRequest request) {
        if (DONE != null && request.getCookie(QuarkusRequestWrapper.FAKE_COOKIE_NAME)
                instanceof QuarkusRequestWrapper.QuarkusCookie cookie) {
            return new UpgradeCompletion(cookie.getRequestWrapper());
        }
        return null;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof HttpResponse response)) {
            ctx.write(msg, promise);
            return;
        }
        // the one response of the upgrade request: the 101, or a refusal that ends like any other response
        if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            promise = promise.unvoid();
            promise.addListener(written -> {
                if (written.isSuccess()) {
                    finish();
                }
            });
        }
        ctx.write(msg, promise);
        ctx.pipeline().remove(this);
    }

    private void finish() {
        try {
            DONE.invoke(request);
        } catch (Throwable e) {
            LOG.debugf("Could not end the WebSocket upgrade request: %s", e);
        }
    }

    private static MethodHandle doneHandle() {
        try {
            Method done = QuarkusRequestWrapper.class.getDeclaredMethod("done");
            done.setAccessible(true);
            return MethodHandles.lookup().unreflect(done);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Cannot end WebSocket upgrade requests for Quarkus' graceful shutdown (%s): after a WebSocket "
                    + "connection a shutdown waits the whole quarkus.shutdown.timeout", e);
            return null;
        }
    }
}
