package dev.neox4j.ops;

import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Engine;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Wires {@link NeoxMetrics} into the application: at start-up it registers the gauges (they read 0 until the model
 * is loaded), and when the engine becomes ready it registers the metrics as an engine observer, so that every
 * request is counted whatever its entry point, and publishes {@code neox_model_info}.
 */
@ApplicationScoped
public class MetricsRegistrar {

    private final MeterRegistry registry;
    private final EngineHolder holder;
    private volatile NeoxMetrics metrics;

    @Inject
    public MetricsRegistrar(MeterRegistry registry, EngineHolder holder) {
        this.registry = registry;
        this.holder = holder;
    }

    void onStart(@Observes StartupEvent event) {
        NeoxMetrics m = new NeoxMetrics(registry);
        m.bindGauges(() -> holder.engine().map(Engine::stats));
        metrics = m;
        holder.whenReady(engine -> {
            engine.addObserver(m);
            m.bindModelInfo(engine.modelInfo(), holder.modelId());
        });
    }

    /** The metrics once the application has started (null before). */
    NeoxMetrics metrics() {
        return metrics;
    }
}
