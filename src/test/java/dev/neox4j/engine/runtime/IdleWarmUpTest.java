package dev.neox4j.engine.runtime;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.model.ForwardBatch;
import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxForward;
import dev.neox4j.engine.model.NeoxModel;
import dev.neox4j.engine.sampling.SamplingSettings;
import dev.neox4j.engine.tensor.kernel.Kernels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up the scheduler runs while idle before the first request ({@link IdleWarmUp}). */
class IdleWarmUpTest {

    private static final int PLANNED = IdleWarmUp.PLAN.length;

    private static EngineOptions.Builder options(int maxSequences, int queueSize, boolean warmUp) {
        return EngineFixtures.options("F32").toBuilder().maxSequences(maxSequences).queueSize(queueSize)
                .contextLength(128).idleWarmUp(warmUp);
    }

    /** Greedy tokens with their logprobs (as float bits) for {@code seq}. */
    private static List<Object> greedy(Engine e, String seq) {
        Collector c = new Collector();
        e.submit(GenerationRequest.builder(EngineFixtures.sequence(seq)).sampling(SamplingSettings.builder()
                .temperature(0).maxTokens(12).ignoreEos(true).logprobs(2).build()).source("test").build(), c);
        Completion done = c.await();
        List<Object> out = new ArrayList<>();
        for (int t : done.tokens()) {
            out.add(t);
        }
        for (GeneratedToken t : c.tokens) {
            out.add(Float.floatToIntBits(t.logprob().logprob()));
        }
        return out;
    }

    /** Tokens a greedy request for {@code n} tokens after {@code seq8} got (all of them unless refused or cut). */
    private static int generated(Engine e, int n) {
        Collector c = new Collector();
        e.submit(GenerationRequest.builder(EngineFixtures.sequence("seq8")).sampling(SamplingSettings.builder()
                .temperature(0).maxTokens(n).ignoreEos(true).build()).source("test").build(), c);
        return c.await().tokens().length;
    }

    private static void awaitWarmUp(Engine e, int steps) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (e.idleWarmUpSteps() < steps && System.nanoTime() < end) {
            Thread.sleep(5);
        }
    }

    @Test
    void anIdleEngineRunsEveryStepAndLeavesNoTrace() throws Exception {
        List<Object> cold;
        try (Engine e = Engine.open(options(3, 4, false).build())) {
            Thread.sleep(100);
            assertEquals(0, e.idleWarmUpSteps(), "switched off");
            cold = greedy(e, "seq8");
        }
        try (Engine e = Engine.open(options(3, 4, true).build())) {
            awaitWarmUp(e, PLANNED);
            assertEquals(PLANNED, e.idleWarmUpSteps());
            EngineStats s = e.stats();
            assertEquals(0, s.steps(), "warm-up steps are not scheduler steps");
            assertEquals(0, s.kvTokensUsed());
            assertEquals(0, s.prefixCacheTokens(), "nothing the prefix cache could reuse");
            assertEquals(0, s.running());
            // the caches it wrote were emptied: a request computes what it computes on an engine that never warmed up
            assertEquals(cold, greedy(e, "seq8"));
            assertEquals(1, e.stats().prefixCacheQueries());
        }
    }

    @Test
    void aRequestEndsTheWarmUpForGood() throws Exception {
        List<Object> cold;
        try (Engine e = Engine.open(options(2, 4, false).build())) {
            cold = greedy(e, "seq64");
        }
        try (Engine e = Engine.open(options(2, 4, true).build())) {
            // at once: the request usually arrives during the warm-up (on the tiny model it may also come after it)
            assertEquals(cold, greedy(e, "seq64"));
            int after = e.idleWarmUpSteps();
            assertTrue(after <= PLANNED, "steps " + after);
            Thread.sleep(200); // idle again
            assertEquals(after, e.idleWarmUpSteps(), "it does not resume once requests came");
            // and the slots stay the prefix cache's: the same prompt again reuses its prefix
            assertEquals(cold, greedy(e, "seq64"));
            assertTrue(e.stats().prefixCacheHitTokens() > 0);
        }
    }

    @Test
    void aWarmUpStepDoesNotFillTheQueue() throws Exception {
        // no queue: a request is refused when no slot is free; a warm-up step must not count as holding the slot.
        // Submitted at once after open, while the first step (compiling as it goes) is most likely running
        for (int i = 0; i < 3; i++) {
            try (Engine e = Engine.open(options(1, 0, true).build())) {
                assertEquals(2, generated(e, 2));
            }
        }
    }

    @Test
    void aContextTooShortForItSkipsIt() throws Exception {
        try (Engine e = Engine.open(options(2, 4, true).contextLength(16).build())) {
            Thread.sleep(200);
            assertEquals(0, e.idleWarmUpSteps());
            assertEquals(4, generated(e, 4));
        }
    }

    /** The steps themselves, one at a time: no slot is taken, and every cache they wrote is empty afterwards. */
    @Test
    void stepsTakeNoSlotAndAbandonEmptiesTheCaches() throws Exception {
        try (GgufFile file = GgufFile.open(EngineFixtures.model("Q8_0"))) {
            NeoxModel model = NeoxModel.load(file);
            KvSlotPool slots = new KvSlotPool(model.hparams(), 3, IdleWarmUp.POSITIONS, KvCache.ElementType.F16);
            try (WorkerPool pool = new WorkerPool(2)) {
                NeoxForward forward = new NeoxForward(model, Kernels.select("auto"), pool, 3 + IdleWarmUp.MAX_CHUNK);
                IdleWarmUp w = new IdleWarmUp(forward, new ForwardBatch(), slots, model.hparams().vocabSize());
                assertEquals(PLANNED, w.plannedSteps());
                // prompt chunks into the last slot, then one sequence decoding in the first
                int[][] lengths = {{0, 8}, {0, 21}, {0, 24}, {1, 24}, {2, 24}};
                for (int[] expected : lengths) {
                    w.step();
                    assertEquals(expected[0], slots.cache(0).length());
                    assertEquals(0, slots.cache(1).length());
                    assertEquals(expected[1], slots.cache(2).length());
                    assertEquals(3, slots.available(), "no slot taken");
                    assertEquals(0, slots.tokensUsed());
                }
                w.abandon();
                assertFalse(w.pending());
                for (int s = 0; s < 3; s++) {
                    assertEquals(0, slots.cache(s).length());
                }
                w.step(); // nothing more
                assertEquals(0, slots.cache(0).length() + slots.cache(2).length());
                assertEquals(lengths.length, w.stepsDone());
                // one slot both decodes and takes the prompt chunks: every step runs, the cache ends empty
                KvSlotPool one = new KvSlotPool(model.hparams(), 1, IdleWarmUp.POSITIONS, KvCache.ElementType.F16);
                try {
                    IdleWarmUp w1 = new IdleWarmUp(forward, new ForwardBatch(), one, model.hparams().vocabSize());
                    int max = 0;
                    while (w1.pending()) {
                        w1.step();
                        max = Math.max(max, one.cache(0).length());
                    }
                    assertEquals(PLANNED, w1.stepsDone());
                    assertEquals(8 + 13 + 3 + 4 + 3 + 9, max, "positions before the last step"); // it ends emptied
                    assertEquals(0, one.cache(0).length());
                } finally {
                    one.close();
                }
                // many slots: at most MAX_DECODING of them decode in a step, the others stay empty but the last
                int many = IdleWarmUp.MAX_DECODING + 3;
                KvSlotPool wide = new KvSlotPool(model.hparams(), many, IdleWarmUp.POSITIONS, KvCache.ElementType.F16);
                try (WorkerPool pool2 = new WorkerPool(2)) {
                    NeoxForward f2 = new NeoxForward(model, Kernels.select("auto"), pool2,
                            many + IdleWarmUp.MAX_CHUNK);
                    IdleWarmUp ww = new IdleWarmUp(f2, new ForwardBatch(), wide, model.hparams().vocabSize());
                    int used = 0;
                    while (ww.pending()) {
                        ww.step();
                        for (int s = 0; s < many; s++) {
                            if (wide.cache(s).length() > 0) {
                                used = Math.max(used, s + 1);
                                assertTrue(s < IdleWarmUp.MAX_DECODING || s == many - 1, "slot " + s + " written");
                            }
                        }
                    }
                    assertEquals(PLANNED, ww.stepsDone());
                    assertEquals(many, used, "the last slot took the prompts");
                    for (int s = 0; s < many; s++) {
                        assertEquals(0, wide.cache(s).length());
                    }
                } finally {
                    wide.close();
                }
                // too small a context or step budget for it: no steps at all
                assertEquals(0, new IdleWarmUp(new NeoxForward(model, Kernels.select("auto"), pool, 3 + IdleWarmUp.MAX_CHUNK - 1),
                        new ForwardBatch(), slots, model.hparams().vocabSize()).plannedSteps());
            } finally {
                slots.close();
            }
        }
    }
}
