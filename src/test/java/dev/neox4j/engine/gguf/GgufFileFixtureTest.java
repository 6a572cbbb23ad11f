package dev.neox4j.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Opens every fixture GGUF (17 tiny models and the tokenizer) and checks keys, types, shapes and layout. */
class GgufFileFixtureTest {
    static final Path MODELS = Path.of("src/test/resources/fixtures/models");
    static final Path TOKENIZER = Path.of("src/test/resources/fixtures/tokenizer/gpt-neox-tokenizer.gguf");
    static JsonNode manifest;

    @BeforeAll
    static void readManifest() throws IOException {
        manifest = new ObjectMapper().readTree(MODELS.resolve("manifest.json").toFile());
    }

    static Stream<String> modelTypes() throws IOException {
        JsonNode m = new ObjectMapper().readTree(MODELS.resolve("manifest.json").toFile());
        List<String> types = new ArrayList<>();
        m.get("models").fieldNames().forEachRemaining(types::add);
        return types.stream();
    }

    @ParameterizedTest
    @MethodSource("modelTypes")
    void opensFixtureModel(String type) throws IOException {
        JsonNode model = manifest.get("models").get(type);
        Path file = MODELS.resolve(model.get("file").asText());
        JsonNode hp = manifest.get("hparams");
        int nLayer = hp.get("n_layer").asInt();
        int nEmbd = hp.get("n_embd").asInt();
        int nVocab = hp.get("n_vocab").asInt();
        int nFf = hp.get("n_ff").asInt();
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(3, g.version());
            assertEquals(model.get("bytes").asLong(), g.fileSize());
            assertEquals(32, g.alignment());
            assertEquals(0, g.dataOffset() % 32);
            GgufMetadata md = g.metadata();
            assertEquals("gptneox", md.getString("general.architecture"));
            assertEquals(nEmbd, md.getUInt32("gptneox.embedding_length"));
            assertEquals(nLayer, md.getUInt32("gptneox.block_count"));
            assertEquals(nFf, md.getUInt32("gptneox.feed_forward_length"));
            assertEquals(hp.get("n_head").asInt(), md.getUInt32("gptneox.attention.head_count"));
            assertEquals(hp.get("n_rot").asInt(), md.getUInt32("gptneox.rope.dimension_count"));
            assertEquals(hp.get("n_ctx_train").asInt(), md.getUInt32("gptneox.context_length"));
            assertEquals((float) hp.get("layer_norm_eps").asDouble(),
                    md.getFloat32("gptneox.attention.layer_norm_epsilon"));
            assertTrue(md.getBool("gptneox.use_parallel_residual"));
            String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
            assertEquals(nVocab, tokens.length);
            assertEquals("<|endoftext|>", tokens[0]);
            assertEquals(nVocab, md.getIntArray("tokenizer.ggml.token_type").length);
            assertEquals(267, md.getStringArray("tokenizer.ggml.merges").length);
            assertEquals(0, md.getUInt32("tokenizer.ggml.bos_token_id"));

            assertEquals(4 + 12 * nLayer, g.tensors().size());
            JsonNode types = model.get("tensor_types");
            assertEquals(types.size(), g.tensors().size());
            for (Iterator<Map.Entry<String, JsonNode>> it = types.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertEquals(e.getValue().asText(), g.tensor(e.getKey()).type().name(), e.getKey());
            }
            assertArrayEquals(new long[] {nEmbd, nVocab}, g.tensor("token_embd.weight").ne());
            assertArrayEquals(new long[] {nEmbd, nVocab}, g.tensor("output.weight").ne());
            assertArrayEquals(new long[] {nEmbd, 3L * nEmbd}, g.tensor("blk.0.attn_qkv.weight").ne());
            assertArrayEquals(new long[] {nFf, nEmbd}, g.tensor("blk.1.ffn_down.weight").ne());
            assertArrayEquals(new long[] {nEmbd}, g.tensor("output_norm.bias").ne());

            // Layout: every tensor sized by type and shape, laid out back to back with 32-byte padding.
            List<GgufTensorInfo> sorted = new ArrayList<>(g.tensors());
            sorted.sort(Comparator.comparingLong(GgufTensorInfo::offset));
            long expected = 0;
            for (GgufTensorInfo t : sorted) {
                assertEquals(t.type().bytesFor(t.elements()), t.byteSize(), t.name());
                assertEquals(expected, t.offset(), t.name());
                MemorySegment data = g.data(t);
                assertEquals(t.byteSize(), data.byteSize());
                assertEquals(g.dataOffset() + t.offset(), g.absoluteOffset(t));
                expected = Math.ceilDiv(t.offset() + t.byteSize(), 32) * 32;
            }
            assertTrue(g.dataOffset() + expected <= g.fileSize() + 32);

            GgufFormatException missing = assertThrows(GgufFormatException.class, () -> g.tensor("nope.weight"));
            assertEquals(file.getFileName() + ": missing tensor 'nope.weight'", missing.getMessage());
        }
    }

    @Test
    void f32FixtureDataIsReadableThroughSlices() throws IOException {
        try (GgufFile g = GgufFile.open(MODELS.resolve("tiny-gptneox-d256-F32.gguf"))) {
            // Data offset as computed by an independent Python parser of this file.
            assertEquals(13152, g.dataOffset());
            GgufTensorInfo emb = g.tensor("token_embd.weight");
            MemorySegment s = g.data(emb);
            ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            long n = emb.elements();
            double sum = 0;
            double sq = 0;
            for (long i = 0; i < n; i++) {
                float v = s.getAtIndex(f32, i);
                assertTrue(Float.isFinite(v));
                sum += v;
                sq += v * v;
            }
            double mean = sum / n;
            double std = Math.sqrt(sq / n - mean * mean);
            // token_embd was drawn with std 1 (fixtures README).
            assertEquals(0, mean, 0.05);
            assertEquals(1, std, 0.05);
            GgufTensorInfo lnw = g.tensor("blk.0.attn_norm.weight");
            MemorySegment w = g.data(lnw);
            double wsum = 0;
            for (long i = 0; i < lnw.elements(); i++) {
                wsum += w.getAtIndex(f32, i);
            }
            // LayerNorm weights were drawn around 1 (1 +- 0.2).
            assertEquals(1.0, wsum / lnw.elements(), 0.05);
        }
    }

    @Test
    void opensVocabOnlyTokenizer() throws IOException {
        for (Path p : List.of(TOKENIZER, Path.of("src/main/resources/demo/gpt-neox-tokenizer.gguf"))) {
            try (GgufFile g = GgufFile.open(p)) {
                assertEquals(3, g.version());
                assertEquals(0, g.tensors().size());
                assertEquals(18, g.metadata().size());
                assertEquals(Files.size(p), g.fileSize());
                // Independent Python parse: header ends at 1771494 = the file size; data offset rounds up past EOF.
                assertEquals(1771494, g.fileSize());
                assertEquals(1771520, g.dataOffset());
                GgufMetadata md = g.metadata();
                assertEquals("gpt2", md.getString("tokenizer.ggml.model"));
                assertEquals("olmo", md.getString("tokenizer.ggml.pre"));
                String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
                assertEquals(50432, tokens.length);
                assertEquals("<|padding|>", tokens[1]);
                int[] types = md.getIntArray("tokenizer.ggml.token_type");
                assertEquals(50432, types.length);
                assertEquals(3, types[0]);
                assertEquals(GgufValueType.INT32, md.get("tokenizer.ggml.token_type").elementType());
                String[] merges = md.getStringArray("tokenizer.ggml.merges");
                assertEquals(50009, merges.length);
                assertEquals("\u0120 t", merges[1]);
                assertEquals(5120, md.getUInt32("gptneox.embedding_length"));
                assertEquals(36, md.getInt("gptneox.block_count"));
                assertEquals(List.of("general.architecture", "general.name"),
                        md.keys().stream().limit(2).toList());
            }
        }
    }

    @Test
    void readsFromBytesInMemory() throws IOException {
        Path f = MODELS.resolve("tiny-gptneox-d256-Q4_0.gguf");
        try (GgufFile mapped = GgufFile.open(f);
             GgufFile inMemory = GgufFile.read(Files.readAllBytes(f), "copy.gguf")) {
            assertEquals(null, inMemory.path());
            assertEquals(mapped.metadata().entries(), inMemory.metadata().entries());
            assertEquals(mapped.tensors(), inMemory.tensors());
            GgufTensorInfo t = mapped.tensor("blk.1.ffn_up.weight");
            assertEquals(-1, mapped.data(t).mismatch(inMemory.data(t)));
        }
        byte[] bad = Files.readAllBytes(f);
        bad[0] = 'X';
        assertEquals("bad.gguf: not a GGUF file: magic bytes 58 47 55 46, expected 47 47 55 46 (\"GGUF\") (offset 0)",
                assertThrows(GgufFormatException.class, () -> GgufFile.read(bad, "bad.gguf")).getMessage());
    }

    @Test
    void closeUnmapsAndIsIdempotent() throws IOException {
        GgufFile g = GgufFile.open(MODELS.resolve("tiny-gptneox-d256-Q8_0.gguf"));
        GgufTensorInfo t = g.tensor("output.weight");
        assertEquals(t.byteSize(), g.data(t).byteSize());
        g.close();
        assertFalse(g.isOpen());
        g.close();
        assertThrows(IllegalStateException.class, () -> g.data(t));
    }
}
