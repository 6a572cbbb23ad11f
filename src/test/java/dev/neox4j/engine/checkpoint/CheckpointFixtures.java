package dev.neox4j.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.model.ForwardBatch;
import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxForward;
import dev.neox4j.engine.model.NeoxModel;
import dev.neox4j.engine.runtime.EngineFixtures;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.kernel.Kernels;

import java.util.Arrays;

/** Shared helpers of the checkpoint tests: the fixture manifest, logits of a model, differences. */
final class CheckpointFixtures {

    private CheckpointFixtures() {
    }

    static JsonNode manifest() {
        return EngineFixtures.manifest();
    }

    static int[] tokens(String seq) {
        return EngineFixtures.sequence(seq);
    }

    /** numpy float64 reference logits of the F32 fixture, [len][512]. */
    static float[] refLogits(String seq) {
        return EngineFixtures.floats(manifest().get("models").get("F32").get("goldens").get(seq)
                .get("ref_logits_file").asText());
    }

    /** Logits of every position of {@code tokens} evaluated in one batch, [len][n_vocab] (f32 KV cache). */
    static float[] logits(GgufFile file, int[] tokens) {
        NeoxModel m = NeoxModel.load(file);
        NeoxForward fwd = new NeoxForward(m, Kernels.select("auto"), ParallelFor.SERIAL, tokens.length);
        KvCache cache = KvCache.forModel(m.hparams(), tokens.length, KvCache.ElementType.F32);
        ForwardBatch b = new ForwardBatch();
        for (int t : tokens) {
            b.add(cache, t, true, true);
        }
        return Arrays.copyOf(fwd.forward(b), tokens.length * m.vocabSize());
    }

    /** max |a - b| over {@code rows} rows of the first {@code cols} columns ({@code a} has {@code aVocab} columns). */
    static double maxDiff(float[] a, int aVocab, float[] b, int bVocab, int rows, int cols) {
        double max = 0;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) {
                double d = Math.abs((double) a[r * aVocab + i] - b[r * bVocab + i]);
                if (!(d <= max)) {
                    max = d;
                }
            }
        }
        return max;
    }
}
