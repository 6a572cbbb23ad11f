package dev.neox4j.ops;

import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.ModelInfo;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import java.util.Optional;

/**
 * The details every neox4j health check reports: the engine state and, once the model is loaded, its id, quant type
 * and context length; after a failed load, the reason.
 */
final class HealthDetails {

    private HealthDetails() {
    }

    static HealthCheckResponseBuilder describe(HealthCheckResponseBuilder builder, EngineHolder holder) {
        EngineHolder.State state = holder.state();
        builder.withData("state", state.name());
        Optional<Engine> engine = holder.engine();
        if (engine.isPresent()) {
            try {
                ModelInfo info = engine.get().modelInfo();
                String id = holder.modelId();
                builder.withData("model", id == null ? info.id() : id)
                        .withData("quant_type", String.valueOf(info.quantType()))
                        .withData("context_length", info.contextLength());
                if (info.demo()) {
                    builder.withData("demo", true);
                }
            } catch (RuntimeException e) {
                builder.withData("model_error", String.valueOf(e.getMessage()));
            }
        }
        if (state == EngineHolder.State.FAILED) {
            builder.withData("error", holder.failure().map(t -> String.valueOf(t.getMessage())).orElse("unknown"));
        }
        return builder;
    }
}
