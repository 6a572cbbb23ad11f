package dev.neox4j.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 159 tokenization cases of {@code fixtures/tokenizer/cases.json} (llama.cpp / Hugging Face output for the
 * GPT-NeoX-20B vocabulary): ids with and without special-token parsing, detokenized text, lossless raw decoding
 * and concatenated pieces.
 */
class TokenizerCasesTest {

    private static String label(int index, JsonNode c) {
        String text = c.get("text").asText();
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        return "#" + index + " " + Vocabulary.printable(shown);
    }

    @Test
    void allCasesArePresent() {
        assertEquals(159, TokenizerFixtures.cases().size());
    }

    @TestFactory
    List<DynamicTest> encodeWithoutSpecialParsing() {
        Tokenizer tok = TokenizerFixtures.full();
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode cases = TokenizerFixtures.cases();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            tests.add(DynamicTest.dynamicTest(label(i, c), () -> assertArrayEquals(
                    TokenizerFixtures.ints(c.get("ids")), tok.encode(c.get("text").asText(), false))));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> encodeWithSpecialParsing() {
        Tokenizer tok = TokenizerFixtures.full();
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode cases = TokenizerFixtures.cases();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            JsonNode expected = c.has("ids_parse_special") ? c.get("ids_parse_special") : c.get("ids");
            tests.add(DynamicTest.dynamicTest(label(i, c), () -> assertArrayEquals(
                    TokenizerFixtures.ints(expected), tok.encode(c.get("text").asText(), true))));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> decodeMatchesLlamaCppDetokenize() {
        Tokenizer tok = TokenizerFixtures.full();
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode cases = TokenizerFixtures.cases();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            String expected = c.get("detokenize_equals_text").asBoolean()
                    ? c.get("text").asText() : c.get("detokenized").asText();
            tests.add(DynamicTest.dynamicTest(label(i, c), () -> {
                int[] ids = TokenizerFixtures.ints(c.get("ids"));
                assertEquals(expected, tok.decode(ids));
                assertEquals(c.get("text").asText(), tok.decodeRaw(ids));
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> concatenatedPiecesGiveTheText() {
        Tokenizer tok = TokenizerFixtures.full();
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode cases = TokenizerFixtures.cases();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            tests.add(DynamicTest.dynamicTest(label(i, c), () -> {
                assertTrue(c.get("concat_pieces_equals_text").asBoolean());
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (int id : TokenizerFixtures.ints(c.get("ids"))) {
                    bytes.writeBytes(tok.tokenBytes(id));
                }
                assertArrayEquals(c.get("text").asText().getBytes(StandardCharsets.UTF_8), bytes.toByteArray());
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> specialIdsRenderWhenAsked() {
        Tokenizer tok = TokenizerFixtures.full();
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode cases = TokenizerFixtures.cases();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            if (!c.has("ids_parse_special")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(label(i, c), () -> {
                int[] ids = TokenizerFixtures.ints(c.get("ids_parse_special"));
                assertEquals(c.get("text").asText(), tok.decodeRaw(ids, true));
                String hidden = tok.decodeRaw(ids, false);
                assertEquals(c.get("text").asText().replace("<|endoftext|>", "").replace("<|padding|>", ""), hidden,
                        () -> Arrays.toString(ids));
            }));
        }
        assertTrue(!tests.isEmpty());
        return tests;
    }
}
