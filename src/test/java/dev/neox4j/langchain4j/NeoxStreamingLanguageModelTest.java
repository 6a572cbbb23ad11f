package dev.neox4j.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NeoxStreamingLanguageModel}: token stream, one completion, errors, cancellation, handler failures. */
class NeoxStreamingLanguageModelTest {

    static NeoxStreamingLanguageModel streaming;
    static NeoxLanguageModel sync;

    @BeforeAll
    static void open() {
        streaming = NeoxStreamingLanguageModel.builder().modelPath(TinyModel.PATH).threads(1)
                .contextLength(TinyModel.CONTEXT).temperature(0).maxTokens(12).build();
        sync = NeoxLanguageModel.builder().modelPath(TinyModel.PATH).temperature(0).maxTokens(12).build();
    }

    @AfterAll
    static void close() {
        streaming.close();
        sync.close();
    }

    @Test
    void tokensAddUpToTheSyncTextAndCompleteOnceOffTheCallersThread() throws Exception {
        TextStreamCollector c = new TextStreamCollector();
        streaming.generate(NeoxLanguageModelTest.PROMPT, c);
        Response<String> r = c.done.get(10, TimeUnit.SECONDS);
        Response<String> expected = sync.generate(NeoxLanguageModelTest.PROMPT);
        assertEquals(expected.content(), String.join("", c.parts));
        assertEquals(expected.content(), r.content());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        TinyModel.assertSameCounts(expected.tokenUsage(), r.tokenUsage());
        assertFalse(c.parts.isEmpty());
        for (Thread t : c.threads) {
            assertNotEquals(Thread.currentThread(), t);
        }
        TinyModel.await(() -> c.ends.get() == 1, "the end");
        assertEquals(1, c.ends.get());
    }

    @Test
    void generateReturnsBeforeTheHandlerRuns() throws Exception {
        CountDownLatch returned = new CountDownLatch(1);
        CompletableFuture<Boolean> firstTokenSawReturn = new CompletableFuture<>();
        TextStreamCollector c = new TextStreamCollector() {
            @Override
            public void onNext(String token) {
                if (!firstTokenSawReturn.isDone()) {
                    try {
                        firstTokenSawReturn.complete(returned.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        firstTokenSawReturn.complete(false);
                    }
                }
                super.onNext(token);
            }
        };
        streaming.generate(NeoxLanguageModelTest.PROMPT, c);
        returned.countDown();
        assertTrue(firstTokenSawReturn.get(10, TimeUnit.SECONDS), "the handler ran before generate returned");
        c.done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aThrowingHandlerStopsTheGenerationAndGetsTheError() throws Exception {
        try (TinyModel.Outcomes outcomes = new TinyModel.Outcomes(streaming.engine());
             NeoxStreamingLanguageModel longer = NeoxStreamingLanguageModel.builder().modelPath(TinyModel.PATH)
                     .temperature(0).maxTokens(200).build()) {
            RuntimeException boom = new IllegalStateException("handler failed");
            TextStreamCollector c = new TextStreamCollector() {
                @Override
                public void onNext(String token) {
                    super.onNext(token);
                    throw boom;
                }
            };
            longer.generate(NeoxLanguageModelTest.PROMPT, c);
            assertSame(boom, c.error());
            TinyModel.Outcomes.Finished f = outcomes.awaitOne();
            assertEquals("cancelled", f.outcome());
            assertTrue(f.generatedTokens() < 200, "generated " + f.generatedTokens());
            assertEquals(1, c.parts.size());
            assertEquals(1, c.ends.get());
        }
    }

    @Test
    void theHandleCancelsTheGenerationAndNothingFollows() throws Exception {
        try (TinyModel.Outcomes outcomes = new TinyModel.Outcomes(streaming.engine());
             NeoxStreamingLanguageModel longer = NeoxStreamingLanguageModel.builder().modelPath(TinyModel.PATH)
                     .temperature(0).maxTokens(200).build()) {
            CountDownLatch first = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            TextStreamCollector c = new TextStreamCollector() {
                @Override
                public void onNext(String token) {
                    super.onNext(token);
                    first.countDown();
                    try {
                        cancelled.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            StreamingHandle handle = longer.start(NeoxLanguageModelTest.PROMPT, c);
            assertTrue(first.await(10, TimeUnit.SECONDS));
            handle.cancel();
            assertTrue(handle.isCancelled());
            cancelled.countDown();
            TinyModel.Outcomes.Finished f = outcomes.awaitOne();
            assertEquals("cancelled", f.outcome());
            StreamRelay relay = (StreamRelay) handle;
            TinyModel.await(relay::idle, "the stream to drain");
            assertEquals(1, c.parts.size());
            assertEquals(0, c.ends.get(), "no callback after a cancel");
        }
    }

    @Test
    void aTimeoutReachesOnError() throws Exception {
        try (NeoxStreamingLanguageModel slow = NeoxStreamingLanguageModel.builder().modelPath(TinyModel.PATH)
                .temperature(0).maxTokens(TinyModel.CONTEXT / 2).timeout(java.time.Duration.ofMillis(1)).build()) {
            TextStreamCollector c = new TextStreamCollector();
            slow.generate(NeoxLanguageModelTest.PROMPT, c);
            assertInstanceOf(dev.langchain4j.exception.TimeoutException.class, c.error());
            assertEquals(1, c.ends.get());
        }
    }

    @Test
    void everyFailureReachesOnError() throws Exception {
        TextStreamCollector tooLong = new TextStreamCollector();
        streaming.generate("hello world ".repeat(TinyModel.CONTEXT), tooLong);
        assertInstanceOf(InvalidRequestException.class, tooLong.error());
        assertEquals(List.of(), tooLong.parts);

        NeoxStreamingLanguageModel closed = NeoxStreamingLanguageModel.builder().modelPath(TinyModel.PATH).build();
        closed.close();
        TextStreamCollector afterClose = new TextStreamCollector();
        closed.generate("x", afterClose);
        assertInstanceOf(IllegalStateException.class, afterClose.error());
    }
}
