package dev.neox4j.ops;

import dev.neox4j.config.EngineHolder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * {@code /q/health/started}: DOWN until the model has been mapped, validated and warmed up; UP from then on (also
 * while draining, since start-up is over). A failed load stays DOWN, so Kubernetes restarts the pod.
 */
@Startup
@ApplicationScoped
public class EngineStartupCheck implements HealthCheck {

    static final String NAME = "neox4j model loaded";

    private final EngineHolder holder;

    @Inject
    public EngineStartupCheck(EngineHolder holder) {
        this.holder = holder;
    }

    @Override
    public HealthCheckResponse call() {
        EngineHolder.State state = holder.state();
        boolean started = state == EngineHolder.State.READY || state == EngineHolder.State.DRAINING;
        return HealthDetails.describe(HealthCheckResponse.named(NAME).status(started), holder).build();
    }
}
