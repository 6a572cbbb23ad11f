package dev.neox4j.engine.tokenizer;

import dev.neox4j.engine.gguf.GgufFormatException;
import dev.neox4j.engine.gguf.GgufWriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading from GGUF metadata built with {@link GgufWriter}: defaults, warnings and clear refusals. */
class TokenizerLoadTest {

    private static final List<String> TOKENS = new ArrayList<>();
    private static final List<Integer> TYPES = new ArrayList<>();

    static {
        TOKENS.add("<|endoftext|>");
        TYPES.add(3);
        TOKENS.add("<|padding|>");
        TYPES.add(3);
        for (int b = 0; b < 256; b++) {
            TOKENS.add(String.valueOf(ByteLevel.charOf(b)));
            TYPES.add(1);
        }
        for (String t : new String[] {"Ġt", "he", "Ġthe"}) {
            TOKENS.add(t);
            TYPES.add(1);
        }
        TOKENS.add("  ");
        TYPES.add(4);
    }

    private static final String[] MERGES = {"Ġ t", "h e", "Ġt he"};

    /** A small but complete byte-level vocabulary: 2 controls, 256 bytes, 3 merges, one added token. */
    private static GgufWriter valid() {
        return new GgufWriter()
                .putString("general.architecture", "gptneox")
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", "mpt")
                .putStringArray("tokenizer.ggml.tokens", TOKENS)
                .putInt32Array("tokenizer.ggml.token_type", TYPES.stream().mapToInt(Integer::intValue).toArray())
                .putStringArray("tokenizer.ggml.merges", MERGES)
                .putUInt32("tokenizer.ggml.bos_token_id", 0)
                .putUInt32("tokenizer.ggml.eos_token_id", 0);
    }

    private static String refusal(GgufWriter w) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> Tokenizer.fromGguf(w.metadata()));
        return e.getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
        }
    }

    @Test
    void aSmallValidVocabularyWorks() {
        Tokenizer tok = Tokenizer.fromGguf(valid().metadata());
        int the = tok.tokenId("Ġthe");
        int two = tok.tokenId("  ");
        assertArrayEquals(new int[] {the}, tok.encode(" the", false));
        assertArrayEquals(new int[] {two, tok.tokenId("t"), tok.tokenId("he")}, tok.encode("  the", false));
        assertArrayEquals(new int[] {0, the}, tok.encode("<|endoftext|> the", true));
        assertEquals(3, tok.mergeCount());
        assertEquals("mpt", tok.preTokenizer());
        assertEquals(" the", tok.decode(tok.encode(" the", false)));
    }

    @Test
    void unknownOrMissingModelIsRefused() {
        assertMentions(refusal(valid().putString("tokenizer.ggml.model", "llama")), "GgufWriter", "'llama'", "gpt2");
        assertMentions(refusal(valid().remove("tokenizer.ggml.model")), "missing", "tokenizer.ggml.model");
    }

    @Test
    void unknownPreTokenizerIsRefused() {
        assertMentions(refusal(valid().putString("tokenizer.ggml.pre", "qwen2")), "tokenizer.ggml.pre", "'qwen2'",
                "olmo");
        assertMentions(refusal(valid().putString("tokenizer.ggml.pre", "llama3")), "'llama3'");
    }

    @Test
    void gpt2FamilyAndMissingOrDefaultPreSelectTheGpt2Splitter() {
        int[] expected = Tokenizer.fromGguf(valid().metadata()).encode("the 3333, x", false);
        for (String pre : new String[] {"gpt-2", "olmo", "mpt", "phi-2", "jais"}) {
            Tokenizer tok = Tokenizer.fromGguf(valid().putString("tokenizer.ggml.pre", pre).metadata());
            assertEquals(pre, tok.preTokenizer());
            assertArrayEquals(expected, tok.encode("the 3333, x", false));
        }
        Tokenizer missing = Tokenizer.fromGguf(valid().remove("tokenizer.ggml.pre").metadata());
        assertEquals("gpt-2", missing.preTokenizer());
        assertArrayEquals(expected, missing.encode("the 3333, x", false));
        Tokenizer def = Tokenizer.fromGguf(valid().putString("tokenizer.ggml.pre", "default").metadata());
        assertEquals("gpt-2", def.preTokenizer());
    }

    @Test
    void duplicateTokensAreRefusedNamingBothIds() {
        List<String> dup = new ArrayList<>(TOKENS);
        dup.set(5, dup.get(200));
        assertMentions(refusal(valid().putStringArray("tokenizer.ggml.tokens", dup)), "duplicate", "5", "200");
    }

    @Test
    void tokenTypeLengthMustMatch() {
        assertMentions(refusal(valid().putInt32Array("tokenizer.ggml.token_type", 1, 1, 1)),
                "tokenizer.ggml.token_type", "3 entries", String.valueOf(TOKENS.size()));
    }

    @Test
    void missingTokensOrMergesAreRefused() {
        assertMentions(refusal(valid().remove("tokenizer.ggml.tokens").remove("tokenizer.ggml.token_type")),
                "tokenizer.ggml.tokens");
        assertMentions(refusal(valid().remove("tokenizer.ggml.merges")), "tokenizer.ggml.merges");
        assertMentions(refusal(valid().putString("tokenizer.ggml.tokens", "x")), "tokenizer.ggml.tokens", "STRING");
    }

    @Test
    void mergesWithUnknownTokensAreSkipped() {
        Tokenizer tok = Tokenizer.fromGguf(valid()
                .putStringArray("tokenizer.ggml.merges", "Ġ t", "q q", "nospace", "h e", "Ġt he").metadata());
        assertEquals(3, tok.mergeCount());
        assertArrayEquals(new int[] {tok.tokenId("Ġthe")}, tok.encode(" the", false));
    }

    @Test
    void specialIdsOutOfRangeKeepTheDefaultAndWrongTypesAreRefused() {
        Tokenizer tok = Tokenizer.fromGguf(valid().putUInt32("tokenizer.ggml.eos_token_id", 999999)
                .putUInt32("tokenizer.ggml.padding_token_id", 0xFFFFFFFFL).metadata());
        assertEquals(0, tok.eosId());       // default: the id of <|endoftext|>
        assertEquals(-1, tok.padId());
        Tokenizer none = Tokenizer.fromGguf(valid().remove("tokenizer.ggml.bos_token_id")
                .remove("tokenizer.ggml.eos_token_id").metadata());
        assertEquals(0, none.bosId());
        assertEquals(0, none.eosId());
        assertEquals(-1, none.unkId());
        assertMentions(refusal(valid().putInt32("tokenizer.ggml.eos_token_id", 0)), "tokenizer.ggml.eos_token_id",
                "INT32", "UINT32");
    }

    @Test
    void addBosAndAddEosAreHonouredWithAddSpecial() {
        Tokenizer tok = Tokenizer.fromGguf(valid().putUInt32("tokenizer.ggml.bos_token_id", 1)
                .putBool("tokenizer.ggml.add_bos_token", true).putBool("tokenizer.ggml.add_eos_token", true)
                .metadata());
        int the = tok.tokenId("Ġthe");
        assertArrayEquals(new int[] {1, the, 0}, tok.encode(" the", true, false));
        assertArrayEquals(new int[] {the}, tok.encode(" the", false));
        List<String> noEot = new ArrayList<>(TOKENS);
        noEot.set(0, "<|eos|>");
        assertMentions(refusal(valid().putStringArray("tokenizer.ggml.tokens", noEot)
                .remove("tokenizer.ggml.bos_token_id").putBool("tokenizer.ggml.add_bos_token", true)),
                "tokenizer.ggml.add_bos_token", "tokenizer.ggml.bos_token_id");
    }

    @Test
    void emptyTokensAndUnknownTypesAreTolerated() {
        List<String> toks = new ArrayList<>(TOKENS);
        toks.set(1, "");
        int[] types = TYPES.stream().mapToInt(Integer::intValue).toArray();
        types[1] = 9;
        Tokenizer tok = Tokenizer.fromGguf(valid().putStringArray("tokenizer.ggml.tokens", toks)
                .putInt32Array("tokenizer.ggml.token_type", types).metadata());
        assertEquals("[EMPTY_1]", tok.tokenText(1));
        assertEquals(TokenType.UNDEFINED, tok.tokenType(1));
        assertEquals("", tok.tokenPiece(1));
    }

    @Test
    void endOfTextIsControlAndEndOfGenerationWhateverItsType() {
        int[] types = TYPES.stream().mapToInt(Integer::intValue).toArray();
        types[0] = 1;   // NORMAL in the file
        Tokenizer tok = Tokenizer.fromGguf(valid().putInt32Array("tokenizer.ggml.token_type", types)
                .remove("tokenizer.ggml.eos_token_id").metadata());
        assertTrue(tok.isEndOfGeneration(0));
        assertFalse(Arrays.stream(tok.encode("<|endoftext|>", false)).anyMatch(id -> id == 0));
        assertArrayEquals(new int[] {0}, tok.encode("<|endoftext|>", true));
        assertEquals("", tok.decode(new int[] {0}));
    }

    @Test
    void missingTokenTypesMeanAllNormal() {
        Tokenizer tok = Tokenizer.fromGguf(valid().remove("tokenizer.ggml.token_type").metadata());
        assertEquals(TokenType.NORMAL, tok.tokenType(1));
        assertThrows(NullPointerException.class, () -> Tokenizer.fromGguf(null));
    }
}
