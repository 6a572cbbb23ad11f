package dev.neox4j.engine.runtime;

/**
 * What {@link Engine#inspect} computes for a prompt. Layers of the residual stream are numbered 0 (the token
 * embeddings, before block 0) to {@code n_layer} (after the last block, the input of the final LayerNorm); attention
 * layers are blocks {@code 0 .. n_layer - 1}.
 *
 * @param prompt          token ids (at least one, at most the context length)
 * @param lensTopK        logit lens: the {@code k} most likely tokens at every layer and position (1..20), or 0
 *                        for no lens
 * @param hiddenLayers    residual-stream layers to return in full (may be empty)
 * @param attentionLayers blocks whose attention probabilities to return (may be empty)
 * @param timeoutMillis   time limit (0 = the engine default)
 * @param source          metrics label ({@code inspect}, ...)
 */
public record InspectRequest(int[] prompt, int lensTopK, int[] hiddenLayers, int[] attentionLayers,
                             long timeoutMillis, String source) {

    public InspectRequest {
        hiddenLayers = hiddenLayers == null ? new int[0] : hiddenLayers.clone();
        attentionLayers = attentionLayers == null ? new int[0] : attentionLayers.clone();
        source = source == null ? "inspect" : source;
    }
}
