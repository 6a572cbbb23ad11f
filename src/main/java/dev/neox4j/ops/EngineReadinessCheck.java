package dev.neox4j.ops;

import dev.neox4j.config.EngineHolder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready}: UP only while the engine takes new requests ({@link EngineHolder.State#READY}); DOWN while
 * loading, after a failed load and while draining on shutdown, so the Service stops routing requests here.
 */
@Readiness
@ApplicationScoped
public class EngineReadinessCheck implements HealthCheck {

    static final String NAME = "neox4j accepting requests";

    private final EngineHolder holder;

    @Inject
    public EngineReadinessCheck(EngineHolder holder) {
        this.holder = holder;
    }

    @Override
    public HealthCheckResponse call() {
        boolean ready = holder.state() == EngineHolder.State.READY;
        return HealthDetails.describe(HealthCheckResponse.named(NAME).status(ready), holder).build();
    }
}
