package dev.neox4j.engine.runtime;

/**
 * An optional per-request observer of the logits the forward pass computes for one sequence: the seam through
 * which an inspection request runs through the scheduler like any other request (batched with the others, on its
 * own KV slot) and still sees every position. Carried by {@link GenerationRequest#observer()}; called on the
 * scheduler thread, in position order, before the sequence's tokens go to its listener. The logits row is only
 * valid during the call (copy what you keep) and must not be modified.
 *
 * <p>A sequence with an observer that {@link #wantsPromptLogits() wants prompt logits} evaluates its whole
 * prompt itself (no prefix-cache reuse), since reused positions have no logits.
 */
public interface SequenceObserver {

    /** Whether {@link #promptLogits} is wanted for every prompt position (default: only generated tokens). */
    default boolean wantsPromptLogits() {
        return false;
    }

    /**
     * The raw logits after prompt position {@code position} (predicting position {@code position + 1}):
     * {@code logits[offset .. offset + vocab)}.
     */
    default void promptLogits(int position, float[] logits, int offset, int vocab) {
    }

    /**
     * The raw logits from which generated token {@code index} is about to be sampled:
     * {@code logits[offset .. offset + vocab)}.
     */
    default void tokenLogits(int index, float[] logits, int offset, int vocab) {
    }
}
