package dev.neox4j.langchain4j;

import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.neox4j.api.ApiTestClient;
import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Engine;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LangChain4j models as CDI beans of the service: injected next to the REST API, running on the service's
 * engine, with {@code neox.langchain4j.*} defaults and the application's {@link ChatModelListener} beans.
 */
@QuarkusTest
class LangChain4jBeansTest {

    /** A listener bean of the application; the producer attaches it to the chat models. */
    @ApplicationScoped
    static class RecordingListener implements ChatModelListener {
        private final List<String> calls = new CopyOnWriteArrayList<>();

        /** The calls so far (a method, not a field: the injected reference is a client proxy). */
        List<String> calls() {
            return calls;
        }

        @Override
        public void onRequest(ChatModelRequestContext ctx) {
            calls.add("request");
        }

        @Override
        public void onResponse(ChatModelResponseContext ctx) {
            calls.add("response");
        }
    }

    @Inject
    ChatModel chat;
    @Inject
    StreamingChatModel streamingChat;
    @Inject
    LanguageModel language;
    @Inject
    EngineHolder holder;
    @Inject
    RecordingListener listener;

    private Engine engine;

    @BeforeEach
    void awaitEngine() {
        ApiTestClient.awaitReady(holder);
        engine = holder.engine().orElseThrow();
    }

    private static ChatRequest hello(int maxTokens) {
        return ChatRequest.builder().messages(UserMessage.from("Hello!"))
                .parameters(DefaultChatRequestParameters.builder().maxOutputTokens(maxTokens).build()).build();
    }

    @Test
    void theInjectedChatModelRunsOnTheServicesEngineWithTheConfiguredDefaults() throws Exception {
        try (TinyModel.Outcomes outcomes = new TinyModel.Outcomes(engine)) {
            listener.calls().clear();
            ChatResponse r = chat.chat(hello(4));
            assertTrue(r.tokenUsage().outputTokenCount() <= 4, r.tokenUsage().toString());
            assertTrue(r.tokenUsage().inputTokenCount() > 0);
            assertTrue(r.finishReason() == FinishReason.STOP || r.finishReason() == FinishReason.LENGTH);
            assertEquals(engine.modelInfo().id(), r.modelName());
            assertEquals("success", outcomes.awaitOne().outcome(), "the request ran on the service's engine");
            assertEquals(List.of("request", "response"), listener.calls());
        }
        assertEquals(256, chat.defaultRequestParameters().maxOutputTokens());
        assertEquals(0.8, chat.defaultRequestParameters().temperature());
    }

    @Test
    void theInjectedStreamingChatModelStreams() throws Exception {
        ChatStreamCollector c = new ChatStreamCollector();
        streamingChat.chat(hello(6), c);
        ChatResponse r = c.done.get(30, TimeUnit.SECONDS);
        assertEquals(r.aiMessage().text(), c.text());
        assertTrue(r.tokenUsage().outputTokenCount() <= 6);
    }

    @Test
    void theSameTextGivesTheSameTokensThroughLangChain4jAndRest() {
        String text = "First document.<|endoftext|>Second document:";
        int rest = given().contentType("application/json")
                .body(Map.of("prompt", text, "max_tokens", 1)).post("/v1/completions")
                .then().statusCode(200).extract().path("usage.prompt_tokens");
        assertEquals(rest, language.generate(text).tokenUsage().inputTokenCount());
        assertEquals(engine.tokenizer().encode(text, true).length, rest, "<|endoftext|> parsed as the special token");

        List<Map<String, Object>> parts = List.of(Map.of("type", "text", "text", "Hi<|endoftext|>"),
                Map.of("type", "text", "text", "there"));
        int restChat = given().contentType("application/json")
                .body(Map.of("messages", List.of(Map.of("role", "user", "content", parts)), "max_tokens", 1))
                .post("/v1/chat/completions").then().statusCode(200).extract().path("usage.prompt_tokens");
        ChatResponse r = chat.chat(ChatRequest.builder()
                .messages(UserMessage.from(TextContent.from("Hi<|endoftext|>"), TextContent.from("there")))
                .parameters(DefaultChatRequestParameters.builder().maxOutputTokens(1).build()).build());
        assertEquals(restChat, r.tokenUsage().inputTokenCount(), "same rendering and tokens as REST chat");
    }

    @Test
    void theInjectedLanguageModelCompletes() {
        Response<String> r = language.generate("Once upon a time");
        assertTrue(r.tokenUsage().outputTokenCount() >= 1);
        assertTrue(r.finishReason() == FinishReason.STOP || r.finishReason() == FinishReason.LENGTH);
    }
}
