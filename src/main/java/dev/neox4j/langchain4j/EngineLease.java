package dev.neox4j.langchain4j;

import dev.neox4j.engine.runtime.Engine;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One reference to an engine shared through {@link NeoxEngines}. Closing the lease (idempotent) releases the
 * reference; the engine is closed when the last lease on it is closed. Thread-safe.
 */
public final class EngineLease implements AutoCloseable {

    private final NeoxEngines.Entry entry;
    private final Engine engine;
    private final AtomicBoolean closed = new AtomicBoolean();

    EngineLease(NeoxEngines.Entry entry) {
        this.entry = entry;
        this.engine = entry.engine.join();
    }

    /** The shared engine. @throws IllegalStateException after {@link #close()} */
    public Engine engine() {
        if (closed.get()) {
            throw new IllegalStateException("engine lease on " + entry.path + " is closed");
        }
        return engine;
    }

    /** The real path of the model file. */
    public Path modelPath() {
        return entry.path;
    }

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            NeoxEngines.release(entry);
        }
    }
}
