package dev.neox4j.ops;

import dev.neox4j.config.EngineHolder;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Graceful shutdown on SIGTERM (what Kubernetes sends when it stops a pod).
 *
 * <ol>
 *   <li>A SIGTERM handler (production launch mode only) asks Quarkus for an orderly exit with status 0, instead of
 *       the JVM's default status 143.</li>
 *   <li>Quarkus' shutdown starts with its "pre-shutdown" phase ({@code quarkus.shutdown.delay-enabled=true}), while
 *       the HTTP server still serves: Quarkus' own readiness check and {@link EngineReadinessCheck} report DOWN,
 *       and {@link EngineHolder#drain()} makes the API answer 503 to new requests, lets running streams finish for
 *       up to {@code neox.shutdown.drain-timeout} and then cancels the rest, whose clients get a final error
 *       event. This observer blocks until the drain is over, so the streams end before HTTP closes.</li>
 *   <li>Then Quarkus waits up to {@code quarkus.shutdown.timeout} for the last HTTP responses, fires
 *       {@link ShutdownEvent} (drain again, a no-op by then: it also covers shutdowns without the pre-shutdown
 *       phase) and closes the engine.</li>
 * </ol>
 */
@ApplicationScoped
public class GracefulShutdown {

    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);

    private final EngineHolder holder;
    private final AtomicBoolean signalled = new AtomicBoolean();

    @Inject
    public GracefulShutdown(EngineHolder holder) {
        this.holder = holder;
    }

    void installSignalHandler(@Observes StartupEvent event) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return; // dev mode and tests keep Quarkus' and the JVM's own handling
        }
        try {
            Signal.handle(new Signal("TERM"), signal -> {
                if (signalled.compareAndSet(false, true)) {
                    LOG.info("SIGTERM: draining, then exiting with status 0");
                    Quarkus.asyncExit(0);
                }
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warnf("Cannot handle SIGTERM (%s): the JVM's default handling applies", e.getMessage());
        }
    }

    void onShutdownStarted(@Observes ShutdownDelayInitiatedEvent event) {
        drain("shutdown started");
    }

    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        drain("shutdown event");
    }

    private void drain(String why) {
        long t0 = System.nanoTime();
        EngineHolder.State before = holder.state();
        holder.drain();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (before != EngineHolder.State.DRAINING && ms > 0) {
            LOG.infof("Drained after %s in %d ms", why, ms);
        }
    }
}
