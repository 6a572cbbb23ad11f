package dev.neox4j.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Known tokenizations of llama.cpp's test set (docs/tokenizer.md, "Encoding") and the public API around them. */
class TokenizerBehaviourTest {

    private final Tokenizer tok = TokenizerFixtures.full();

    private void ids(String text, int... expected) {
        assertArrayEquals(expected, tok.encode(text, false), () -> Vocabulary.printable(text) + " -> "
                + Arrays.toString(tok.encode(text, false)));
    }

    @Test
    void selectedCasesOfTheSpec() {
        ids("");
        ids(" ", 209);
        ids("  ", 50276);
        ids("\t", 186);
        ids("\n\n\n", 2756);
        ids("\t\n", 186, 187);
        ids("Hello world", 12092, 1533);
        ids(" Hello world", 24387, 1533);
        ids("Hello, world!", 12092, 13, 1533, 2);
        ids(" this is 🦙.cpp", 436, 310, 22692, 101, 236, 15, 14161);
        ids("ied 4 ½ months", 728, 577, 24142, 2607);
        ids("Führer", 39, 26288, 6554);
        ids("   Hello", 50275, 12092);
        ids(" (", 313);
        ids("\n =", 187, 426);
        ids("' era", 8, 8685);
        ids("3333", 26409);
        ids("333333333", 26409, 1610, 20084);
        ids("Cửa Việt", 36, 6829, 244, 66, 17721, 35177, 85);
        ids(" discards", 1262, 2196);
        ids("  Hello", 50276, 12092);
        ids("    Hello\n    Hello", 50274, 12092, 187, 50274, 12092);
        ids("  two leading spaces", 50276, 9389, 4283, 8470);
    }

    @Test
    void controlTokensNeedSpecialParsingButUserDefinedOnesDoNot() {
        assertArrayEquals(new int[] {0}, tok.encode("<|endoftext|>", true));
        assertArrayEquals(new int[] {1}, tok.encode("<|padding|>", true));
        assertFalse(Arrays.stream(tok.encode("<|endoftext|>", false)).anyMatch(id -> id < 2));
        // old vocabularies mark [PADn] entries USER_DEFINED, so they are matched even without parsing specials
        assertArrayEquals(new int[] {50300}, tok.encode("[PAD50300]", false));
        assertArrayEquals(new int[] {0, 0}, tok.encode("<|endoftext|><|endoftext|>", true));
        // the regex context does not cross a special token
        assertArrayEquals(new int[] {12092, 0, 12092}, tok.encode("Hello<|endoftext|>Hello", true));
    }

    @Test
    void pythiaAddsNoBosOrEos() {
        assertFalse(tok.addBos());
        assertFalse(tok.addEos());
        assertArrayEquals(tok.encode("Hello", false), tok.encode("Hello", true, false));
    }

    @Test
    void specialIdsAndEndOfGeneration() {
        assertEquals(50432, tok.vocabSize());
        assertEquals(50009, tok.mergeCount());
        assertEquals("olmo", tok.preTokenizer());
        assertEquals(0, tok.bosId());
        assertEquals(0, tok.eosId());
        assertEquals(0, tok.unkId());
        assertEquals(-1, tok.padId());
        assertTrue(tok.isEndOfGeneration(0));
        assertFalse(tok.isEndOfGeneration(1));
        assertFalse(tok.isEndOfGeneration(187));
        assertFalse(tok.isEndOfGeneration(-1));
        assertFalse(tok.isEndOfGeneration(50432));
        assertEquals(0, tok.tokenId("<|endoftext|>"));
        assertEquals(209, tok.tokenId("Ġ"));
        assertEquals(-1, tok.tokenId("no such token"));
    }

    @Test
    void piecesTextsAndTypes() {
        assertEquals(TokenType.CONTROL, tok.tokenType(0));
        assertEquals(TokenType.NORMAL, tok.tokenType(209));
        assertEquals(TokenType.USER_DEFINED, tok.tokenType(50276));
        assertEquals("<|endoftext|>", tok.tokenPiece(0));
        assertEquals(0, tok.tokenBytes(0).length);
        assertArrayEquals("<|endoftext|>".getBytes(StandardCharsets.UTF_8), tok.tokenBytes(0, true));
        assertEquals("ĠHello", tok.tokenText(24387));
        assertEquals(" Hello", tok.tokenPiece(24387));
        assertEquals("  ", tok.tokenPiece(50276));
        assertEquals(" ".repeat(512), tok.tokenPiece(19979));
        assertArrayEquals(new byte[] {(byte) 0xA6}, tok.tokenBytes(101));   // half of an emoji
        assertEquals("\uFFFD", tok.tokenPiece(101));
        assertEquals("[PAD50300]", tok.tokenPiece(50300));
    }

    @Test
    void decodeCleansUpSpacesButDecodeRawDoesNot() {
        int[] ids = tok.encode("Hello , world ! it 's a ' quote ' , isn't it ?", false);
        // pass 1 drops " ," " !" " ?"; pass 2 turns "a ' quote" into "a'quote" (the "' ," that follows is left)
        assertEquals("Hello, world! it's a'quote ', isn't it?", tok.decode(ids));
        assertEquals("Hello , world ! it 's a ' quote ' , isn't it ?", tok.decodeRaw(ids));
        int[] withEos = {12092, 0, 1533};
        assertEquals("Hello world", tok.decode(withEos));
        assertEquals("Hello<|endoftext|> world", tok.decode(withEos, true));
        assertEquals("", tok.decode(new int[0]));
    }

    @Test
    void outOfRangeIdsAreRefusedNamingTheId() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tok.decode(new int[] {12092, 50432}));
        assertTrue(e.getMessage().contains("50432") && e.getMessage().contains("index 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tok.decodeRaw(new int[] {-5}));
        assertTrue(e.getMessage().contains("-5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tok.tokenBytes(99999));
        assertThrows(IllegalArgumentException.class, () -> tok.tokenPiece(-1));
        assertThrows(IllegalArgumentException.class, () -> tok.tokenType(50432));
        assertThrows(NullPointerException.class, () -> tok.encode(null, false));
    }

    @Test
    void noNormalizationUnlikeHuggingFace() {
        // llama.cpp parity: decomposed é (e + U+0301) is not composed first, so it tokenizes differently
        int[] composed = tok.encode("caf\u00e9", false);
        int[] decomposed = tok.encode("cafe\u0301", false);
        assertFalse(Arrays.equals(composed, decomposed));
        assertEquals("cafe\u0301", tok.decodeRaw(decomposed));
    }

    @Test
    void tinyModelVocabularyTokenizesTheManifestSentence() throws IOException {
        Tokenizer tiny = TokenizerFixtures.tiny();
        assertEquals(512, tiny.vocabSize());
        assertEquals(267, tiny.mergeCount());
        JsonNode m = new ObjectMapper().readTree(Path.of("src/test/resources/fixtures/models/manifest.json").toFile());
        String text = m.get("seq64_text").asText();
        int[] seq64 = TokenizerFixtures.ints(m.get("sequences").get("seq64").get("tokens"));
        int[] ids = tiny.encode(text, false);
        // seq64 is that tokenization cut (or padded with random ids) to 64 tokens
        int common = Math.min(ids.length, seq64.length);
        assertTrue(common >= 60, "only " + common + " tokens");
        assertArrayEquals(Arrays.copyOf(seq64, common), Arrays.copyOf(ids, common));
        assertEquals(text, tiny.decodeRaw(ids));
        assertTrue(tiny.isEndOfGeneration(0));
    }
}
