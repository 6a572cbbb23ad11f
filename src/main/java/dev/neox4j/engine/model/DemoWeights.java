package dev.neox4j.engine.model;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.gguf.GgufWriter;
import dev.neox4j.engine.tensor.TensorCodecs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a small GPT-NeoX GGUF file with seeded random weights: the built-in demo model. Every matrix is Q8_0
 * (its width must be a multiple of 32), every norm and bias F32, and the tokenizer keys are copied unchanged, so
 * the vocabulary is the tokenizer's. Values: embeddings normal(0, 1); matrices normal(0, 1/sqrt(fan_in)), the LM
 * head times {@code outputScale}; norm weights normal(1, 0.2); biases normal(0, 0.1). The bytes depend only on the
 * shape, the tokenizer, the seed and the scale.
 *
 * <p>Only what the engine needs to serve something without a model file; the generator of test and benchmark
 * models (presets, quantization mixes, vocabulary trimming) lives with the benchmarks.
 */
public final class DemoWeights {

    private DemoWeights() {
    }

    /**
     * Writes the model atomically to {@code out}.
     *
     * @param shape      hyper-parameters; {@code vocabSize} must equal the tokenizer's token count
     * @param tokenizer  metadata holding the {@code tokenizer.*} keys
     * @param name       {@code general.name}
     */
    public static void write(Path out, NeoxHParams shape, GgufMetadata tokenizer, String name, long seed,
            float outputScale) throws IOException {
        int tokens = tokenizer.getStringArray("tokenizer.ggml.tokens").length;
        if (tokens != shape.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokens + " tokens, the shape "
                    + shape.vocabSize());
        }
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", NeoxHParams.ARCHITECTURE);
        w.putString("general.name", name);
        putHyperParameters(w, shape);
        w.putUInt32("general.file_type", 7); // llama.cpp's MOSTLY_Q8_0
        w.putUInt32("general.quantization_version", 2);
        w.putAll(tokenizer, (key, value) -> key.startsWith("tokenizer."));

        SplittableRandom rnd = new SplittableRandom(seed);
        int e = shape.embeddingLength();
        int f = shape.feedForwardLength();
        int v = shape.vocabSize();
        matrix(w, rnd, "token_embd.weight", e, v, 1f);
        for (int i = 0; i < shape.blockCount(); i++) {
            String b = "blk." + i + ".";
            vector(w, rnd, b + "attn_norm.weight", e, 1f, 0.2f);
            vector(w, rnd, b + "attn_norm.bias", e, 0f, 0.1f);
            matrix(w, rnd, b + "attn_qkv.weight", e, 3 * e, 1f / (float) Math.sqrt(e));
            vector(w, rnd, b + "attn_qkv.bias", 3 * e, 0f, 0.1f);
            matrix(w, rnd, b + "attn_output.weight", e, e, 1f / (float) Math.sqrt(e));
            vector(w, rnd, b + "attn_output.bias", e, 0f, 0.1f);
            vector(w, rnd, b + "ffn_norm.weight", e, 1f, 0.2f);
            vector(w, rnd, b + "ffn_norm.bias", e, 0f, 0.1f);
            matrix(w, rnd, b + "ffn_up.weight", e, f, 1f / (float) Math.sqrt(e));
            vector(w, rnd, b + "ffn_up.bias", f, 0f, 0.1f);
            matrix(w, rnd, b + "ffn_down.weight", f, e, 1f / (float) Math.sqrt(f));
            vector(w, rnd, b + "ffn_down.bias", e, 0f, 0.1f);
        }
        vector(w, rnd, "output_norm.weight", e, 1f, 0.2f);
        vector(w, rnd, "output_norm.bias", e, 0f, 0.1f);
        matrix(w, rnd, "output.weight", e, v, outputScale / (float) Math.sqrt(e));
        w.write(out);
    }

    /**
     * Writes the {@code gptneox.*} hyper-parameter keys of {@code shape} (docs/gguf.md, "GPT-NeoX metadata"); the
     * rotary base only when it is not the default 10000.
     */
    public static void putHyperParameters(GgufWriter w, NeoxHParams shape) {
        String a = NeoxHParams.ARCHITECTURE + ".";
        w.putUInt32(a + "context_length", shape.contextLength());
        w.putUInt32(a + "embedding_length", shape.embeddingLength());
        w.putUInt32(a + "block_count", shape.blockCount());
        w.putUInt32(a + "feed_forward_length", shape.feedForwardLength());
        w.putUInt32(a + "rope.dimension_count", shape.ropeDims());
        w.putUInt32(a + "attention.head_count", shape.headCount());
        w.putBool(a + "use_parallel_residual", shape.parallelResidual());
        w.putFloat32(a + "attention.layer_norm_epsilon", shape.layerNormEps());
        if (shape.ropeFreqBase() != 10000f) {
            w.putFloat32(a + "rope.freq_base", shape.ropeFreqBase());
        }
    }

    /** {@code rows} rows of {@code width} values, Q8_0. */
    private static void matrix(GgufWriter w, SplittableRandom rnd, String name, int width, int rows, float std) {
        float[] values = normal(rnd, width * rows, 0f, std);
        w.addTensor(name, GgmlType.Q8_0, new long[] {width, rows},
                TensorCodecs.quantize(GgmlType.Q8_0, values, 0, values.length));
    }

    private static void vector(GgufWriter w, SplittableRandom rnd, String name, int n, float mean, float std) {
        w.addTensor(name, GgmlType.F32, new long[] {n}, TensorCodecs.quantize(GgmlType.F32, normal(rnd, n, mean, std),
                0, n));
    }

    private static float[] normal(SplittableRandom rnd, int n, float mean, float std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller; one of the pair is enough here
            double u = 1.0 - rnd.nextDouble();
            out[i] = mean + std * (float) (Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * rnd.nextDouble()));
        }
        return out;
    }
}
