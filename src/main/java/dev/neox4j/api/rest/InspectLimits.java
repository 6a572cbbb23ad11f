package dev.neox4j.api.rest;

import dev.neox4j.config.NeoxConfig;

/**
 * The limits of {@code POST /v1/inspect} ({@code neox.inspect.*}), checked once when the service starts.
 *
 * @param maxTokens        most prompt tokens
 * @param maxLayers        most hidden-state layers plus attention blocks
 * @param maxResponseBytes most bytes of the estimated response
 */
public record InspectLimits(int maxTokens, int maxLayers, long maxResponseBytes) {

    public InspectLimits {
        if (maxTokens < 1 || maxLayers < 1 || maxResponseBytes < 1) {
            throw new IllegalArgumentException("neox.inspect.max-tokens, max-layers and max-response-bytes must be "
                    + "positive, got " + maxTokens + ", " + maxLayers + ", " + maxResponseBytes);
        }
    }

    /** The limits configured in {@code neox.inspect.*}. */
    public static InspectLimits of(NeoxConfig.Inspect c) {
        return new InspectLimits(c.maxTokens(), c.maxLayers(), c.maxResponseBytes().asLongValue());
    }

    /**
     * The estimated size of a response in bytes: base64 tensors ({@code 4/3} of their float32 bytes) plus about 64
     * bytes per logit-lens candidate and 32 per prompt token.
     */
    public static long estimateBytes(int tokens, int embd, int heads, int layers, int lensTopK, int hiddenLayers,
                                     int attentionBlocks) {
        long hidden = (long) hiddenLayers * tokens * embd * 4;
        long attention = (long) attentionBlocks * heads * tokens * tokens * 4;
        long lens = lensTopK == 0 ? 0 : (long) (layers + 1) * tokens * lensTopK * 64;
        return (hidden + attention) / 3 * 4 + lens + 32L * tokens + 1024;
    }
}
