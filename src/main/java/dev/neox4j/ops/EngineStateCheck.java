package dev.neox4j.ops;

import dev.neox4j.config.EngineHolder;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import java.util.Set;

/**
 * A health check that is UP while the engine is in one of a set of {@link EngineHolder.State states}, with the
 * {@link HealthDetails} of every neox4j check.
 */
abstract class EngineStateCheck implements HealthCheck {

    private final String name;
    private final EngineHolder holder;
    private final Set<EngineHolder.State> upStates;

    /** Only for the CDI client proxy of the {@code @ApplicationScoped} subclasses, which never calls {@link #call}. */
    EngineStateCheck() {
        this("proxy", null, Set.of());
    }

    EngineStateCheck(String name, EngineHolder holder, Set<EngineHolder.State> upStates) {
        this.name = name;
        this.holder = holder;
        this.upStates = Set.copyOf(upStates);
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = upStates.contains(holder.state());
        return HealthDetails.describe(HealthCheckResponse.named(name).status(up), holder).build();
    }
}
