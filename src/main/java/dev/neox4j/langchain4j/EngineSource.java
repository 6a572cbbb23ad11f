package dev.neox4j.langchain4j;

import dev.neox4j.engine.runtime.Engine;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Where a model gets its engine: a lease from {@link NeoxEngines} (released on close), an engine the
 * application owns, or a supplier asked on every use (the Quarkus beans: the service loads its engine
 * asynchronously, so it is looked up lazily). Thread-safe.
 */
final class EngineSource implements AutoCloseable {

    private final Supplier<Engine> supplier;
    private final EngineLease lease;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EngineSource(Supplier<Engine> supplier, EngineLease lease) {
        this.supplier = supplier;
        this.lease = lease;
    }

    static EngineSource leased(EngineLease lease) {
        return new EngineSource(lease::engine, Objects.requireNonNull(lease, "lease"));
    }

    static EngineSource fixed(Engine engine) {
        Objects.requireNonNull(engine, "engine");
        return new EngineSource(() -> engine, null);
    }

    static EngineSource lazy(Supplier<Engine> supplier) {
        return new EngineSource(Objects.requireNonNull(supplier, "engineSupplier"), null);
    }

    /**
     * The engine to use now.
     *
     * @throws IllegalStateException when the model was closed, or the supplier has no engine
     */
    Engine engine() {
        if (closed.get()) {
            throw new IllegalStateException("this model has been closed");
        }
        Engine engine = supplier.get();
        if (engine == null) {
            throw new IllegalStateException("no engine available (the engine supplier returned null)");
        }
        return engine;
    }

    /** The lease held on a shared engine, or {@code null} when the engine is not owned through the registry. */
    EngineLease lease() {
        return lease;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Releases the lease (if any); an engine passed in or supplied by the application is left open. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && lease != null) {
            lease.close();
        }
    }
}
