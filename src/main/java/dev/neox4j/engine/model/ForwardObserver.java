package dev.neox4j.engine.model;

/**
 * Sees inside the forward pass for the batch entries it is attached to ({@link ForwardBatch#add(KvCache, int,
 * boolean, boolean, ForwardObserver)}): the residual stream after the token embeddings and after every block, and
 * the attention probabilities of every block. The forward pass calls it only for entries that carry one, so a batch
 * without observers does no extra work. The arrays passed in are the forward pass's own buffers: copy what you
 * keep, never write to them.
 */
public interface ForwardObserver {

    /**
     * The residual stream of one token at {@code layer}: 0 is the token embedding (before block 0), {@code l + 1}
     * is the stream after block {@code l}, so {@code n_layer} is the input of the final LayerNorm. Called on the
     * thread that runs the forward pass, in layer order.
     *
     * @param position the token's position in its sequence
     * @param x        {@code n_embd} values start at {@code off}
     */
    void residual(int layer, int position, float[] x, int off);

    /** Whether {@link #attention} should be called for {@code block} (asked once per block and forward pass). */
    default boolean wantsAttention(int block) {
        return false;
    }

    /**
     * The attention probabilities (after softmax, as the value sum uses them) of one head of one token over the
     * positions {@code 0..position}. Called from the worker threads, concurrently for different (position, head)
     * pairs of the same block: implementations write disjoint places and must not block.
     *
     * @param probs {@code position + 1} values start at {@code off}
     */
    default void attention(int block, int position, int head, float[] probs, int off) {
    }
}
