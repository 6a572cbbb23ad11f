package dev.neox4j.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.neox4j.engine.runtime.ContextOverflowException;
import dev.neox4j.engine.runtime.PromptTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NeoxLanguageModel} on the tiny fixture model: text, usage, finish reasons, parameters. */
class NeoxLanguageModelTest {

    static final String PROMPT = "The quick brown fox";
    static NeoxLanguageModel greedy;

    @BeforeAll
    static void open() {
        greedy = NeoxLanguageModel.builder().modelPath(TinyModel.PATH).threads(1).contextLength(TinyModel.CONTEXT)
                .temperature(0).maxTokens(12).build();
    }

    @AfterAll
    static void close() {
        greedy.close();
    }

    private static int promptTokens(String prompt) {
        return PromptTokens.encode(greedy.engine().tokenizer(), prompt).length;
    }

    @Test
    void specialTokenTextInThePromptIsTheSpecialTokenAsInTheRestApi() {
        String prompt = "The end.<|endoftext|>The start";
        Response<String> r = greedy.generate(prompt);
        assertEquals(greedy.engine().tokenizer().encode(prompt, true).length, r.tokenUsage().inputTokenCount());
        assertTrue(r.tokenUsage().inputTokenCount() < greedy.engine().tokenizer().encode(prompt, false).length,
                "<|endoftext|> is one token, not its spelling");
    }

    @Test
    void maxTokensEndsWithLengthAndUsageCountsBothSides() {
        Response<String> r = greedy.generate(PROMPT);
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(12, r.tokenUsage().outputTokenCount());
        assertEquals(promptTokens(PROMPT), r.tokenUsage().inputTokenCount());
        assertEquals(promptTokens(PROMPT) + 12, r.tokenUsage().totalTokenCount());
        assertFalse(r.content().isEmpty());
        assertEquals(r.content(), greedy.generate(PROMPT).content(), "greedy decoding is deterministic");
    }

    @Test
    void aStopStringEndsWithStopAndIsNotPartOfTheText() {
        String full = greedy.generate(PROMPT).content();
        assertTrue(full.length() >= 6, full);
        String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
        int at = full.indexOf(stop);
        try (NeoxLanguageModel stopping = NeoxLanguageModel.builder().modelPath(TinyModel.PATH).temperature(0)
                .maxTokens(12).stop(stop).build()) {
            Response<String> r = stopping.generate(PROMPT);
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals(full.substring(0, at), r.content());
            assertTrue(r.tokenUsage().outputTokenCount() < 12);
        }
    }

    @Test
    void seededSamplingIsReproducibleAndTheSeedMatters() {
        Set<String> texts = new HashSet<>();
        for (long seed = 1; seed <= 4; seed++) {
            try (NeoxLanguageModel a = NeoxLanguageModel.builder().modelPath(TinyModel.PATH).temperature(1.0)
                    .topK(0).topP(1.0).minP(0).maxTokens(16).seed(seed).build();
                 NeoxLanguageModel b = NeoxLanguageModel.builder().modelPath(TinyModel.PATH).temperature(1.0)
                         .topK(0).topP(1.0).minP(0).maxTokens(16).seed(seed).build()) {
                String ta = a.generate(PROMPT).content();
                assertEquals(ta, b.generate(PROMPT).content(), "seed " + seed);
                texts.add(ta);
            }
        }
        assertTrue(texts.size() >= 2, "four seeds gave one text: " + texts);
    }

    @Test
    void anEmptyPromptStartsFromEndOfText() {
        Response<String> r = greedy.generate("");
        assertEquals(1, r.tokenUsage().inputTokenCount());
        assertTrue(r.tokenUsage().outputTokenCount() > 0 || r.finishReason() == FinishReason.STOP);
    }

    @Test
    void aPromptLongerThanTheContextIsAnInvalidRequest() {
        String longPrompt = "hello world ".repeat(TinyModel.CONTEXT);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> greedy.generate(longPrompt));
        assertInstanceOf(ContextOverflowException.class, e.getCause());
    }

    @Test
    void aRequestOverItsTimeLimitFailsWithATimeout() {
        try (NeoxLanguageModel slow = NeoxLanguageModel.builder().modelPath(TinyModel.PATH).temperature(0)
                .maxTokens(TinyModel.CONTEXT / 2).timeout(java.time.Duration.ofMillis(1)).build()) {
            assertThrows(dev.langchain4j.exception.TimeoutException.class, () -> slow.generate(PROMPT));
        }
    }

    @Test
    void aClosedModelRefusesWork() {
        NeoxLanguageModel m = NeoxLanguageModel.builder().modelPath(TinyModel.PATH).maxTokens(2).build();
        m.close();
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.generate("x"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(1, greedy.generate("x").tokenUsage().inputTokenCount(), "the shared engine stays open");
    }
}
