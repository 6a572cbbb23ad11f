package dev.neox4j.engine.runtime;

import java.time.Duration;

/**
 * Controls a submitted sequence. Thread-safe; every method returns at once.
 *
 * <p><b>Backpressure.</b> A transport whose client is not reading (a full SSE or WebSocket write queue) calls
 * {@link #pause(Duration)}: from the next scheduler step the sequence takes no more steps (no prefill chunk, no
 * decode step), so it produces no more output, while every other sequence runs on as before; it keeps its KV slot.
 * When the client reads again the transport calls {@link #resume()}. A sequence still paused after {@code maxPause}
 * ends with {@link GenerationListener#onError} and a {@link SequenceStalledException}, and its slot is freed; its
 * request's time limit keeps running while it is paused. Pausing a finished sequence does nothing.
 */
public interface GenerationHandle {

    /** Stops the sequence at the next scheduler step; it then completes with {@link FinishReason#CANCELLED}. */
    void cancel();

    /** Whether the sequence has completed, failed or been cancelled. */
    boolean isDone();

    /**
     * Holds the sequence: it takes no scheduler steps until {@link #resume()}, and ends with a
     * {@link SequenceStalledException} if still paused after {@code maxPause}. Pausing a paused sequence keeps its
     * first pause time.
     */
    void pause(Duration maxPause);

    /** Lets a paused sequence take steps again (nothing happens if it is not paused). */
    void resume();

    /** Whether the sequence is paused. */
    boolean isPaused();
}
