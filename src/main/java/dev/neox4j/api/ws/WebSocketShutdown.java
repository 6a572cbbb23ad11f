package dev.neox4j.api.ws;

import dev.neox4j.config.EngineHolder;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * WebSockets at shutdown (README "Graceful shutdown"): while the engine drains, a new upgrade is refused with
 * {@code 503}; once the drain is over (the running requests have finished or been cancelled), every open
 * connection gets its requests' last messages and then a close frame {@code 1001} ("going away"), so that its
 * client knows to reconnect, to another instance, instead of finding its connection cut when the HTTP server
 * stops. The upgrade request itself no longer holds the shutdown's wait for HTTP requests
 * ({@link UpgradeCompletion}).
 */
@ApplicationScoped
public class WebSocketShutdown implements HttpUpgradeCheck {

    private static final Logger LOG = Logger.getLogger(WebSocketShutdown.class);

    /** RFC 6455's "going away": the server is shutting down. */
    public static final int GOING_AWAY = 1001;
    /** The reason sent with {@link #GOING_AWAY}. */
    public static final String REASON = "server shutting down";
    /** How long the last messages and the close frames may take to be written before shutdown goes on. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
    /** Retry-After of a refused upgrade, as the API's other 503 answers while draining. */
    private static final String RETRY_AFTER = "30";

    private final OpenConnections connections;
    private final StreamSocket socket;
    private final EngineHolder holder;

    @Inject
    public WebSocketShutdown(OpenConnections connections, StreamSocket socket, EngineHolder holder) {
        this.connections = connections;
        this.socket = socket;
        this.holder = holder;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        return holder.state() == EngineHolder.State.DRAINING
                ? CheckResult.rejectUpgrade(503, Map.of("Retry-After", List.of(RETRY_AFTER)))
                : CheckResult.permitUpgrade();
    }

    /** After {@code GracefulShutdown}'s drain, which observes the same event at the default priority. */
    void onShutdownStarted(@Observes @Priority(Interceptor.Priority.APPLICATION + 600)
                           ShutdownDelayInitiatedEvent event) {
        closeAll();
    }

    /** A shutdown without the pre-shutdown phase: still before Vert.x drops the connections. */
    void onShutdown(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) ShutdownEvent event) {
        closeAll();
    }

    private void closeAll() {
        List<WebSocketConnection> open = connections.listAll().stream().filter(WebSocketConnection::isOpen).toList();
        if (open.isEmpty()) {
            return;
        }
        LOG.infof("Closing %d WebSocket connection(s) with %d (%s)", open.size(), GOING_AWAY, REASON);
        await("the last messages", open.stream().map(socket::sent));
        CloseReason reason = new CloseReason(GOING_AWAY, REASON);
        await("the close frames", open.stream().map(c -> c.close(reason).onFailure().recoverWithNull().subscribeAsCompletionStage()));
    }

    private static void await(String what, Stream<CompletableFuture<Void>> writes) {
        try {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                    .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.infof("Not all of %s were written within %s: closing anyway", what, WRITE_TIMEOUT);
        } catch (ExecutionException e) {
            LOG.debugf("Writing %s failed: %s", what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
