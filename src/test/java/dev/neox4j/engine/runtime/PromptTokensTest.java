package dev.neox4j.engine.runtime;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one way every entry point tokenizes a prompt. */
class PromptTokensTest {

    static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        try (GgufFile f = GgufFile.open(Path.of("src/test/resources/fixtures/models/tiny-gptneox-d256-F32.gguf"))) {
            tokenizer = Tokenizer.fromGguf(f.metadata());
        }
    }

    @Test
    void specialTokenTextIsTheSpecialTokenByDefault() {
        String text = "Hello<|endoftext|>world";
        int eot = tokenizer.tokenId("<|endoftext|>");
        int[] ids = PromptTokens.encode(tokenizer, text);
        assertTrue(PromptTokens.PARSE_SPECIAL);
        assertArrayEquals(tokenizer.encode(text, true), ids);
        assertTrue(java.util.Arrays.stream(ids).anyMatch(id -> id == eot), "one <|endoftext|> token");
        int[] plain = PromptTokens.encode(tokenizer, text, false);
        assertArrayEquals(tokenizer.encode(text, false), plain);
        assertFalse(java.util.Arrays.stream(plain).anyMatch(id -> id == eot), "spelled out as text");
        assertTrue(plain.length > ids.length);
    }

    @Test
    void anEmptyPromptIsTheBosToken() {
        assertArrayEquals(new int[]{tokenizer.bosId()}, PromptTokens.encode(tokenizer, ""));
        assertArrayEquals(new int[]{tokenizer.bosId()}, PromptTokens.encode(tokenizer, "", false));
        assertEquals(tokenizer.encode("x", true).length, PromptTokens.encode(tokenizer, "x").length);
    }
}
