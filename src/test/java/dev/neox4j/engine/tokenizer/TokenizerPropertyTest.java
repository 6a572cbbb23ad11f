package dev.neox4j.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lossless round trips on thousands of random Unicode strings (seeded). */
class TokenizerPropertyTest {

    @Test
    void decodeRawOfEncodeIsTheIdentity() {
        Tokenizer tok = TokenizerFixtures.full();
        RandomText gen = new RandomText(42L);
        for (int i = 0; i < 5000; i++) {
            String s = gen.next(30);
            int[] ids = tok.encode(s, false);
            assertEquals(s, tok.decodeRaw(ids), () -> "decodeRaw(encode(s)) for " + Vocabulary.printable(s));
            int[] special = tok.encode(s, true);
            assertEquals(s, tok.decodeRaw(special, true), () -> "with special tokens: " + Vocabulary.printable(s));
        }
    }

    @Test
    void piecesConcatenateToTheUtf8BytesAndStreamToTheText() {
        Tokenizer tok = TokenizerFixtures.full();
        RandomText gen = new RandomText(4242L);
        for (int i = 0; i < 3000; i++) {
            String s = gen.next(30);
            int[] ids = tok.encode(s, false);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            StreamingDecoder stream = tok.newStreamingDecoder();
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                assertTrue(id >= 0 && id < tok.vocabSize());
                assertNotEquals(TokenType.UNUSED, tok.tokenType(id));
                bytes.writeBytes(tok.tokenBytes(id));
                String chunk = stream.push(id);
                assertTrue(chunk.isEmpty() || !Character.isHighSurrogate(chunk.charAt(chunk.length() - 1)),
                        "a chunk ends inside a surrogate pair");
                streamed.append(chunk);
            }
            streamed.append(stream.flush());
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), bytes.toByteArray(), Vocabulary.printable(s));
            assertEquals(s, streamed.toString(), Vocabulary.printable(s));
        }
    }

    @Test
    void tinyVocabularyRoundTripsToo() {
        Tokenizer tok = TokenizerFixtures.tiny();
        RandomText gen = new RandomText(99L);
        for (int i = 0; i < 2000; i++) {
            String s = gen.next(20);
            assertEquals(s, tok.decodeRaw(tok.encode(s, false)), Vocabulary.printable(s));
        }
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        Tokenizer tok = TokenizerFixtures.full();
        String[][] cases = {
                {"a\uD800b", "a\uFFFDb"}, {"\uDC00", "\uFFFD"}, {"x\uD83D", "x\uFFFD"},
                {"\uDE00\uD83D", "\uFFFD\uFFFD"}, {"ok \uD83E\uDD99 \uD83E", "ok \uD83E\uDD99 \uFFFD"},
        };
        for (String[] c : cases) {
            assertArrayEquals(tok.encode(c[1], false), tok.encode(c[0], false), Vocabulary.printable(c[0]));
            assertEquals(c[1], tok.decodeRaw(tok.encode(c[0], false)));
        }
    }
}
