package dev.neox4j.config;

/**
 * The engine cannot take requests right now: the model is still loading, the service is draining for shutdown, or
 * the model failed to load. The API maps it to HTTP 503 with a {@code Retry-After} header.
 */
public final class EngineUnavailableException extends RuntimeException {
    private final EngineHolder.State state;
    private final int retryAfterSeconds;

    public EngineUnavailableException(EngineHolder.State state, String message, int retryAfterSeconds) {
        super(message);
        this.state = state;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The holder's state when the request was refused. */
    public EngineHolder.State state() {
        return state;
    }

    /** Seconds the client should wait before retrying. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
