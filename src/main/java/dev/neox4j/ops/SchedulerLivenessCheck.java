package dev.neox4j.ops;

import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineStats;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import java.util.Optional;

/**
 * {@code /q/health/live}: DOWN only when the scheduler is wedged, i.e. requests are queued or running and no
 * scheduler step has completed for {@code neox.health.stall-timeout} (default 120 s, see {@link SchedulerWatchdog}).
 * Loading, a busy CPU or a failed load never make it DOWN: restarting would not help those (the startup probe
 * covers loading).
 */
@Liveness
@ApplicationScoped
public class SchedulerLivenessCheck implements HealthCheck {

    static final String NAME = "neox4j scheduler";

    private final EngineHolder holder;
    private final SchedulerWatchdog watchdog;

    @Inject
    public SchedulerLivenessCheck(EngineHolder holder, HealthConfig config) {
        this.holder = holder;
        this.watchdog = new SchedulerWatchdog(config.stallTimeout(), System::nanoTime);
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME);
        Optional<Engine> engine = holder.engine();
        EngineStats stats = null;
        if (engine.isPresent()) {
            try {
                stats = engine.get().stats();
            } catch (RuntimeException e) {
                builder.withData("stats_error", String.valueOf(e.getMessage())); // closing: not a wedge
            }
        }
        if (stats == null) {
            return HealthDetails.describe(builder.up(), holder).build();
        }
        SchedulerWatchdog.Verdict verdict = watchdog.check(stats);
        builder.status(!verdict.wedged())
                .withData("waiting", stats.waiting())
                .withData("running", stats.running())
                .withData("steps", stats.steps())
                .withData("stalled_seconds", (long) verdict.stalledSeconds())
                .withData("stall_timeout_seconds", watchdog.stallTimeout().toSeconds());
        return HealthDetails.describe(builder, holder).build();
    }
}
