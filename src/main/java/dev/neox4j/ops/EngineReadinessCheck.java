package dev.neox4j.ops;

import dev.neox4j.config.EngineHolder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.Readiness;

import java.util.Set;

/**
 * {@code /q/health/ready}: UP only while the engine takes new requests ({@link EngineHolder.State#READY}); DOWN while
 * loading, after a failed load and while draining on shutdown, so the Service stops routing requests here.
 */
@Readiness
@ApplicationScoped
public class EngineReadinessCheck extends EngineStateCheck {

    static final String NAME = "neox4j accepting requests";

    @Inject
    public EngineReadinessCheck(EngineHolder holder) {
        super(NAME, holder, Set.of(EngineHolder.State.READY));
    }
}
