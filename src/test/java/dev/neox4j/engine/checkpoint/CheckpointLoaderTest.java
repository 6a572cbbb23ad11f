package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.tokenizer.TokenType;
import dev.neox4j.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints of the tiny fixture model written in every format and dtype load into the engine and compute the
 * logits of the GGUF the converter makes of them, and (within the dtype's rounding) the float64 reference.
 */
class CheckpointLoaderTest {
    private static final String SEQ = "seq8";

    @TempDir
    Path tmp;

    static Stream<Arguments> formatsAndDtypes() {
        List<Arguments> out = new ArrayList<>();
        for (TinyCheckpoint.Format f : TinyCheckpoint.Format.values()) {
            for (String d : List.of("F32", "F16", "BF16")) {
                out.add(Arguments.of(f, d));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("formatsAndDtypes")
    void loadsEveryFormatAndDtypeLikeItsConvertedGguf(TinyCheckpoint.Format format, String dtype) throws IOException {
        Path dir = new TinyCheckpoint().format(format).dtype(dtype).write(tmp.resolve("ckpt"));
        int[] tokens = CheckpointFixtures.tokens(SEQ);
        float[] direct;
        try (GgufFile f = CheckpointLoader.load(dir, null, 1)) {
            // weights are served as stored: every matrix keeps the checkpoint's dtype
            for (GgufTensorInfo t : f.tensors()) {
                assertEquals(GgmlType.valueOf(dtype), t.type(), t.name());
            }
            direct = CheckpointFixtures.logits(f, tokens);
        }
        Path out = tmp.resolve("converted.gguf");
        GgufConverter.convert(dir, out, FileType.valueOf(dtype), 1);
        float[] converted;
        try (GgufFile f = GgufFile.open(out)) {
            converted = CheckpointFixtures.logits(f, tokens);
        }
        assertArrayEquals(converted, direct, 0f, "checkpoint vs its converted GGUF");

        // against the float64 reference of the fixture's weights: F32 exact up to summation order
        double bound = switch (dtype) {
            case "F32" -> 0.01;
            case "F16" -> 0.05;
            default -> 0.5;
        };
        double d = CheckpointFixtures.maxDiff(direct, 512, CheckpointFixtures.refLogits(SEQ), 512, tokens.length, 512);
        assertTrue(d <= bound, dtype + ": max |logit - reference| = " + d + " > " + bound);
    }

    @Test
    void f32CheckpointEqualsTheFixtureGgufBitForBit() throws IOException {
        Path dir = new TinyCheckpoint().format(TinyCheckpoint.Format.BIN).write(tmp.resolve("ckpt"));
        int[] tokens = CheckpointFixtures.tokens("seq64");
        float[] fromCheckpoint;
        try (GgufFile f = CheckpointLoader.load(dir, null, 2)) {
            fromCheckpoint = CheckpointFixtures.logits(f, tokens);
        }
        try (GgufFile f = GgufFile.open(TinyCheckpoint.FIXTURE)) {
            assertArrayEquals(CheckpointFixtures.logits(f, tokens), fromCheckpoint, 0f);
        }
    }

    @Test
    void paddedVocabularyGetsUnusedTokensAndKeepsTheRealLogits() throws IOException {
        Path dir = new TinyCheckpoint().rows(576).write(tmp.resolve("padded"));
        int[] tokens = CheckpointFixtures.tokens(SEQ);
        try (GgufFile f = CheckpointLoader.load(dir, null, 1)) {
            Tokenizer tok = Tokenizer.fromGguf(f.metadata());
            assertEquals(576, tok.vocabSize());
            assertEquals(TokenType.UNUSED, tok.tokenType(512));
            assertEquals("[PAD575]", tok.tokenText(575));
            assertEquals(TokenType.NORMAL, tok.tokenType(511));
            float[] padded = CheckpointFixtures.logits(f, tokens);
            assertEquals(tokens.length * 576, padded.length);
            try (GgufFile fx = GgufFile.open(TinyCheckpoint.FIXTURE)) {
                float[] plain = CheckpointFixtures.logits(fx, tokens);
                assertEquals(0.0, CheckpointFixtures.maxDiff(padded, 576, plain, 512, tokens.length, 512));
            }
        }
    }

    @Test
    void tiedEmbeddingsServeTheInputEmbeddingAsLmHead() throws IOException {
        Path dir = new TinyCheckpoint().tied(true).write(tmp.resolve("tied"));
        try (GgufFile f = CheckpointLoader.load(dir, null, 1)) {
            assertEquals(f.data(f.tensor("token_embd.weight")), f.data(f.tensor("output.weight")));
            float[] logits = CheckpointFixtures.logits(f, CheckpointFixtures.tokens(SEQ));
            Path out = tmp.resolve("tied.gguf");
            GgufConverter.convert(dir, out, FileType.F32, 1);
            try (GgufFile g = GgufFile.open(out)) {
                assertArrayEquals(CheckpointFixtures.logits(g, CheckpointFixtures.tokens(SEQ)), logits, 0f);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("quantTypes")
    void quantizedWhileLoadingEqualsTheConvertedFile(FileType type) throws IOException {
        Path dir = new TinyCheckpoint().format(TinyCheckpoint.Format.SAFETENSORS_SHARDED).dtype("F16")
                .write(tmp.resolve("ckpt"));
        int[] tokens = CheckpointFixtures.tokens(SEQ);
        float[] loaded;
        try (GgufFile f = CheckpointLoader.load(dir, type, 2)) {
            for (GgufTensorInfo t : f.tensors()) {
                assertEquals(type.tensorType(t.name(), t.nDims(), t.ne(0), 2), t.type(), t.name());
            }
            loaded = CheckpointFixtures.logits(f, tokens);
        }
        Path out = tmp.resolve("q.gguf");
        GgufConverter.convert(dir, out, type, 1);
        try (GgufFile f = GgufFile.open(out)) {
            assertArrayEquals(CheckpointFixtures.logits(f, tokens), loaded, 0f);
        }
    }

    static Stream<FileType> quantTypes() {
        return Stream.of(FileType.Q8_0, FileType.Q4_0, FileType.Q4_K_M);
    }

    @Test
    void requantizingAGgufFileInMemoryEqualsConvertingIt() throws IOException {
        int[] tokens = CheckpointFixtures.tokens(SEQ);
        float[] loaded;
        try (GgufFile f = CheckpointLoader.requantize(TinyCheckpoint.FIXTURE, FileType.Q5_K_M, 1)) {
            loaded = CheckpointFixtures.logits(f, tokens);
        }
        Path out = tmp.resolve("q5.gguf");
        GgufConverter.convert(TinyCheckpoint.FIXTURE, out, FileType.Q5_K_M, 1);
        try (GgufFile f = GgufFile.open(out)) {
            assertArrayEquals(CheckpointFixtures.logits(f, tokens), loaded, 0f);
        }
    }

    @Test
    void tokenizerJsonGivesTheFixtureTokenizerInBothMergeSpellings() throws IOException {
        Tokenizer fixture;
        try (GgufFile fx = GgufFile.open(TinyCheckpoint.FIXTURE)) {
            fixture = Tokenizer.fromGguf(fx.metadata());
        }
        for (boolean pairs : new boolean[] {false, true}) {
            Path dir = new TinyCheckpoint().mergesAsPairs(pairs).write(tmp.resolve("tok" + pairs));
            try (GgufFile f = CheckpointLoader.load(dir, null, 1)) {
                Tokenizer tok = Tokenizer.fromGguf(f.metadata());
                assertEquals(fixture.mergeCount(), tok.mergeCount());
                for (String text : List.of("Hello world", "the cat sat on the mat.", "<|endoftext|> x", "a  b")) {
                    assertArrayEquals(fixture.encode(text, false), tok.encode(text, false), text);
                    assertArrayEquals(fixture.encode(text, true), tok.encode(text, true), text);
                }
                assertEquals(0, tok.eosId());
                assertFalse(f.metadata().has("general.alignment"));
            }
        }
    }
}
