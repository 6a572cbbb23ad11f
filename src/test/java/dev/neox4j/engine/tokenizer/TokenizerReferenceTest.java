package dev.neox4j.engine.tokenizer;

import dev.neox4j.engine.gguf.GgufFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The production tokenizer (trie-filtered special-token partition, hand-written splitter, heap BPE over ids,
 * word cache) against {@link ReferenceTokenizer} (naive indexOf partition, java.util.regex, O(n²) string BPE) on
 * random text, for the full GPT-NeoX vocabulary and the 512-token vocabulary of the tiny fixture models.
 */
class TokenizerReferenceTest {

    private static void compare(Path gguf, long seed, int count) throws IOException {
        ReferenceTokenizer ref;
        try (GgufFile f = GgufFile.open(gguf)) {
            ref = new ReferenceTokenizer(f.metadata());
        }
        Tokenizer tok = TokenizerFixtures.load(gguf);
        RandomText gen = new RandomText(seed);
        for (int i = 0; i < count; i++) {
            String s = gen.next(20);
            for (boolean special : new boolean[] {false, true}) {
                assertArrayEquals(ref.encode(s, special), tok.encode(s, special),
                        "case " + i + " parseSpecial=" + special + ": " + Vocabulary.printable(s));
            }
        }
    }

    @Test
    void fullVocabularyMatchesTheNaiveReference() throws IOException {
        compare(TokenizerFixtures.FULL_GGUF, 7L, 1500);
    }

    @Test
    void tinyVocabularyMatchesTheNaiveReference() throws IOException {
        compare(TokenizerFixtures.TINY_GGUF, 11L, 1500);
    }

    @Test
    void longWordsAndLongSpaceRunsMatchTheReference() throws IOException {
        ReferenceTokenizer ref;
        try (GgufFile f = GgufFile.open(TokenizerFixtures.FULL_GGUF)) {
            ref = new ReferenceTokenizer(f.metadata());
        }
        Tokenizer tok = TokenizerFixtures.full();
        String[] texts = {
                "a".repeat(300), "ab".repeat(150) + " " + "xyz".repeat(90), " ".repeat(1000) + "x",
                " ".repeat(777), "\n".repeat(100) + " \t ".repeat(40), "1234567890".repeat(30),
                "supercalifragilisticexpialidocious".repeat(5), "ééééééééééééééééééééééééééééééé",
                "<|endoftext|>".repeat(5) + "  <|padding|>  ", "🦙".repeat(100),
        };
        for (String s : texts) {
            for (boolean special : new boolean[] {false, true}) {
                assertArrayEquals(ref.encode(s, special), tok.encode(s, special), Vocabulary.printable(s));
            }
        }
    }
}
