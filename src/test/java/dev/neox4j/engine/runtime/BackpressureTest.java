package dev.neox4j.engine.runtime;

import dev.neox4j.engine.sampling.SamplingSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine side of backpressure: a paused sequence takes no steps, delays nobody, and ends after its limit. */
class BackpressureTest {

    private static GenerationRequest request(int maxTokens) {
        return GenerationRequest.builder(EngineFixtures.sequence("seq8")).sampling(SamplingSettings.builder()
                .temperature(0).maxTokens(maxTokens).ignoreEos(true).build()).build();
    }

    private static void awaitTokens(Collector c, int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (c.tokens.size() < n) {
            assertTrue(System.nanoTime() < end, "no token " + n);
            Thread.sleep(2);
        }
    }

    /** The token count once it has not changed for 300 ms. */
    private static int quiet(Collector c) throws InterruptedException {
        int n;
        do {
            n = c.tokens.size();
            Thread.sleep(300);
        } while (c.tokens.size() != n);
        return n;
    }

    @Test
    void aPausedSequenceTakesNoStepsWhileOthersFinishAndResumesWithTheSameTokens() throws Exception {
        try (Engine e = Engine.open(EngineFixtures.options("F32"))) {
            Collector ref = new Collector();
            e.submit(request(40), ref);
            int[] expected = ref.await().tokens();

            Collector slow = new Collector();
            GenerationHandle h = e.submit(request(40), slow);
            awaitTokens(slow, 2);
            h.pause(Duration.ofMinutes(5));
            assertTrue(h.isPaused());
            int atPause = quiet(slow); // the step running when it was paused may still add its token
            Collector other = new Collector();
            e.submit(request(30), other);
            assertEquals(30, other.await().tokens().length, "the paused sequence delays nobody");
            assertEquals(atPause, slow.tokens.size(), "no decode steps while paused");
            assertEquals(1, e.stats().running(), "it keeps its slot");
            h.resume();
            assertFalse(h.isPaused());
            assertArrayEquals(expected, slow.await().tokens(), "same tokens as without the pause");
        }
    }

    @Test
    void aSequencePausedBeyondItsLimitEndsWithAnErrorAndFreesItsSlot() throws Exception {
        try (Engine e = Engine.open(EngineFixtures.options("F32"))) {
            Collector stuck = new Collector();
            GenerationHandle h = e.submit(request(400), stuck);
            awaitTokens(stuck, 1);
            h.pause(Duration.ofMillis(100));
            ExecutionException ex = assertThrows(ExecutionException.class, () -> stuck.done.get(60, TimeUnit.SECONDS));
            assertInstanceOf(SequenceStalledException.class, ex.getCause());
            assertTrue(h.isDone());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (e.stats().running() > 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(0, e.stats().running(), "the slot is freed");
        }
    }
}
