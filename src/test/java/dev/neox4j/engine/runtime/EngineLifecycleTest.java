package dev.neox4j.engine.runtime;

import dev.neox4j.engine.gguf.GgufFormatException;
import dev.neox4j.engine.sampling.SamplingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Slots, queue, cancellation, time limits, drain, close and bad files. */
class EngineLifecycleTest {

    private static Engine open(int maxSequences, int queueSize) throws Exception {
        return Engine.open(EngineFixtures.options("F32").withMaxSequences(maxSequences).withQueueSize(queueSize)
                .withContextLength(256));
    }

    /** A long request: greedy, EOS ignored, until the context is full. */
    private static GenerationRequest endless() {
        return GenerationRequest.builder(EngineFixtures.sequence("seq8")).sampling(SamplingSettings.builder()
                .temperature(0).maxTokens(100_000).ignoreEos(true).build()).clipMaxTokens(true).source("test")
                .build();
    }

    /** Waits (bounded) until the engine reports nothing running or waiting. */
    private static EngineStats awaitIdle(Engine e) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        EngineStats s = e.stats();
        while ((s.running() > 0 || s.waiting() > 0) && System.nanoTime() < end) {
            Thread.sleep(5);
            s = e.stats();
        }
        return s;
    }

    @Test
    void cancellationFreesTheSlot() throws Exception {
        try (Engine e = open(2, 4)) {
            CountDownLatch firstToken = new CountDownLatch(1);
            Collector c = new Collector() {
                @Override
                public void onToken(GeneratedToken token) {
                    super.onToken(token);
                    firstToken.countDown();
                }
            };
            GenerationHandle h = e.submit(endless(), c);
            assertTrue(firstToken.await(30, TimeUnit.SECONDS));
            h.cancel();
            Completion done = c.await();
            assertEquals(FinishReason.CANCELLED, done.finishReason());
            assertTrue(h.isDone());
            assertEquals(done.text(), c.streamedText());
            EngineStats s = awaitIdle(e);
            assertEquals(0, s.running());
            assertEquals(0, s.kvTokensUsed());
            assertEquals(2, s.slotsTotal());
            assertTrue(s.steps() > 0);
            // the freed slots serve new requests
            Collector again = new Collector();
            e.submit(GenerationRequest.builder(EngineFixtures.sequence("seq8")).sampling(SamplingSettings.builder()
                    .temperature(0).maxTokens(3).ignoreEos(true).build()).source("t").build(), again);
            assertEquals(3, again.await().tokens().length);
        }
    }

    @Test
    void aThrowingListenerCancelsItsSequenceOnly() throws Exception {
        try (Engine e = open(2, 4)) {
            AtomicInteger calls = new AtomicInteger();
            Collector bad = new Collector() {
                @Override
                public void onToken(GeneratedToken token) {
                    calls.incrementAndGet();
                    throw new IllegalStateException("client went away");
                }
            };
            Collector good = new Collector();
            e.submit(endless(), bad);
            e.submit(GenerationRequest.builder(EngineFixtures.sequence("seq8")).sampling(SamplingSettings.builder()
                    .temperature(0).maxTokens(5).ignoreEos(true).build()).source("t").build(), good);
            assertEquals(FinishReason.CANCELLED, bad.await().finishReason());
            assertEquals(1, calls.get());
            assertEquals(5, good.await().tokens().length);
            assertEquals(0, awaitIdle(e).running());
        }
    }

    @Test
    void fullQueueIsRefusedAtOnceWithARetryHint() throws Exception {
        try (Engine e = open(1, 1)) {
            CountDownLatch release = new CountDownLatch(1);
            Collector blocker = new Collector() {
                @Override
                public void onPromptEvaluated(int promptTokens) {
                    try {
                        release.await(30, TimeUnit.SECONDS); // holds the scheduler: nothing moves
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            List<String> rejected = new ArrayList<>();
            e.addObserver(new EngineObserver() {
                @Override
                public void rejected(String source) {
                    rejected.add(source);
                }
            });
            GenerationHandle a = e.submit(endless(), blocker);
            Collector waiting = new Collector();
            GenerationHandle b = e.submit(endless(), waiting);
            QueueFullException full = assertThrows(QueueFullException.class, () -> e.submit(endless(),
                    new Collector()));
            assertTrue(full.retryAfterSeconds() >= 1);
            assertEquals(List.of("test"), rejected);
            a.cancel();
            b.cancel();
            release.countDown();
            assertEquals(FinishReason.CANCELLED, blocker.await().finishReason());
            assertEquals(FinishReason.CANCELLED, waiting.await().finishReason());
            assertEquals(0, awaitIdle(e).running());
        }
    }

    @Test
    void timeLimitCancelsTheRequest() throws Exception {
        try (Engine e = open(1, 4)) {
            Collector slow = new Collector() {
                @Override
                public void onPromptEvaluated(int promptTokens) {
                    try {
                        Thread.sleep(20); // the 1 ms limit has certainly passed at the next step
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            e.submit(GenerationRequest.builder(EngineFixtures.sequence("seq8")).sampling(SamplingSettings.builder()
                    .temperature(0).maxTokens(100_000).ignoreEos(true).build()).clipMaxTokens(true).timeoutMillis(1)
                    .source("t")
                    .build(), slow);
            Completion c = slow.await();
            assertEquals(FinishReason.CANCELLED, c.finishReason());
            assertTrue(c.tokens().length < 100, "stopped long before the context end");
            assertEquals(0, awaitIdle(e).running());
        }
    }

    @Test
    void observersSeeEveryRequest() throws Exception {
        try (Engine e = open(2, 4)) {
            List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
            e.addObserver(new EngineObserver() {
                @Override
                public void queued(String source) {
                    events.add("queued:" + source);
                }

                @Override
                public void started(String source, double queueSeconds, int promptTokens) {
                    events.add("started:" + promptTokens);
                }

                @Override
                public void firstToken(String source, double seconds) {
                    events.add("first");
                }

                @Override
                public void interToken(String source, double seconds) {
                    events.add("inter");
                }

                @Override
                public void finished(String source, String outcome, int promptTokens, int generatedTokens,
                                     double e2eSeconds) {
                    events.add("finished:" + outcome + ":" + promptTokens + ":" + generatedTokens);
                }
            });
            Collector c = new Collector();
            e.submit(GenerationRequest.builder(EngineFixtures.sequence("seq8")).sampling(SamplingSettings.builder()
                    .temperature(0).maxTokens(3).ignoreEos(true).build()).source("chat").build(), c);
            Completion done = c.await();
            assertTrue(done.timings().ttftMs() > 0);
            assertTrue(done.timings().queueMs() >= 0);
            assertEquals(8, done.timings().promptN());
            assertEquals(3, done.timings().predictedN());
            awaitIdle(e);
            assertEquals(List.of("queued:chat", "started:8", "first", "inter", "inter", "finished:success:8:3"),
                    events);
        }
    }

    @Test
    void drainLetsRunningRequestsFinishThenRefusesNewOnes() throws Exception {
        try (Engine e = open(2, 4)) {
            Collector a = new Collector();
            Collector b = new Collector();
            GenerationRequest short8 = GenerationRequest.builder(EngineFixtures.sequence("seq8"))
                    .sampling(SamplingSettings.builder().temperature(0).maxTokens(8).ignoreEos(true).build())
                    .source("t").build();
            e.submit(short8, a);
            e.submit(short8, b);
            e.drain(Duration.ofSeconds(30));
            assertEquals(FinishReason.LENGTH, a.await().finishReason());
            assertEquals(FinishReason.LENGTH, b.await().finishReason());
            assertThrows(EngineClosedException.class, () -> e.submit(short8, new Collector()));
        }
    }

    @Test
    void drainTimeoutCancelsWhatIsStillRunningAndCloseEndsEverything() throws Exception {
        Engine e = open(1, 4);
        Collector running = new Collector();
        Collector queued = new Collector();
        e.submit(endless(), running);
        e.submit(endless(), queued);
        e.drain(Duration.ZERO);
        assertEquals(FinishReason.CANCELLED, running.await().finishReason());
        assertEquals(FinishReason.CANCELLED, queued.await().finishReason());
        Engine e2 = open(1, 4);
        Collector cut = new Collector();
        e2.submit(endless(), cut);
        e2.close();
        assertEquals(FinishReason.CANCELLED, cut.await().finishReason());
        assertThrows(EngineClosedException.class, () -> e2.submit(endless(), new Collector()));
        e.close();
        e.close(); // idempotent
    }

    @Test
    void badFilesGiveErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.gguf");
        Files.writeString(junk, "this is not a GGUF file at all, just some text");
        Exception e = assertThrows(Exception.class, () -> Engine.open(EngineOptions.defaults(junk)));
        assertTrue(e instanceof GgufFormatException || e instanceof IllegalArgumentException, e.toString());
        assertTrue(e.getMessage().contains("junk.gguf"), e.getMessage());
        Path vocabOnly = Path.of("src/test/resources/fixtures/tokenizer/gpt-neox-tokenizer.gguf");
        Exception noTensors = assertThrows(Exception.class, () -> Engine.open(EngineOptions.defaults(vocabOnly)));
        assertTrue(noTensors instanceof GgufFormatException || noTensors instanceof IllegalArgumentException,
                noTensors.toString());
        assertTrue(noTensors.getMessage().contains("gpt-neox-tokenizer.gguf"), noTensors.getMessage());
        assertThrows(java.io.IOException.class, () -> Engine.open(EngineOptions.defaults(dir.resolve("missing.gguf"))));
        assertThrows(IllegalArgumentException.class,
                () -> Engine.open(EngineFixtures.options("F32").withMaxSequences(0)));
    }

    @Test
    void manyShortAndCancelledRequestsLeakNoSlot() throws Exception {
        try (Engine e = open(3, 32)) {
            List<Collector> all = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                Collector c = new Collector();
                GenerationHandle h = e.submit(GenerationRequest.builder(EngineFixtures.sequence("seq8"))
                        .sampling(SamplingSettings.builder().temperature(0).maxTokens(i % 4 == 0
                        ? 100_000 : 2 + i % 5).ignoreEos(true).logprobs(i % 3 == 0 ? 2 : -1).build())
                                .echo(i % 5 == 0).clipMaxTokens(true).source("t").build(), c);
                if (i % 4 == 0) {
                    h.cancel();
                }
                all.add(c);
            }
            for (Collector c : all) {
                c.await();
            }
            EngineStats s = awaitIdle(e);
            assertEquals(0, s.running());
            assertEquals(0, s.waiting());
            assertEquals(0, s.kvTokensUsed());
            if (s.kvTokensCapacity() != 3L * 256) {
                fail("capacity " + s.kvTokensCapacity());
            }
        }
    }
}
