package dev.neox4j.engine.runtime;

/** The engine is shutting down or closed and takes no new work (HTTP 503). */
public final class EngineClosedException extends IllegalStateException {
    public EngineClosedException(String message) {
        super(message);
    }
}
