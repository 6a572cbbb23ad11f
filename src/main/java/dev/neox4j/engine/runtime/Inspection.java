package dev.neox4j.engine.runtime;

import java.util.List;

/**
 * What {@link Engine#inspect} found, as typed arrays.
 *
 * @param tokens       the prompt's token ids ({@code n} of them)
 * @param logitLens    one entry per layer {@code 0 .. n_layer} when the lens was asked for, else empty
 * @param hiddenStates the residual stream at the asked layers, in the order asked
 * @param attention    the attention probabilities of the asked blocks, in the order asked
 */
public record Inspection(int[] tokens, List<LensLayer> logitLens, List<HiddenStates> hiddenStates,
                         List<AttentionProbs> attention) {

    /**
     * The logit lens at one layer: the final LayerNorm and the unembedding applied to the residual stream; at
     * {@code layer == n_layer} this is the model's own output distribution.
     *
     * @param layer       0 (embeddings) .. {@code n_layer}
     * @param topIds      [n][k] the most likely next tokens at every position, best first
     * @param topLogprobs [n][k] their log-probabilities (log-softmax over the whole vocabulary)
     */
    public record LensLayer(int layer, int[][] topIds, float[][] topLogprobs) {
    }

    /**
     * The residual stream at one layer.
     *
     * @param layer  0 (embeddings) .. {@code n_layer}
     * @param values [n][n_embd]
     */
    public record HiddenStates(int layer, float[][] values) {
    }

    /**
     * The attention probabilities of one block.
     *
     * @param layer the block, 0 .. {@code n_layer - 1}
     * @param probs [n_head][n][n]: {@code probs[h][i][j]} is how much position {@code i} attends to {@code j};
     *              causal, so zero for {@code j > i}; each row sums to 1 (as rounded by the KV cache type: with an
     *              f16 cache the probabilities are the f16 values the value sum uses)
     */
    public record AttentionProbs(int layer, float[][][] probs) {
    }
}
