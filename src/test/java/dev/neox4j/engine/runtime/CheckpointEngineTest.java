package dev.neox4j.engine.runtime;

import dev.neox4j.engine.checkpoint.FileType;
import dev.neox4j.engine.checkpoint.TinyCheckpoint;
import dev.neox4j.engine.sampling.SamplingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The engine serves a checkpoint directory given as its model path, as stored or quantized while loading. */
class CheckpointEngineTest {
    @TempDir
    Path tmp;

    /** The fixture engine options with {@code dir} as the model. */
    private static EngineOptions at(Path dir) {
        return EngineFixtures.options("F32").toBuilder().modelPath(dir).build();
    }

    private static int[] greedy(Engine engine, int[] prompt, int n) throws Exception {
        Collector c = new Collector();
        engine.submit(GenerationRequest.builder(prompt).sampling(SamplingSettings.builder().temperature(0)
                .maxTokens(n).ignoreEos(true).build()).source("test").build(), c);
        return c.await().tokens();
    }

    @Test
    void aCheckpointDirectoryGeneratesWhatItsGgufGenerates() throws Exception {
        Path dir = new TinyCheckpoint().format(TinyCheckpoint.Format.SAFETENSORS_SHARDED).write(tmp.resolve("tiny"));
        int[] prompt = EngineFixtures.sequence("seq64");
        int[] expected;
        try (Engine gguf = Engine.open(EngineFixtures.options("F32"))) {
            expected = greedy(gguf, prompt, 24);
        }
        try (Engine engine = Engine.open(at(dir))) {
            assertEquals("tiny", engine.modelInfo().id());
            assertEquals("tiny-neox", engine.modelInfo().name());
            assertEquals("F32", engine.modelInfo().quantType());
            assertArrayEquals(expected, greedy(engine, prompt, 24));
        }
    }

    @Test
    void neoxQuantizeQuantizesACheckpointWhileLoading() throws Exception {
        Path dir = new TinyCheckpoint().format(TinyCheckpoint.Format.BIN).dtype("F16").write(tmp.resolve("tiny"));
        try (Engine engine = Engine.open(at(dir).toBuilder().quantize(FileType.Q4_K_M).build())) {
            assertEquals("Q4_K_M", engine.modelInfo().quantType());
            assertEquals(24, greedy(engine, EngineFixtures.sequence("seq8"), 24).length);
        }
    }
}
