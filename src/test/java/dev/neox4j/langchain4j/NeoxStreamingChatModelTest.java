package dev.neox4j.langchain4j;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NeoxStreamingChatModel}: partial responses, one completion, listeners, cancellation, failures. */
class NeoxStreamingChatModelTest {

    static final NeoxChatModelTest.Recording LISTENER = new NeoxChatModelTest.Recording();
    static NeoxStreamingChatModel streaming;
    static NeoxChatModel sync;

    @BeforeAll
    static void open() {
        streaming = NeoxStreamingChatModel.builder().modelPath(TinyModel.PATH).threads(1)
                .contextLength(TinyModel.CONTEXT).temperature(0).maxTokens(10).listeners(LISTENER).build();
        sync = NeoxChatModel.builder().modelPath(TinyModel.PATH).temperature(0).maxTokens(10).build();
    }

    @AfterAll
    static void close() {
        streaming.close();
        sync.close();
    }

    @Test
    void partialsAddUpToTheReplyWhichEqualsTheSyncReply() throws Exception {
        LISTENER.calls.clear();
        ChatStreamCollector c = new ChatStreamCollector();
        streaming.chat("Hi there", c);
        ChatResponse r = c.done.get(10, TimeUnit.SECONDS);
        ChatResponse expected = sync.chat(UserMessage.from("Hi there"));
        assertEquals(expected.aiMessage().text(), r.aiMessage().text());
        assertEquals(r.aiMessage().text(), String.join("", c.parts));
        TinyModel.assertSameCounts(expected.tokenUsage(), r.tokenUsage());
        assertEquals(expected.finishReason(), r.finishReason());
        for (Thread t : c.threads) {
            assertNotEquals(Thread.currentThread(), t);
        }
        TinyModel.await(() -> LISTENER.calls.size() == 2, "the listeners");
        assertEquals(List.of("request", "response:yes"), LISTENER.calls);
        assertSame(r, LISTENER.response.chatResponse());
        assertEquals(1, c.ends.get());
    }

    @Test
    void theStreamingHandleCancelsTheGeneration() throws Exception {
        try (TinyModel.Outcomes outcomes = new TinyModel.Outcomes(streaming.engine())) {
            CountDownLatch first = new CountDownLatch(1);
            AtomicReference<StreamingHandle> handle = new AtomicReference<>();
            ChatStreamCollector c = new ChatStreamCollector() {
                @Override
                public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                    super.onPartialResponse(partial, context);
                    handle.set(context.streamingHandle());
                    context.streamingHandle().cancel();
                    first.countDown();
                }
            };
            ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Tell me a long story"))
                    .parameters(DefaultChatRequestParameters.builder().maxOutputTokens(200).stopSequences("\u0000")
                            .build()).build();
            streaming.chat(request, c);
            assertTrue(first.await(10, TimeUnit.SECONDS));
            assertTrue(handle.get().isCancelled());
            TinyModel.Outcomes.Finished f = outcomes.awaitOne();
            assertEquals("cancelled", f.outcome());
            TinyModel.await(((StreamRelay) handle.get())::idle, "the stream to drain");
            assertEquals(1, c.parts.size());
            assertEquals(0, c.ends.get(), "no callback after a cancel");
        }
    }

    @Test
    void aThrowingHandlerStopsTheGenerationAndTheErrorReachesHandlerAndListeners() throws Exception {
        LISTENER.calls.clear();
        try (TinyModel.Outcomes outcomes = new TinyModel.Outcomes(streaming.engine())) {
            RuntimeException boom = new IllegalStateException("handler failed");
            ChatStreamCollector c = new ChatStreamCollector() {
                @Override
                public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                    super.onPartialResponse(partial, context);
                    throw boom;
                }
            };
            ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Tell me a long story"))
                    .parameters(DefaultChatRequestParameters.builder().maxOutputTokens(200).build()).build();
            streaming.chat(request, c);
            assertSame(boom, c.error());
            assertEquals("cancelled", outcomes.awaitOne().outcome());
            assertEquals(1, c.ends.get());
            TinyModel.await(() -> LISTENER.calls.size() == 2, "the listeners");
            assertEquals(List.of("request", "error:yes"), LISTENER.calls);
        }
    }

    @Test
    void anInvalidRequestIsReportedToOnErrorNotThrown() throws Exception {
        LISTENER.calls.clear();
        ChatStreamCollector c = new ChatStreamCollector();
        ChatRequest bad = ChatRequest.builder().messages(UserMessage.from("Hi"))
                .parameters(DefaultChatRequestParameters.builder().topP(2.0).build()).build();
        streaming.chat(bad, c);
        Throwable e = c.error();
        assertInstanceOf(InvalidRequestException.class, e);
        assertTrue(e.getMessage().contains("topP"), e.getMessage());
        TinyModel.await(() -> LISTENER.calls.size() == 2, "the listeners");
        assertEquals(List.of("request", "error:yes"), LISTENER.calls);
        assertFalse(c.done.isCompletedExceptionally() && c.ends.get() != 1);
    }

    interface StreamingAssistant {
        TokenStream chat(String message);
    }

    @Test
    void aStreamingAiServiceRunsOnTheModel() throws Exception {
        StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class).streamingChatModel(streaming)
                .build();
        List<String> parts = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        assistant.chat("Hi there").onPartialResponse(parts::add).onCompleteResponse(done::complete)
                .onError(done::completeExceptionally).start();
        ChatResponse r = done.get(10, TimeUnit.SECONDS);
        assertEquals(sync.chat(UserMessage.from("Hi there")).aiMessage().text(), r.aiMessage().text());
        assertEquals(r.aiMessage().text(), String.join("", parts));
    }
}
