package dev.neox4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neox4j.engine.checkpoint.FileType;
import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.model.NeoxHParams;
import dev.neox4j.bench.NeoxModelGenerator.Mix;
import dev.neox4j.engine.tensor.TensorCodecs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link NeoxModelGenerator}: metadata, shapes, tensor types, value statistics, vocabulary resizing. */
class NeoxModelGeneratorTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/models");
    static GgufMetadata demoTokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadTokenizer() throws IOException {
        demoTokenizer = NeoxModelGenerator.demoTokenizer();
    }

    /** A small shape that still allows every K-quant (rows of 256). */
    static NeoxHParams small(int vocab) {
        return new NeoxHParams(vocab, 2048, 256, 2, 512, 4, 16, 10000f, 1e-5f, true);
    }

    private static double[] meanStd(float[] v) {
        double s = 0;
        double q = 0;
        for (float x : v) {
            s += x;
            q += (double) x * x;
        }
        double m = s / v.length;
        return new double[] {m, Math.sqrt(q / v.length - m * m)};
    }

    private static float[] f32(GgufFile g, String name) {
        GgufTensorInfo t = g.tensor(name);
        assertEquals(GgmlType.F32, t.type(), name);
        return g.data(t).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void tinyF32ModelHasTheFixtureLayoutAndTheDrawnStatistics() throws IOException {
        NeoxHParams hp = NeoxModelGenerator.preset("tiny");
        Path p = dir.resolve("tiny-f32.gguf");
        NeoxModelGenerator.builder(hp).tokenizer(demoTokenizer).seed(1).build().write(p);
        try (GgufFile g = GgufFile.open(p);
             GgufFile fixture = GgufFile.open(FIXTURES.resolve("tiny-gptneox-d256-F32.gguf"))) {
            GgufMetadata md = g.metadata();
            assertEquals("gptneox", md.getString("general.architecture"));
            for (String k : List.of("gptneox.context_length", "gptneox.embedding_length", "gptneox.block_count",
                    "gptneox.feed_forward_length", "gptneox.rope.dimension_count", "gptneox.attention.head_count",
                    "general.file_type", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")) {
                assertEquals(fixture.metadata().getUInt32(k), md.getUInt32(k), k);
            }
            assertEquals(fixture.metadata().getFloat32("gptneox.attention.layer_norm_epsilon"),
                    md.getFloat32("gptneox.attention.layer_norm_epsilon"));
            assertTrue(md.getBool("gptneox.use_parallel_residual"));
            assertEquals(2, md.getUInt32("general.quantization_version"));
            // The first 512 tokens with the merges that stay inside them: exactly the fixtures' vocabulary.
            for (String k : List.of("tokenizer.ggml.model", "tokenizer.ggml.pre")) {
                assertEquals(fixture.metadata().getString(k), md.getString(k), k);
            }
            assertArrayEquals(fixture.metadata().getStringArray("tokenizer.ggml.tokens"),
                    md.getStringArray("tokenizer.ggml.tokens"));
            assertArrayEquals(fixture.metadata().getIntArray("tokenizer.ggml.token_type"),
                    md.getIntArray("tokenizer.ggml.token_type"));
            assertArrayEquals(fixture.metadata().getStringArray("tokenizer.ggml.merges"),
                    md.getStringArray("tokenizer.ggml.merges"));

            // Same tensor names, order, shapes and types as the llama.cpp-made fixture.
            assertEquals(fixture.tensors().size(), g.tensors().size());
            for (int i = 0; i < g.tensors().size(); i++) {
                GgufTensorInfo a = fixture.tensors().get(i);
                GgufTensorInfo b = g.tensors().get(i);
                assertEquals(a.name(), b.name());
                assertEquals(a.type(), b.type(), a.name());
                assertArrayEquals(a.ne(), b.ne(), a.name());
            }

            double[] emb = meanStd(f32(g, "token_embd.weight"));
            assertEquals(0, emb[0], 0.01);
            assertEquals(1, emb[1], 0.01);
            double[] qkv = meanStd(f32(g, "blk.0.attn_qkv.weight"));
            assertEquals(0, qkv[0], 0.002);
            assertEquals(1 / Math.sqrt(256), qkv[1], 0.002);
            double[] down = meanStd(f32(g, "blk.1.ffn_down.weight"));
            assertEquals(1 / Math.sqrt(1024), down[1], 0.001);
            double[] ln = meanStd(f32(g, "blk.1.ffn_norm.weight"));
            assertEquals(1, ln[0], 0.05);
            assertEquals(0.2, ln[1], 0.03);
            double[] bias = meanStd(f32(g, "blk.0.ffn_up.bias"));
            assertEquals(0, bias[0], 0.02);
            assertEquals(0.1, bias[1], 0.01);
            // Separate random streams: the LM head is not a copy of the embedding.
            assertNotEquals(f32(g, "output.weight")[0] * 16, f32(g, "token_embd.weight")[0]);
        }
    }

    @Test
    void sameSeedSameFileOtherSeedOtherWeights() throws IOException {
        NeoxHParams hp = small(300);
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        NeoxModelGenerator.builder(hp).tokenizer(demoTokenizer).fileType(FileType.Q4_K_M).seed(5).build().write(a);
        NeoxModelGenerator.builder(hp).tokenizer(demoTokenizer).fileType(FileType.Q4_K_M).seed(5).build().write(b);
        NeoxModelGenerator.builder(hp).tokenizer(demoTokenizer).fileType(FileType.Q4_K_M).seed(6).build().write(c);
        assertEquals(-1, Files.mismatch(a, b));
        assertEquals(Files.size(a), Files.size(c));
        assertNotEquals(-1, Files.mismatch(a, c));
    }

    /**
     * The chunks are drawn and encoded in parallel but the bytes do not depend on the thread count (small chunks,
     * so every matrix spans many chunks and several are in flight at once); other chunk sizes draw other values.
     */
    @Test
    void outputDoesNotDependOnTheThreadCount() throws IOException {
        NeoxHParams hp = small(300);
        Path one = dir.resolve("t1.gguf");
        Path three = dir.resolve("t3.gguf");
        Path otherChunks = dir.resolve("c.gguf");
        NeoxModelGenerator.builder(hp).tokenizer(demoTokenizer).fileType(FileType.Q4_K_M).seed(5).threads(1)
                .chunkFloats(4096).build().write(one);
        NeoxModelGenerator.builder(hp).tokenizer(demoTokenizer).fileType(FileType.Q4_K_M).seed(5).threads(3)
                .chunkFloats(4096).build().write(three);
        NeoxModelGenerator.builder(hp).tokenizer(demoTokenizer).fileType(FileType.Q4_K_M).seed(5).threads(3)
                .chunkFloats(8192).build().write(otherChunks);
        assertEquals(-1, Files.mismatch(one, three));
        assertNotEquals(-1, Files.mismatch(one, otherChunks));
        // Chunks have distinct streams: two chunks of one tensor do not repeat the same values.
        try (GgufFile g = GgufFile.open(one)) {
            GgufTensorInfo up = g.tensor("blk.0.ffn_up.weight"); // 256 x 512, 16 rows per 4096-float chunk
            float[] v = new float[(int) up.elements()];
            TensorCodecs.dequantize(up.type(), g.data(up), 0, v, 0, v.length);
            assertNotEquals(v[0], v[4096]);
            assertNotEquals(v[1], v[4097]);
        }
        assertThrows(IllegalArgumentException.class, () -> NeoxModelGenerator.builder(hp).threads(0));
    }

    /** The LLAMA_DEFAULT mix reproduces the tensor types llama-quantize chose for every fixture. */
    @Test
    void mixRulesMatchLlamaQuantizeOnTheFixtures() throws IOException {
        JsonNode models = new ObjectMapper().readTree(FIXTURES.resolve("manifest.json").toFile()).get("models");
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            FileType ft = NeoxModelGenerator.parseFileType(m.getKey());
            for (Iterator<Map.Entry<String, JsonNode>> t = m.getValue().get("tensor_types").fields(); t.hasNext(); ) {
                Map.Entry<String, JsonNode> e = t.next();
                if (e.getValue().asText().equals("F32") && !ft.equals(FileType.F32)) {
                    continue; // 1-D tensors
                }
                String name = e.getKey();
                long ne0 = name.contains("ffn_down") ? 1024 : 256;
                assertEquals(e.getValue().asText(), NeoxModelGenerator.matrixType(ft, Mix.LLAMA_DEFAULT, name, 2, ne0)
                        .name(), m.getKey() + " " + name);
                checked++;
            }
        }
        assertEquals(16 * 10 + 28, checked); // 10 matrices in each of 16 files, all 28 tensors of the F32 one
    }

    @Test
    void useMoreBitsMatchesTheSpecTable() {
        assertEquals(List.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 31, 32, 33, 34, 35), moreBits(36));
        assertEquals(List.of(2, 5), moreBits(6));
        assertEquals(List.of(0, 1, 4, 7, 10, 13, 14, 15), moreBits(16));
        // pythia-12b Q4_K_M: ffn_down Q6_K in those 18 layers, attn_qkv Q5_K, output Q6_K, token_embd Q4_K.
        assertEquals(GgmlType.Q6_K, NeoxModelGenerator.matrixType(FileType.Q4_K_M, Mix.LLAMA_DEFAULT,
                "blk.30.ffn_down.weight", 36, 20480));
        assertEquals(GgmlType.Q4_K, NeoxModelGenerator.matrixType(FileType.Q4_K_M, Mix.LLAMA_DEFAULT,
                "blk.29.ffn_down.weight", 36, 20480));
        assertEquals(GgmlType.Q5_K, NeoxModelGenerator.matrixType(FileType.Q3_K_M, Mix.LLAMA_DEFAULT,
                "blk.1.ffn_down.weight", 36, 20480));
        assertEquals(GgmlType.Q8_0, NeoxModelGenerator.matrixType(FileType.Q8_0, Mix.LLAMA_DEFAULT,
                "output.weight", 36, 5120));
        assertEquals(GgmlType.Q4_K, NeoxModelGenerator.matrixType(FileType.Q4_K_M, Mix.PURE,
                "output.weight", 36, 5120));
    }

    private static List<Integer> moreBits(int n) {
        // Q4_K_M gives ffn_down the extra bits (Q6_K) in exactly those layers
        return java.util.stream.IntStream.range(0, n).filter(i -> NeoxModelGenerator.matrixType(FileType.Q4_K_M,
                Mix.LLAMA_DEFAULT, "blk." + i + ".ffn_down.weight", n, 256) == GgmlType.Q6_K).boxed().toList();
    }

    @Test
    void fallbackWhenRowsAreNotAMultipleOfTheBlock() {
        assertEquals(GgmlType.Q5_0, NeoxModelGenerator.matrixType(FileType.Q4_K_S, Mix.PURE, "blk.0.ffn_up.weight", 2, 128));
        assertEquals(GgmlType.Q5_1, NeoxModelGenerator.matrixType(FileType.Q5_K_S, Mix.PURE, "blk.0.ffn_up.weight", 2, 128));
        assertEquals(GgmlType.Q8_0, NeoxModelGenerator.matrixType(FileType.Q6_K, Mix.PURE, "blk.0.ffn_up.weight", 2, 96));
        assertEquals(GgmlType.Q4_0, NeoxModelGenerator.matrixType(FileType.Q2_K, Mix.PURE, "blk.0.ffn_up.weight", 2, 64));
        assertEquals(GgmlType.F16, NeoxModelGenerator.matrixType(FileType.Q4_0, Mix.PURE, "blk.0.ffn_up.weight", 2, 48));
    }

    /** Every file type: the written tensors have the planned types, and dequantize close to the drawn values. */
    @ParameterizedTest
    @EnumSource(FileType.class)
    void everyFileTypeWritesAndDequantizes(FileType ft) throws IOException {
        NeoxHParams hp = small(260);
        Path p = dir.resolve(ft + ".gguf");
        Path ref = dir.resolve(ft + "-f32.gguf");
        NeoxModelGenerator gen = NeoxModelGenerator.builder(hp).tokenizer(demoTokenizer).fileType(ft).seed(3).build();
        gen.write(p);
        NeoxModelGenerator.builder(hp).tokenizer(demoTokenizer).fileType(FileType.F32).seed(3).build().write(ref);
        try (GgufFile g = GgufFile.open(p); GgufFile r = GgufFile.open(ref)) {
            assertEquals(ft.id, g.metadata().getUInt32("general.file_type"));
            assertEquals(gen.plan(), g.tensors());
            for (GgufTensorInfo t : g.tensors()) {
                if (t.nDims() == 1) {
                    assertEquals(GgmlType.F32, t.type(), t.name());
                }
            }
            GgufTensorInfo qkv = g.tensor("blk.1.attn_qkv.weight");
            assertEquals(NeoxModelGenerator.matrixType(ft, Mix.LLAMA_DEFAULT, qkv.name(), 2, 256), qkv.type());
            int n = (int) qkv.elements();
            float[] got = new float[n];
            TensorCodecs.dequantize(qkv.type(), g.data(qkv), 0, got, 0, n);
            float[] want = f32(r, qkv.name());
            double err = 0;
            double pow = 0;
            for (int i = 0; i < n; i++) {
                err += (got[i] - want[i]) * (double) (got[i] - want[i]);
                pow += want[i] * (double) want[i];
            }
            double rel = Math.sqrt(err / pow);
            // Relative RMS error budget by type: float types ~exact, Q8 ~0.5%, 4-6 bit < 15%, Q2/Q3 < 35%.
            double budget = switch (qkv.type()) {
                case F32 -> 0;
                case F16 -> 1e-3;
                case BF16 -> 5e-3;
                case Q8_0 -> 0.01;
                case Q6_K, Q5_0, Q5_1, Q5_K, Q4_0, Q4_1, Q4_K -> 0.15;
                default -> 0.35;
            };
            assertTrue(rel <= budget, ft + " qkv relative RMS error " + rel + " > " + budget);
        }
    }

    @Test
    void largerVocabularyIsPaddedWithUnusedTokens() throws IOException {
        int have = demoTokenizer.getArrayLength("tokenizer.ggml.tokens");
        Path p = dir.resolve("pad.gguf");
        NeoxModelGenerator.builder(small(have + 3)).tokenizer(demoTokenizer).build().write(p);
        try (GgufFile g = GgufFile.open(p)) {
            String[] tokens = g.metadata().getStringArray("tokenizer.ggml.tokens");
            int[] types = g.metadata().getIntArray("tokenizer.ggml.token_type");
            assertEquals(have + 3, tokens.length);
            assertEquals(have + 3, types.length);
            assertEquals("[PAD" + have + "]", tokens[have]);
            assertEquals("[PAD" + (have + 2) + "]", tokens[have + 2]);
            assertEquals(NeoxModelGenerator.TOKEN_TYPE_UNUSED, types[have + 1]);
            assertArrayEquals(demoTokenizer.getStringArray("tokenizer.ggml.merges"),
                    g.metadata().getStringArray("tokenizer.ggml.merges"));
            assertArrayEquals(new long[] {256, have + 3}, g.tensor("output.weight").ne());
        }
    }

    @Test
    void smallerVocabularyKeepsOnlyMergesInsideIt() throws IOException {
        Path p = dir.resolve("small.gguf");
        NeoxModelGenerator.builder(small(300)).tokenizer(demoTokenizer).build().write(p);
        try (GgufFile g = GgufFile.open(p)) {
            String[] tokens = g.metadata().getStringArray("tokenizer.ggml.tokens");
            assertEquals(300, tokens.length);
            List<String> vocab = Arrays.asList(tokens);
            String[] merges = g.metadata().getStringArray("tokenizer.ggml.merges");
            // GPT-NeoX: merge r creates token 245 + r, so 55 merges stay below 300.
            assertEquals(55, merges.length);
            for (String m : merges) {
                String[] parts = m.split(" ", 2);
                assertTrue(vocab.contains(parts[0]) && vocab.contains(parts[1]) && vocab.contains(parts[0] + parts[1]), m);
            }
        }
    }

    @Test
    void pythiaPresetsHaveTheSpecShapesAndPlannedSizes() throws IOException {
        assertEquals(List.of("tiny", "pythia-70m", "pythia-160m", "pythia-410m", "pythia-1b", "pythia-1.4b",
                "pythia-2.8b", "pythia-6.9b", "pythia-12b"), NeoxModelGenerator.presetNames());
        NeoxHParams p12 = NeoxModelGenerator.preset("pythia-12b");
        assertEquals(new NeoxHParams(50688, 2048, 5120, 36, 20480, 40, 32, 10000f, 1e-5f, true), p12);
        assertEquals(128, p12.headDim());
        assertEquals(50432, NeoxModelGenerator.preset("pythia-6.9b").vocabSize());
        assertEquals(64, NeoxModelGenerator.preset("pythia-1b").ropeDims());
        assertThrows(IllegalArgumentException.class, () -> NeoxModelGenerator.preset("pythia-3b"));

        // Planned (not written) pythia-12b Q4_0: 436 tensors, ~11.8 B parameters, 6-7 GB.
        List<GgufTensorInfo> plan = NeoxModelGenerator.builder(p12).tokenizer(demoTokenizer).fileType(FileType.Q4_0)
                .build().plan();
        assertEquals(4 + 12 * 36, plan.size());
        long params = plan.stream().mapToLong(GgufTensorInfo::elements).sum();
        assertTrue(params > 11_500_000_000L && params < 12_000_000_000L, "params " + params);
        long bytes = plan.getLast().offset() + plan.getLast().byteSize();
        assertTrue(bytes > 6_000_000_000L && bytes < 7_500_000_000L, "bytes " + bytes);
        assertEquals(GgmlType.Q6_K, plan.getLast().type());
    }

    @Test
    void fileTypeNamesParse() {
        assertEquals(FileType.Q4_K_M, NeoxModelGenerator.parseFileType("q4_k_m"));
        assertEquals(FileType.Q4_K_M, NeoxModelGenerator.parseFileType("Q4_K"));
        assertEquals(FileType.BF16, NeoxModelGenerator.parseFileType("bf16"));
        assertThrows(IllegalArgumentException.class, () -> NeoxModelGenerator.parseFileType("IQ2_XXS"));
    }

    @Test
    void normalApproximationHasUnitVariance() {
        SplittableRandom rnd = new SplittableRandom(9);
        float[] v = new float[200_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = NeoxModelGenerator.normal(rnd);
        }
        double[] ms = meanStd(v);
        assertEquals(0, ms[0], 0.01);
        assertEquals(1, ms[1], 0.01);
    }
}
