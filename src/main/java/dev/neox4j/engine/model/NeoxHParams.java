package dev.neox4j.engine.model;

/**
 * GPT-NeoX hyper-parameters (docs/gpt-neox.md, "Hyper-parameters"), validated for internal consistency. Build one from
 * a GGUF file with {@link NeoxModel#load}, which also checks them against every tensor shape.
 *
 * @param vocabSize          n_vocab: rows of {@code token_embd.weight} (may exceed the tokenizer's token count)
 * @param contextLength      n_ctx_train ({@code gptneox.context_length})
 * @param embeddingLength    n_embd (E)
 * @param blockCount         n_layer
 * @param feedForwardLength  n_ff (F)
 * @param headCount          n_head (no grouped-query attention: n_head_kv = n_head)
 * @param ropeDims           n_rot: rotary dimensions per head, even, 0..headDim
 * @param ropeFreqBase       rotary base (10000 unless {@code gptneox.rope.freq_base} says otherwise)
 * @param layerNormEps       LayerNorm epsilon
 * @param parallelResidual   {@code x + attn(ln1(x)) + mlp(ln2(x))} (all Pythia models) instead of sequential
 */
public record NeoxHParams(int vocabSize, int contextLength, int embeddingLength, int blockCount,
                          int feedForwardLength, int headCount, int ropeDims, float ropeFreqBase,
                          float layerNormEps, boolean parallelResidual) {

    /** {@code general.architecture} value this engine accepts. */
    public static final String ARCHITECTURE = "gptneox";

    public NeoxHParams {
        positive("vocab size", vocabSize);
        positive(ARCHITECTURE + ".context_length", contextLength);
        positive(ARCHITECTURE + ".embedding_length", embeddingLength);
        positive(ARCHITECTURE + ".block_count", blockCount);
        positive(ARCHITECTURE + ".feed_forward_length", feedForwardLength);
        positive(ARCHITECTURE + ".attention.head_count", headCount);
        if (embeddingLength % headCount != 0) {
            throw new IllegalArgumentException("embedding length " + embeddingLength
                    + " is not a multiple of the head count " + headCount);
        }
        int headDim = embeddingLength / headCount;
        if (ropeDims < 0 || ropeDims > headDim || ropeDims % 2 != 0) {
            throw new IllegalArgumentException(ARCHITECTURE + ".rope.dimension_count = " + ropeDims
                    + " must be even and in 0.." + headDim + " (the head dimension)");
        }
        if (!(ropeFreqBase > 0) || Float.isInfinite(ropeFreqBase)) {
            throw new IllegalArgumentException(ARCHITECTURE + ".rope.freq_base = " + ropeFreqBase + " must be > 0");
        }
        if (!(layerNormEps >= 0) || Float.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException(ARCHITECTURE + ".attention.layer_norm_epsilon = " + layerNormEps
                    + " must be a finite value >= 0");
        }
    }

    private static void positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + v);
        }
    }

    /** Dimension of one attention head (n_embd / n_head). */
    public int headDim() {
        return embeddingLength / headCount;
    }

    /** Attention score scale {@code 1 / sqrt(head_dim)}, computed in f32 as llama.cpp does. */
    public float kqScale() {
        return 1.0f / (float) Math.sqrt((float) headDim());
    }
}
