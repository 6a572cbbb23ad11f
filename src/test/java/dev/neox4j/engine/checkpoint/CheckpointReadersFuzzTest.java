package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufFormatException;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.tokenizer.Tokenizer;
import dev.neox4j.fuzz.Mutator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz test (issue 18, bounded for CI by iterations, seeded) of the checkpoint readers: mutated
 * {@code model.safetensors} files and mutated {@code tokenizer.json} files are read or refused with a
 * {@link CheckpointFormatException} naming the file; never another exception, an out-of-memory or a hang. A
 * tokenizer that was read is also built ({@link Tokenizer#fromGguf}), which may refuse with a
 * {@link GgufFormatException}.
 */
class CheckpointReadersFuzzTest {

    static final long SEED = 0x5afe_7e45L;
    static final int SAFETENSORS_ITERATIONS = 600;
    static final int TOKENIZER_ITERATIONS = 300;
    /** Tokens of the small tokenizer.json: the 256 byte tokens and the first merges' results. */
    static final int TOKENS = 400;

    @TempDir
    Path tmp;

    @Test
    void mutatedSafetensorsAreReadOrRefusedCleanly() throws IOException {
        Path base = tmp.resolve("base.safetensors");
        SafetensorsWriter.write(base, List.of(new TestTensor("a", "F32", new long[]{2, 3}, new byte[24]),
                new TestTensor("b", "F16", new long[]{4}, new byte[8]),
                new TestTensor("c", "BF16", new long[]{2, 2}, new byte[8])));
        byte[] bytes = Files.readAllBytes(base);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(3, SafetensorsFile.open(base, arena, false).size(), "the unmutated file is valid");
        }
        Mutator m = new Mutator(SEED);
        Path file = tmp.resolve("model.safetensors");
        for (int i = 0; i < SAFETENSORS_ITERATIONS; i++) {
            byte[] mutated = m.random().nextBoolean() ? m.mutate(bytes) : jsonMutated(bytes, m);
            Files.write(file, mutated);
            try (Arena arena = Arena.ofConfined()) {
                SafetensorsFile.open(file, arena, false).values().forEach(t -> t.data().byteSize());
            } catch (CheckpointFormatException expected) {
                // the documented refusal
            } catch (Throwable t) {
                fail("seed " + m.seed() + " iteration " + i + " (" + mutated.length + " bytes): " + t, t);
            }
        }
    }

    /** The file with its JSON header mutated as text (the 8-byte length kept in step). */
    private static byte[] jsonMutated(byte[] file, Mutator m) {
        long n = 0;
        for (int k = 7; k >= 0; k--) {
            n = n << 8 | (file[k] & 0xff);
        }
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        byte[] h = m.mutate(header).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[8 + h.length + file.length - 8 - (int) n];
        for (int k = 0; k < 8; k++) {
            out[k] = (byte) ((long) h.length >>> (8 * k));
        }
        System.arraycopy(h, 0, out, 8, h.length);
        System.arraycopy(file, 8 + (int) n, out, 8 + h.length, file.length - 8 - (int) n);
        return out;
    }

    @Test
    void mutatedTokenizerJsonIsReadOrRefusedCleanly() throws IOException {
        String base = TinyCheckpoint.tokenizerJson(TinyCheckpoint.fixtureMetadata(), false, TOKENS);
        HfConfig config = new HfConfig("t", TOKENS, 64, 1, 1, 256, 2048, 0.25, 10000, 1e-5, true, false, 0, 0);
        Path dir = tmp.resolve("tok");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tokenizer.json"), base);
        Tokenizer.fromGguf(GgufMetadata.of("tokenizer.json", HfTokenizer.read(dir, TOKENS, config))); // valid
        Mutator m = new Mutator(SEED + 1);
        for (int i = 0; i < TOKENIZER_ITERATIONS; i++) {
            String mutated = m.mutate(base);
            Files.writeString(dir.resolve("tokenizer.json"), mutated);
            try {
                Tokenizer.fromGguf(GgufMetadata.of("tokenizer.json", HfTokenizer.read(dir, TOKENS, config)));
            } catch (CheckpointFormatException | GgufFormatException expected) {
                // the documented refusals
            } catch (Throwable t) {
                fail("seed " + m.seed() + " iteration " + i + " (" + mutated.length() + " chars): " + t, t);
            }
        }
    }
}
