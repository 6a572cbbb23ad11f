package dev.neox4j.engine.gguf;

import dev.neox4j.engine.tokenizer.Tokenizer;
import dev.neox4j.fuzz.Mutator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz test (issue 18, bounded for CI by iterations, seeded): mutated GGUF bytes (bit flips, counts and lengths set
 * to boundary values, cuts, insertions) are either read or refused with a {@link GgufFormatException}; never another
 * exception, an out-of-memory or a hang. The tokenizer built from the metadata of a mutated tokenizer file likewise.
 */
class GgufFuzzTest {

    static final long SEED = 0x6775_6666L;
    static final int ITERATIONS = 1500;
    static final int TOKENIZER_ITERATIONS = 40;

    /** A small valid file: scalars, a string, arrays of strings and numbers, two aligned F32 tensors. */
    static byte[] smallFile() {
        RawGguf g = RawGguf.header(3, 2, 6)
                .kvString("general.architecture", "gptneox")
                .kvU32("gptneox.context_length", 64)
                .str("general.alignment").u32(GgufValueType.UINT32.id).u32(32)
                .str("gptneox.rope.freq_base").u32(GgufValueType.FLOAT32.id).u32(Float.floatToIntBits(10000f))
                .str("tokenizer.ggml.tokens").u32(GgufValueType.ARRAY.id).u32(GgufValueType.STRING.id).u64(3)
                .str("a").str("b").str("ab")
                .str("tokenizer.ggml.token_type").u32(GgufValueType.ARRAY.id).u32(GgufValueType.INT32.id).u64(3)
                .u32(1).u32(1).u32(1)
                .tensor("w1", GgmlType.F32.id, 0, 4, 2)
                .tensor("w2", GgmlType.F32.id, 32, 8);
        return g.padTo(32).zeros(64).toBytes();
    }

    /** Reads {@code bytes}; anything but a refusal with a {@link GgufFormatException} fails the test. */
    static void readOrRefuse(byte[] bytes, Mutator m, int i, boolean tokenizer) {
        try (GgufFile f = GgufFile.read(bytes, "fuzz.gguf")) {
            f.metadata().keys(); // a file that was read is usable
            f.tensors().forEach(t -> t.byteSize());
            if (tokenizer) {
                Tokenizer.fromGguf(f.metadata());
            }
        } catch (GgufFormatException expected) {
            // the documented refusal
        } catch (Throwable t) {
            fail("seed " + m.seed() + " iteration " + i + " (" + bytes.length + " bytes): " + t, t);
        }
    }

    @Test
    void mutatedSmallFilesAreReadOrRefusedCleanly() {
        byte[] base = smallFile();
        try (GgufFile f = GgufFile.read(base, "base.gguf")) {
            assertEquals(2, f.tensors().size(), "the unmutated file is valid");
        }
        Mutator m = new Mutator(SEED);
        for (int i = 0; i < ITERATIONS; i++) {
            readOrRefuse(m.mutate(base), m, i, false);
        }
    }

    @Test
    void mutatedTokenizerFilesAreReadOrRefusedCleanly() throws IOException {
        byte[] base = Files.readAllBytes(Path.of("src/test/resources/fixtures/tokenizer/gpt-neox-tokenizer.gguf"));
        Mutator m = new Mutator(SEED + 1);
        for (int i = 0; i < TOKENIZER_ITERATIONS; i++) {
            byte[] b = base.clone();
            // mutate inside the metadata: the first 64 KiB hold the header, the token strings and their lengths
            byte[] head = m.mutate(java.util.Arrays.copyOf(b, 65536));
            byte[] mutated = new byte[head.length + b.length - 65536];
            System.arraycopy(head, 0, mutated, 0, head.length);
            System.arraycopy(b, 65536, mutated, head.length, b.length - 65536);
            readOrRefuse(mutated, m, i, true);
        }
    }
}
