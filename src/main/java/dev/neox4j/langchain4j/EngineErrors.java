package dev.neox4j.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.neox4j.engine.runtime.EngineClosedException;
import dev.neox4j.engine.runtime.QueueFullException;

/**
 * Maps engine failures to LangChain4j's exception types, keeping the engine exception as the cause: a full
 * admission queue is a {@link RateLimitException}, an invalid request or a prompt that does not fit the context
 * an {@link InvalidRequestException}, a closed engine a {@link RetriableException}. Anything else is returned
 * unchanged.
 */
final class EngineErrors {

    private EngineErrors() {
    }

    static Throwable map(Throwable t) {
        if (t instanceof LangChain4jException) {
            return t;
        }
        if (t instanceof QueueFullException q) {
            return new RateLimitException(q.getMessage() + " (retry after " + q.retryAfterSeconds() + " s)", q);
        }
        if (t instanceof EngineClosedException c) {
            return new RetriableException("the engine is shutting down or closed: " + c.getMessage(), c);
        }
        if (t instanceof IllegalArgumentException iae) { // includes ContextOverflowException
            return new InvalidRequestException(iae.getMessage(), iae);
        }
        return t;
    }

    /** {@link #map} for rethrowing from a synchronous call. */
    static RuntimeException unchecked(Throwable t) {
        Throwable m = map(t);
        if (m instanceof RuntimeException re) {
            return re;
        }
        if (m instanceof Error e) {
            throw e;
        }
        return new LangChain4jException(m.getMessage(), m);
    }

    /**
     * The failure reported for a sequence the engine cancelled on its own (the caller did not ask for it).
     *
     * @param timedOut whether the request's time limit had passed
     */
    static LangChain4jException cancelledByEngine(boolean timedOut) {
        return timedOut
                ? new TimeoutException("generation exceeded its time limit and was cancelled by the engine")
                : new RetriableException("generation was cancelled by the engine (shutdown or drain)");
    }
}
