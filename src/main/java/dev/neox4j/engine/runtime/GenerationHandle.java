package dev.neox4j.engine.runtime;

/** Controls a submitted sequence. */
public interface GenerationHandle {

    /** Stops the sequence at the next scheduler step; it then completes with {@link FinishReason#CANCELLED}. */
    void cancel();

    /** Whether the sequence has completed, failed or been cancelled. */
    boolean isDone();
}
