package dev.neox4j.ops;

import dev.neox4j.config.EngineHolder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.Startup;

import java.util.Set;

/**
 * {@code /q/health/started}: DOWN until the model has been mapped, validated and warmed up; UP from then on (also
 * while draining, since start-up is over). A failed load stays DOWN, so Kubernetes restarts the pod.
 */
@Startup
@ApplicationScoped
public class EngineStartupCheck extends EngineStateCheck {

    static final String NAME = "neox4j model loaded";

    @Inject
    public EngineStartupCheck(EngineHolder holder) {
        super(NAME, holder, Set.of(EngineHolder.State.READY, EngineHolder.State.DRAINING));
    }
}
