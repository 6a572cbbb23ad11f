package dev.neox4j.langchain4j;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.engine.runtime.PromptTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The four models report the prompt tokens the engine's prefix cache reused ({@link NeoxTokenUsage#cachedTokens()}),
 * and a reused prefix changes nothing in the answer: every second call that shares a long prefix with a first one
 * reports at least that prefix as cached and answers exactly as an engine without the cache.
 */
class CachedTokensTest {

    /** A system prompt long enough that its reuse is the bulk of the second prompt. */
    static final String SYSTEM = "You are a careful assistant for a small library. "
            + "Answer in one short sentence, name the shelf of every book, and never invent a title. ".repeat(2);

    static Engine cached;
    static Engine cold;

    @BeforeAll
    static void open() throws Exception {
        EngineOptions options = EngineOptions.builder(TinyModel.PATH).threads(1).contextLength(TinyModel.CONTEXT)
                .build();
        cached = Engine.open(options);
        cold = Engine.open(options.toBuilder().prefixCache(false, 0).build());
    }

    @AfterAll
    static void close() {
        cached.close();
        cold.close();
    }

    private static int[] tokens(String text) {
        return PromptTokens.encode(cached.tokenizer(), text);
    }

    /** Tokens two prompts share from the start. */
    private static int sharedPrefix(String a, String b) {
        int[] x = tokens(a);
        int[] y = tokens(b);
        int n = 0;
        while (n < x.length && n < y.length && x[n] == y[n]) {
            n++;
        }
        return n;
    }

    private static NeoxTokenUsage usage(TokenUsage u) {
        return assertInstanceOf(NeoxTokenUsage.class, u, "neox4j models report NeoxTokenUsage");
    }

    /**
     * The second prompt's usage: every token it shares with the first is cached (but the last prompt token, which
     * is always evaluated for its logits), and the rest is not.
     */
    private static void assertReused(String first, String second, NeoxTokenUsage u) {
        int promptTokens = tokens(second).length;
        assertEquals(promptTokens, u.inputTokenCount());
        int shared = Math.min(sharedPrefix(first, second), promptTokens - 1);
        assertTrue(shared > promptTokens / 2, "the test's prompts share most of their tokens: " + shared);
        assertTrue(u.cachedTokens() >= shared && u.cachedTokens() < promptTokens,
                "cached " + u.cachedTokens() + " of " + promptTokens + ", shared " + shared);
    }

    private static ChatRequest conversation(String question) {
        return ChatRequest.builder().messages(SystemMessage.from(SYSTEM), UserMessage.from(question)).build();
    }

    private static String rendered(ChatRequest request) {
        return ChatPrompts.render(ChatTemplate.DEFAULT, request).prompt();
    }

    @Test
    void chatReportsTheSharedConversationAsCachedAndAnswersAsACacheLessEngine() {
        try (NeoxChatModel warm = NeoxChatModel.builder().engine(cached).temperature(0).maxTokens(8).build();
                NeoxChatModel reference = NeoxChatModel.builder().engine(cold).temperature(0).maxTokens(8).build()) {
            ChatRequest first = conversation("Where is the chess book?");
            ChatRequest second = conversation("Where is the atlas?");
            warm.chat(first);
            ChatResponse hit = warm.chat(second);
            assertReused(rendered(first), rendered(second), usage(hit.tokenUsage()));
            ChatResponse miss = reference.chat(second);
            assertEquals(0, usage(miss.tokenUsage()).cachedTokens(), "no cache, nothing cached");
            assertEquals(miss.aiMessage().text(), hit.aiMessage().text());
            TinyModel.assertSameCounts(miss.tokenUsage(), hit.tokenUsage());

            ChatResponse again = warm.chat(second);
            assertEquals(hit.aiMessage().text(), again.aiMessage().text(), "a repeat answers the same");
            assertEquals(again.tokenUsage().inputTokenCount() - 1, usage(again.tokenUsage()).cachedTokens(),
                    "a repeat reuses all but the last prompt token");
        }
    }

    @Test
    void streamingChatReportsCachedTokensAndStreamsTheColdAnswer() throws Exception {
        try (NeoxStreamingChatModel warm = NeoxStreamingChatModel.builder().engine(cached).temperature(0)
                .maxTokens(8).build();
                NeoxChatModel reference = NeoxChatModel.builder().engine(cold).temperature(0).maxTokens(8).build()) {
            ChatRequest first = conversation("Which shelf has poems?");
            ChatRequest second = conversation("Which shelf has maps?");
            streamed(warm, first);
            ChatStreamCollector c = new ChatStreamCollector();
            warm.chat(second, c);
            ChatResponse hit = c.done.get(10, TimeUnit.SECONDS);
            assertReused(rendered(first), rendered(second), usage(hit.tokenUsage()));
            ChatResponse miss = reference.chat(second);
            assertEquals(miss.aiMessage().text(), hit.aiMessage().text());
            assertEquals(hit.aiMessage().text(), c.text());
        }
    }

    private static ChatResponse streamed(NeoxStreamingChatModel model, ChatRequest request) throws Exception {
        ChatStreamCollector c = new ChatStreamCollector();
        model.chat(request, c);
        return c.done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void languageModelsReportCachedTokensAndGiveTheColdText() throws Exception {
        String first = SYSTEM + "Question: where is the chess book?";
        String second = SYSTEM + "Question: where is the atlas?";
        try (NeoxLanguageModel warm = NeoxLanguageModel.builder().engine(cached).temperature(0).maxTokens(8).build();
                NeoxStreamingLanguageModel warmStream = NeoxStreamingLanguageModel.builder().engine(cached)
                        .temperature(0).maxTokens(8).build();
                NeoxLanguageModel reference = NeoxLanguageModel.builder().engine(cold).temperature(0).maxTokens(8)
                        .build()) {
            Response<String> expected = reference.generate(second);
            warm.generate(first);
            Response<String> hit = warm.generate(second);
            assertReused(first, second, usage(hit.tokenUsage()));
            assertEquals(expected.content(), hit.content());

            String third = SYSTEM + "Question: where are the poems?";
            Response<String> coldThird = reference.generate(third);
            TextStreamCollector c = new TextStreamCollector();
            warmStream.generate(third, c);
            Response<String> streamedHit = c.done.get(10, TimeUnit.SECONDS);
            assertReused(second, third, usage(streamedHit.tokenUsage()));
            assertEquals(coldThird.content(), streamedHit.content());
            assertEquals(coldThird.content(), c.text());
        }
    }

    /** An AI service with a chat memory: each turn resends the conversation, so each turn reuses the last. */
    interface Librarian {
        Result<String> chat(String message);
    }

    @Test
    void aiServiceTurnsReportTheConversationSoFarAsCached() {
        try (NeoxChatModel warm = NeoxChatModel.builder().engine(cached).temperature(0).maxTokens(6).build()) {
            Librarian librarian = AiServices.builder(Librarian.class).chatModel(warm)
                    .chatMemory(MessageWindowChatMemory.withMaxMessages(10))
                    .systemMessageProvider(id -> SYSTEM).build();
            NeoxTokenUsage turn1 = usage(librarian.chat("Where is the chess book?").tokenUsage());
            NeoxTokenUsage turn2 = usage(librarian.chat("And the atlas?").tokenUsage());
            assertTrue(turn2.inputTokenCount() > turn1.inputTokenCount(), "the second turn resends the first");
            assertTrue(turn2.cachedTokens() >= tokens(SYSTEM).length - 1,
                    "at least the system prompt is reused: " + turn2);
        }
    }

    @Test
    void sumsKeepTheCachedCount() {
        NeoxTokenUsage a = new NeoxTokenUsage(10, 2, 12, 7);
        NeoxTokenUsage b = new NeoxTokenUsage(20, 3, 23, 15);
        assertEquals(new NeoxTokenUsage(30, 5, 35, 22), a.add(b));
        assertEquals(new NeoxTokenUsage(30, 5, 35, 22), TokenUsage.sum(a, b));
        assertEquals(new NeoxTokenUsage(13, 3, 16, 7), a.add(new TokenUsage(3, 1, 4)), "a plain usage adds none");
        assertSame(a, a.add(null));
        assertNotEquals(new NeoxTokenUsage(10, 2, 12, 0), a, "the cached count is part of equality");
        assertNotEquals(new TokenUsage(10, 2, 12), a);
        assertEquals(new NeoxTokenUsage(10, 2, 12, 7).hashCode(), a.hashCode());
        assertTrue(a.toString().contains("cachedTokens = 7"), a.toString());
    }
}
