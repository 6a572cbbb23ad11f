package dev.neox4j.langchain4j;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.ChatTurn;
import dev.neox4j.engine.runtime.PromptTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NeoxChatModel}: template rendering, per-request parameters, usage, listeners, AiServices. */
class NeoxChatModelTest {

    /** Records listener calls. */
    static final class Recording implements ChatModelListener {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile ChatModelRequestContext request;
        volatile ChatModelResponseContext response;
        volatile ChatModelErrorContext error;

        @Override
        public void onRequest(ChatModelRequestContext ctx) {
            calls.add("request");
            request = ctx;
            ctx.attributes().put("started", "yes");
        }

        @Override
        public void onResponse(ChatModelResponseContext ctx) {
            calls.add("response:" + ctx.attributes().get("started"));
            response = ctx;
        }

        @Override
        public void onError(ChatModelErrorContext ctx) {
            calls.add("error:" + ctx.attributes().get("started"));
            error = ctx;
        }
    }

    static final Recording LISTENER = new Recording();
    static NeoxChatModel chat;

    @BeforeAll
    static void open() {
        chat = NeoxChatModel.builder().modelPath(TinyModel.PATH).threads(1).contextLength(TinyModel.CONTEXT)
                .temperature(0).maxTokens(10).listeners(LISTENER).build();
    }

    @AfterAll
    static void close() {
        chat.close();
    }

    private static int tokens(String text) {
        return PromptTokens.encode(chat.engine().tokenizer(), text).length;
    }

    @Test
    void theReplyHasTextUsageFinishReasonAndModelName() {
        ChatResponse r = chat.chat(UserMessage.from("Hi there"));
        String prompt = ChatTemplate.DEFAULT.render(List.of(ChatTurn.user("Hi there")));
        assertEquals(tokens(prompt), r.tokenUsage().inputTokenCount());
        int out = r.tokenUsage().outputTokenCount();
        assertTrue(out >= 1 && out <= 10, "output tokens " + out);
        assertTrue(r.finishReason() == FinishReason.LENGTH ? out == 10 : r.finishReason() == FinishReason.STOP,
                r.finishReason() + " after " + out);
        assertEquals(r.aiMessage().text().strip(), r.aiMessage().text());
        assertEquals(chat.engine().modelInfo().id(), r.modelName());
        assertNotNull(r.id());
    }

    @Test
    void requestParametersOverrideTheBuilderDefaults() {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Hi there"))
                .parameters(DefaultChatRequestParameters.builder().maxOutputTokens(3).build()).build();
        ChatResponse r = chat.chat(request);
        assertTrue(r.tokenUsage().outputTokenCount() <= 3, r.tokenUsage().toString());
        // the same request with a larger budget starts with the same greedy text
        ChatResponse longer = chat.chat(UserMessage.from("Hi there"));
        assertTrue(longer.tokenUsage().outputTokenCount() >= r.tokenUsage().outputTokenCount());
        if (r.finishReason() == FinishReason.LENGTH) {
            assertEquals(3, r.tokenUsage().outputTokenCount());
        }
    }

    @Test
    void aRequestSeedMakesSamplingReproducible() {
        ChatRequestParameters seeded = NeoxChatRequestParameters.builder().seed(1234L).temperature(1.0).topK(0)
                .topP(1.0).minP(0.0).maxOutputTokens(10).build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Tell me")).parameters(seeded).build();
        assertEquals(chat.chat(request).aiMessage().text(), chat.chat(request).aiMessage().text());
    }

    @Test
    void theDefaultParametersAreTheBuilderSettings() {
        NeoxChatRequestParameters p = assertInstanceOf(NeoxChatRequestParameters.class,
                chat.defaultRequestParameters());
        assertEquals(0.0, p.temperature());
        assertEquals(10, p.maxOutputTokens());
        assertEquals(40, p.topK());
        assertEquals(0.95, p.topP());
        assertEquals(0.05, p.minP());
        assertEquals(null, p.seed());
    }

    @Test
    void listenersSeeRequestResponseAndError() {
        LISTENER.calls.clear();
        ChatResponse r = chat.chat(UserMessage.from("Hello"));
        assertEquals(List.of("request", "response:yes"), LISTENER.calls);
        assertSame(r, LISTENER.response.chatResponse());
        assertEquals(0.0, LISTENER.request.chatRequest().parameters().temperature(), "merged defaults");

        LISTENER.calls.clear();
        ChatRequest bad = ChatRequest.builder().messages(UserMessage.from("Hello"))
                .parameters(DefaultChatRequestParameters.builder().temperature(-1.0).build()).build();
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> chat.chat(bad));
        assertEquals(List.of("request", "error:yes"), LISTENER.calls);
        assertSame(e, LISTENER.error.error());
    }

    @Test
    void toolsAreRefused() {
        ChatRequest withTool = ChatRequest.builder().messages(UserMessage.from("Weather?"))
                .toolSpecifications(ToolSpecification.builder().name("weather").build()).build();
        assertThrows(UnsupportedFeatureException.class, () -> chat.chat(withTool));
    }

    interface Assistant {
        @SystemMessage("You answer briefly.")
        String answer(String question);
    }

    @Test
    void anAiServiceRunsOnTheModel() {
        Assistant assistant = AiServices.create(Assistant.class, chat);
        String answer = assistant.answer("What is two plus two?");
        ChatResponse direct = chat.chat(dev.langchain4j.data.message.SystemMessage.from("You answer briefly."),
                UserMessage.from("What is two plus two?"));
        assertEquals(direct.aiMessage().text(), answer, "greedy: the AI service sends the same conversation");
    }
}
