package dev.neox4j.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.tensor.TensorCodecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code convert}: every file type, from a checkpoint and from a GGUF file; per-tensor types as llama-quantize chose
 * them for the fixture files, the metadata llama.cpp reads, values that round-trip, and no partial output.
 */
class GgufConverterTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(FileType.class)
    void everyTypeHasLlamaQuantizesTensorTypesAndTheSourceMetadata(FileType type) throws IOException {
        Path dir = new TinyCheckpoint().format(TinyCheckpoint.Format.BIN).write(tmp.resolve("ckpt"));
        Path out = tmp.resolve(type + ".gguf");
        GgufConverter.Result r = GgufConverter.convert(dir, out, type, 2);
        assertEquals(28, r.tensors());
        try (GgufFile f = GgufFile.open(out); GgufFile fixture = GgufFile.open(TinyCheckpoint.FIXTURE)) {
            JsonNode expected = CheckpointFixtures.manifest().get("models").get(type.name());
            for (GgufTensorInfo t : f.tensors()) {
                if (expected != null) {
                    // the fixture files were made by llama-quantize: same type for every tensor
                    assertEquals(expected.get("tensor_types").get(t.name()).asText(), t.type().name(), t.name());
                }
                GgufTensorInfo ft = fixture.tensor(t.name());
                assertArrayEquals(ft.ne(), t.ne(), t.name());
                if (t.type() == GgmlType.F32) {
                    assertEquals(fixture.data(ft).mismatch(f.data(t)), -1L, t.name() + " is not bit-identical");
                }
            }
            GgufMetadata m = f.metadata();
            GgufMetadata fm = fixture.metadata();
            for (String k : List.of("gptneox.context_length", "gptneox.embedding_length", "gptneox.block_count",
                    "gptneox.feed_forward_length", "gptneox.rope.dimension_count", "gptneox.attention.head_count")) {
                assertEquals(fm.getInt(k), m.getInt(k), k);
            }
            assertEquals(fm.getFloat32("gptneox.attention.layer_norm_epsilon"),
                    m.getFloat32("gptneox.attention.layer_norm_epsilon"));
            assertTrue(m.getBool("gptneox.use_parallel_residual"));
            assertEquals("gptneox", m.getString("general.architecture"));
            assertEquals("tiny-neox", m.getString("general.name"));
            assertEquals(type.id, m.getInt("general.file_type"));
            assertEquals(2, m.getInt("general.quantization_version"));
            assertEquals("gpt2", m.getString("tokenizer.ggml.model"));
            assertEquals("gpt-2", m.getString("tokenizer.ggml.pre"));
            for (String k : List.of("tokenizer.ggml.tokens", "tokenizer.ggml.merges")) {
                assertArrayEquals(fm.getStringArray(k), m.getStringArray(k), k);
            }
            assertArrayEquals(fm.getIntArray("tokenizer.ggml.token_type"), m.getIntArray("tokenizer.ggml.token_type"));
        }
    }

    @Test
    void convertingAGgufRequantizesFromItsValuesAndKeepsItsMetadata() throws IOException {
        Path ckpt = new TinyCheckpoint().write(tmp.resolve("ckpt"));
        Path fromCkpt = tmp.resolve("a.gguf");
        Path fromGguf = tmp.resolve("b.gguf");
        GgufConverter.convert(ckpt, fromCkpt, FileType.Q6_K, 1);
        GgufConverter.convert(TinyCheckpoint.FIXTURE, fromGguf, FileType.Q6_K, 2);
        try (GgufFile a = GgufFile.open(fromCkpt); GgufFile b = GgufFile.open(fromGguf)) {
            for (GgufTensorInfo t : a.tensors()) {
                assertEquals(a.data(t).mismatch(b.data(b.tensor(t.name()))), -1L, t.name());
            }
            assertEquals(18, b.metadata().getInt("general.file_type"));
            assertEquals("olmo", b.metadata().getString("tokenizer.ggml.pre")); // the source's keys are kept
        }
        // F16 -> F32 -> F16 is lossless
        Path f16 = tmp.resolve("f16.gguf");
        Path f32 = tmp.resolve("f32.gguf");
        Path back = tmp.resolve("back.gguf");
        GgufConverter.convert(ckpt, f16, FileType.F16, 1);
        GgufConverter.convert(f16, f32, FileType.F32, 1);
        GgufConverter.convert(f32, back, FileType.F16, 1);
        assertEquals(-1L, Files.mismatch(f16, back));
    }

    @Test
    void quantizedValuesStayCloseToTheSource() throws IOException {
        Map<String, float[]> src = TinyCheckpoint.fixtureTensors();
        Path dir = new TinyCheckpoint().format(TinyCheckpoint.Format.SAFETENSORS_SHARDED).write(tmp.resolve("c"));
        for (FileType type : List.of(FileType.Q8_0, FileType.Q5_1, FileType.Q3_K_M)) {
            Path out = tmp.resolve(type + ".gguf");
            GgufConverter.convert(dir, out, type, 1);
            try (GgufFile f = GgufFile.open(out)) {
                GgufTensorInfo t = f.tensor("blk.1.ffn_up.weight");
                float[] v = new float[(int) t.elements()];
                TensorCodecs.dequantize(t.type(), f.data(t), 0, v, 0, v.length);
                float[] want = src.get("blk.1.ffn_up.weight");
                double err = 0;
                double norm = 0;
                for (int i = 0; i < v.length; i++) {
                    err += (v[i] - want[i]) * (double) (v[i] - want[i]);
                    norm += want[i] * (double) want[i];
                }
                double rel = Math.sqrt(err / norm);
                double bound = switch (type) {
                    case Q8_0 -> 0.01;
                    case Q5_1 -> 0.05;
                    default -> 0.2;
                };
                assertTrue(rel < bound, type + ": relative error " + rel);
            }
        }
    }

    @Test
    void aFailedConversionLeavesNoOutputAndNoTemporaryFile() throws IOException {
        Path dir = new TinyCheckpoint().write(tmp.resolve("ckpt"));
        Path st = dir.resolve("model.safetensors");
        Path outDir = tmp.resolve("out");
        Files.createDirectories(outDir);
        Path out = outDir.resolve("model.gguf");
        Files.writeString(out, "previous");
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
             TensorTranscoder tx = new TensorTranscoder(1)) {
            ModelPlan plan = CheckpointPlanner.plan(dir, arena, false);
            // the file is cut after it was planned: the conversion fails while the output is being written
            try (var ch = java.nio.channels.FileChannel.open(st, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(st) - 1000);
            }
            String msg = assertThrows(CheckpointFormatException.class,
                    () -> GgufConverter.write(plan, out, FileType.Q8_0, tx, 0)).getMessage();
            assertTrue(msg.contains("past the end of the file"), msg);
        }
        assertEquals("previous", Files.readString(out));
        try (Stream<Path> s = Files.list(outDir)) {
            assertEquals(List.of(out), s.toList());
        }
        // a source refused before writing leaves no file either
        Path fresh = outDir.resolve("fresh.gguf");
        assertThrows(CheckpointFormatException.class, () -> GgufConverter.convert(dir, fresh, FileType.F32, 1));
        assertFalse(Files.exists(fresh));
    }
}
