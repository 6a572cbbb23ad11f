package dev.neox4j.langchain4j;

import dev.neox4j.engine.runtime.Engine;

import java.nio.file.Path;

/**
 * One reference to an engine shared through {@link NeoxEngines}. Closing the lease (idempotent) releases the
 * reference; the engine is closed when the last lease on it is closed. Thread-safe.
 */
public final class EngineLease implements AutoCloseable {

    private final SharedRegistry<Path, Engine>.Lease lease;

    EngineLease(SharedRegistry<Path, Engine>.Lease lease) {
        this.lease = lease;
    }

    /** The shared engine. @throws IllegalStateException after {@link #close()} */
    public Engine engine() {
        return lease.value();
    }

    /** The real path of the model file. */
    public Path modelPath() {
        return lease.key();
    }

    public boolean isClosed() {
        return lease.isClosed();
    }

    @Override
    public void close() {
        lease.close();
    }
}
