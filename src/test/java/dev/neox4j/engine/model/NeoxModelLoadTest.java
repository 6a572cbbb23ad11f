package dev.neox4j.engine.model;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufFormatException;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.gguf.GgufWriter;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.kernel.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/** Loading variants of a fixture model rewritten with {@link GgufWriter}: bad files fail clearly, odd ones work. */
class NeoxModelLoadTest {

    /** Sequential-residual engine vs the naive float64 reference (GELU table and f16 rounding make the gap). */
    static final double SEQUENTIAL_VS_REFERENCE_MAX = 0.02; // measured 0.005 (F32 parallel vs numpy: 0.008)

    @TempDir
    Path dir;

    /**
     * Copies fixture {@code type}: metadata (then {@code meta} edits it) and every tensor {@code keep} accepts.
     */
    private Path copy(String type, Consumer<GgufWriter> meta, Predicate<GgufTensorInfo> keep) throws IOException {
        Path out = dir.resolve("variant-" + System.nanoTime() + ".gguf");
        try (GgufFile src = ModelFixtures.open(type)) {
            GgufWriter w = new GgufWriter().putAll(src.metadata());
            meta.accept(w);
            for (GgufTensorInfo t : src.tensors()) {
                if (keep.test(t)) {
                    w.addTensor(t.name(), t.type(), t.ne(), src.data(t).toArray(ValueLayout.JAVA_BYTE));
                }
            }
            w.write(out);
        }
        return out;
    }

    private static GgufFormatException loadFails(Path p) throws IOException {
        try (GgufFile f = GgufFile.open(p)) {
            return assertThrows(GgufFormatException.class, () -> NeoxModel.load(f));
        }
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path p = copy("Q4_0", w -> { }, t -> !t.name().equals("blk.1.ffn_up.bias"));
        GgufFormatException e = loadFails(p);
        assertTrue(e.getMessage().contains("blk.1.ffn_up.bias"), e.getMessage());
    }

    @Test
    void wrongShapeIsNamedWithTheExpectedShape() throws IOException {
        Path p = copy("F32", w -> w.addTensor("blk.0.attn_output.bias", GgmlType.F32, new long[] {128},
                new byte[128 * 4]), t -> !t.name().equals("blk.0.attn_output.bias"));
        GgufFormatException e = loadFails(p);
        assertTrue(e.getMessage().contains("blk.0.attn_output.bias") && e.getMessage().contains("[128]")
                && e.getMessage().contains("[256]"), e.getMessage());

        Path q = copy("F32", w -> w.addTensor("blk.1.attn_qkv.weight", GgmlType.F32, new long[] {256, 512},
                new byte[256 * 512 * 4]), t -> !t.name().equals("blk.1.attn_qkv.weight"));
        e = loadFails(q);
        assertTrue(e.getMessage().contains("blk.1.attn_qkv.weight") && e.getMessage().contains("[256, 768]"),
                e.getMessage());
    }

    @Test
    void badMetadataIsNamed() throws IOException {
        GgufFormatException e = loadFails(copy("Q8_0", w -> w.putString("general.architecture", "llama"), t -> true));
        assertTrue(e.getMessage().contains("general.architecture") && e.getMessage().contains("llama"), e.getMessage());

        e = loadFails(copy("Q8_0", w -> w.remove("gptneox.attention.layer_norm_epsilon"), t -> true));
        assertTrue(e.getMessage().contains("gptneox.attention.layer_norm_epsilon"), e.getMessage());

        e = loadFails(copy("Q8_0", w -> w.putUInt32("gptneox.attention.head_count_kv", 2), t -> true));
        assertTrue(e.getMessage().contains("head_count_kv"), e.getMessage());

        e = loadFails(copy("Q8_0", w -> w.putUInt32("gptneox.rope.dimension_count", 65), t -> true));
        assertTrue(e.getMessage().contains("rope.dimension_count"), e.getMessage());

        e = loadFails(copy("Q8_0", w -> w.putUInt32("gptneox.attention.head_count", 3), t -> true));
        assertTrue(e.getMessage().contains("head_count"), e.getMessage());

        e = loadFails(copy("Q8_0", w -> w.putUInt32("gptneox.block_count", 3), t -> true));
        assertTrue(e.getMessage().contains("blk.2."), e.getMessage());

        String[] tokens = new String[513];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = "t" + i;
        }
        e = loadFails(copy("Q8_0", w -> w.putStringArray("tokenizer.ggml.tokens", tokens), t -> true));
        assertTrue(e.getMessage().contains("513 tokens"), e.getMessage());
    }

    @Test
    void unsupportedWeightTypeIsNamed() throws IOException {
        // an IQ4_NL matrix: readable by the GGUF parser, not by the engine
        Path p = copy("F32", w -> w.addTensor("blk.0.ffn_up.weight", GgmlType.IQ4_NL, new long[] {256, 1024},
                new byte[(int) GgmlType.IQ4_NL.bytesFor(256L * 1024)]), t -> !t.name().equals("blk.0.ffn_up.weight"));
        GgufFormatException e = loadFails(p);
        assertTrue(e.getMessage().contains("blk.0.ffn_up.weight") && e.getMessage().contains("IQ4_NL"), e.getMessage());
    }

    @Test
    void perLayerArraysAndOptionalKeysAreAccepted() throws IOException {
        Path p = copy("Q5_K_M", w -> {
            w.putUInt32Array("gptneox.feed_forward_length", 1024, 1024);
            w.putUInt32Array("gptneox.attention.head_count", 4, 4);
            w.putUInt32("gptneox.attention.head_count_kv", 4);
            w.remove("gptneox.rope.dimension_count");
            w.remove("general.file_type");
        }, t -> true);
        try (GgufFile f = GgufFile.open(p)) {
            NeoxModel m = NeoxModel.load(f);
            assertEquals(1024, m.hparams().feedForwardLength());
            assertEquals(64, m.hparams().ropeDims(), "defaults to head_dim");
            assertEquals("Q5_K", m.fileType(), "without general.file_type: the type holding most weights");
        }
        Path mixed = copy("Q5_K_M", w -> w.putUInt32Array("gptneox.feed_forward_length", 1024, 512), t -> true);
        GgufFormatException e = loadFails(mixed);
        assertTrue(e.getMessage().contains("feed_forward_length"), e.getMessage());
    }

    @Test
    void missingOutputFallsBackToTheTokenEmbedding() throws IOException {
        Path p = copy("Q8_0", w -> { }, t -> !t.name().equals("output.weight"));
        try (GgufFile f = GgufFile.open(p)) {
            NeoxModel m = NeoxModel.load(f);
            assertTrue(m.outputTiedToEmbedding());
            assertSame(m.tokenEmbedding(), m.output());
            int[] tokens = ModelFixtures.tokens("seq8");
            float[] ours = ForwardRunner.batch(new NeoxForward(m, Kernels.select("scalar"), ParallelFor.SERIAL, 8),
                    KvCache.forModel(m.hparams(), 8, KvCache.ElementType.F32), tokens);
            float[] ref = new ReferenceForward(m).logits(tokens);
            LogitDiff d = LogitDiff.of(ours, 0, ref, 0, tokens.length, m.vocabSize());
            assertTrue(d.maxAbs() < 1.0, "tied head vs naive reference: " + d);
            // the LM head rows are the embedding rows
            float[] embedding = new float[256];
            m.embed(5, embedding, 0);
            float[] headRow = new float[256];
            TensorCodecs.dequantize(m.output().type(), m.output().data(), m.output().rowOffset(5), headRow, 0, 256);
            assertArrayEquals(embedding, headRow);
        }
    }

    @Test
    void sequentialResidualMatchesTheReference() throws IOException {
        Path p = copy("F32", w -> w.putBool("gptneox.use_parallel_residual", false), t -> true);
        try (GgufFile f = GgufFile.open(p); GgufFile parallelFile = ModelFixtures.open("F32")) {
            NeoxModel m = NeoxModel.load(f);
            assertFalse(m.hparams().parallelResidual());
            int[] tokens = ModelFixtures.tokens("seq64");
            NeoxForward fwd = new NeoxForward(m, Kernels.select("scalar"), ParallelFor.SERIAL, 64);
            float[] ours = ForwardRunner.batch(fwd, KvCache.forModel(m.hparams(), 64, KvCache.ElementType.F32), tokens);
            float[] ref = new ReferenceForward(m).logits(tokens);
            LogitDiff d = LogitDiff.of(ours, 0, ref, 0, tokens.length, m.vocabSize());
            System.out.println("SEQUENTIAL vs naive float64: " + d);
            assertTrue(d.maxAbs() <= SEQUENTIAL_VS_REFERENCE_MAX, d.toString());
            float[] parallel = ModelFixtures.logits("F32", "seq64");
            assertTrue(LogitDiff.of(ours, 0, parallel, 0, tokens.length, m.vocabSize()).maxAbs() > 1.0,
                    "the residual wiring must matter");
        }
    }
}
