package dev.neox4j.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.kernel.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class NeoxModelTest {

    /** The naive float64 forward pass must reproduce the fixtures' numpy float64 reference. */
    static final double REFERENCE_VS_NUMPY_BUDGET = 1e-5; // measured: 0 (identical after rounding to f32)

    static List<String> types() {
        return ModelFixtures.types();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void loadsEveryFixtureWithItsHParamsTypesAndLabel(String type) {
        JsonNode hpJson = ModelFixtures.manifest().get("hparams");
        JsonNode tensorTypes = ModelFixtures.manifest().get("models").get(type).get("tensor_types");
        try (GgufFile file = ModelFixtures.open(type)) {
            NeoxModel m = NeoxModel.load(file);
            NeoxHParams hp = m.hparams();
            assertEquals(hpJson.get("n_vocab").asInt(), hp.vocabSize());
            assertEquals(hpJson.get("n_vocab").asInt(), m.vocabSize());
            assertEquals(hpJson.get("n_embd").asInt(), hp.embeddingLength());
            assertEquals(hpJson.get("n_head").asInt(), hp.headCount());
            assertEquals(hpJson.get("head_dim").asInt(), hp.headDim());
            assertEquals(hpJson.get("n_layer").asInt(), hp.blockCount());
            assertEquals(hpJson.get("n_ff").asInt(), hp.feedForwardLength());
            assertEquals(hpJson.get("n_rot").asInt(), hp.ropeDims());
            assertEquals(hpJson.get("n_ctx_train").asInt(), hp.contextLength());
            assertEquals((float) hpJson.get("layer_norm_eps").asDouble(), hp.layerNormEps());
            assertEquals(hpJson.get("use_parallel_residual").asBoolean(), hp.parallelResidual());
            assertEquals((float) hpJson.get("rope_freq_base").asDouble(), hp.ropeFreqBase());

            assertEquals(type, m.fileType());
            assertSame(file, m.file());
            assertSame(file.metadata(), m.metadata());
            assertFalse(m.outputTiedToEmbedding());
            assertEquals(2, m.layerCount());
            assertEquals(GgmlType.valueOf(tensorTypes.get("token_embd.weight").asText()), m.tokenEmbedding().type());
            assertEquals(GgmlType.valueOf(tensorTypes.get("output.weight").asText()), m.output().type());
            for (int l = 0; l < 2; l++) {
                NeoxLayer w = m.layer(l);
                assertEquals(GgmlType.valueOf(tensorTypes.get("blk." + l + ".ffn_down.weight").asText()), w.ffnDown().type());
                assertEquals(GgmlType.valueOf(tensorTypes.get("blk." + l + ".attn_qkv.weight").asText()), w.qkv().type());
                assertEquals(768, w.qkv().rows());
                assertEquals(256, w.qkv().cols());
                assertEquals(1024, w.ffnDown().cols());
            }
            long e = 256;
            long perLayer = e * 3 * e + 3 * e + e * e + e + 4 * e + e * 1024 + 1024 + 1024 * e + e;
            assertEquals(2 * 512 * e + 2 * perLayer + 2 * e, m.parameterCount());
        }
    }

    @Test
    void embeddingRowsAreTheFileRows() {
        try (GgufFile file = ModelFixtures.open("F32")) {
            NeoxModel m = NeoxModel.load(file);
            float[] row = new float[256];
            for (int tok : new int[] {0, 1, 255, 511}) {
                m.embed(tok, row, 0);
                for (int i = 0; i < 256; i++) {
                    float want = m.tokenEmbedding().data().get(ValueLayout.JAVA_FLOAT_UNALIGNED, (tok * 256L + i) * 4);
                    assertEquals(want, row[i], "token " + tok + " element " + i);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> m.embed(512, row, 0));
            assertThrows(IllegalArgumentException.class, () -> m.embed(-1, row, 0));
        }
    }

    @Test
    void naiveReferenceReproducesTheNumpyReference() {
        for (String type : new String[] {"F32", "Q4_K_M"}) {
            try (GgufFile file = ModelFixtures.open(type)) {
                NeoxModel m = NeoxModel.load(file);
                int[] tokens = ModelFixtures.tokens("seq64");
                float[] ref = new ReferenceForward(m).logits(tokens);
                LogitDiff d = LogitDiff.of(ref, 0, ModelFixtures.refLogits(type, "seq64"), 0, tokens.length, m.vocabSize());
                System.out.println("REF " + type + " naive float64 vs numpy: " + d);
                assertTrue(d.maxAbs() <= REFERENCE_VS_NUMPY_BUDGET, type + ": " + d);
                // and the engine is close to it (the distance is the GELU table and rounding)
                float[] ours = ForwardRunner.batch(new NeoxForward(m, Kernels.select("scalar"), ParallelFor.SERIAL, 64),
                        KvCache.forModel(m.hparams(), 64, KvCache.ElementType.F32), tokens);
                assertTrue(LogitDiff.of(ours, 0, ref, 0, tokens.length, m.vocabSize()).maxAbs() < 1.0);
            }
        }
    }
}
