package dev.neox4j.ops;

import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineClosedException;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.GenerationRequest;
import dev.neox4j.engine.sampling.SamplingSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shutdown contract on the engine level (what {@code EngineHolder.drain()} relies on): draining refuses new work
 * at once, lets running sequences finish within the drain timeout, cancels those still running after it with a
 * terminal event, and returns. Runs on the built-in demo model.
 */
class EngineDrainTest {

    private static final int[] PROMPT = {510, 3158, 8516, 30013};

    private static EngineOptions options() {
        return EngineOptions.defaults(null).withThreads(2).withMaxSequences(4).withQueueSize(8);
    }

    static GenerationRequest request(int maxTokens, String source) {
        return GenerationRequest.builder(PROMPT).sampling(SamplingSettings.builder().temperature(0)
                .maxTokens(maxTokens).ignoreEos(true).build()).source(source).build();
    }

    private static void awaitTokens(OpsTestSupport.Recorder r) throws InterruptedException {
        long deadline = System.nanoTime() + OpsTestSupport.HANG_GUARD.toNanos();
        while (r.tokens.get() == 0 && !r.done.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(r.tokens.get() > 0, "the request is generating");
    }

    private static void awaitRefusal(Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + OpsTestSupport.HANG_GUARD.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                engine.submit(request(1, "ops-late"), new OpsTestSupport.Recorder(0)).cancel();
            } catch (EngineClosedException expected) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("submissions were still accepted while draining");
    }

    @Test
    void drainFinishesShortRequestsCancelsLongOnesAndRefusesNewOnes() throws Exception {
        try (Engine engine = Engine.open(options())) {
            int longTokens = engine.modelInfo().contextLength() - PROMPT.length;
            // 10 ms per token in the listener: the long request needs > 20 s, far beyond the 3 s drain timeout, while
            // the 3-token request needs a few steps, far within it (even on a loaded machine).
            OpsTestSupport.Recorder slow = new OpsTestSupport.Recorder(10);
            OpsTestSupport.Recorder quick = new OpsTestSupport.Recorder(0);
            engine.submit(request(longTokens, "ops-drain"), slow);
            awaitTokens(slow);
            engine.submit(request(3, "ops-drain"), quick);

            Thread drainer = Thread.ofPlatform().name("test-drainer").start(() -> engine.drain(Duration.ofSeconds(3)));
            awaitRefusal(engine);

            Completion q = quick.awaitCompletion();
            assertNotNull(q, "the short request completes normally while draining");
            assertEquals(FinishReason.LENGTH, q.finishReason());
            assertEquals(3, q.tokens().length);

            Completion s = slow.awaitCompletion();
            if (s != null) {
                assertEquals(FinishReason.CANCELLED, s.finishReason(), "cut off at the drain timeout");
                assertTrue(s.tokens().length < longTokens);
            }
            assertTrue(slow.tokens.get() < longTokens, "stopped before its end");

            drainer.join(OpsTestSupport.HANG_GUARD.toMillis());
            assertFalse(drainer.isAlive(), "drain returned");
            assertEquals(0, engine.stats().running());
            assertEquals(0, engine.stats().waiting());
            assertThrows(EngineClosedException.class,
                    () -> engine.submit(request(1, "ops-late"), new OpsTestSupport.Recorder(0)));
        }
    }

    @Test
    void drainingAnIdleEngineReturnsAndRefusesNewRequests() throws Exception {
        try (Engine engine = Engine.open(options())) {
            Thread drainer = Thread.ofPlatform().start(() -> engine.drain(Duration.ofSeconds(30)));
            drainer.join(OpsTestSupport.HANG_GUARD.toMillis());
            assertFalse(drainer.isAlive(), "nothing to wait for: drain returns without using its timeout");
            assertThrows(EngineClosedException.class,
                    () -> engine.submit(request(1, "ops-late"), new OpsTestSupport.Recorder(0)));
        }
    }
}
