package dev.neox4j.engine.runtime;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.model.NeoxModel;
import dev.neox4j.engine.model.ReferenceForward;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Engine#inspect}: the logit lens, the residual stream and the attention probabilities against an independent
 * float64 forward pass ({@link ReferenceForward}) on the F32 fixture with an f32 KV cache, the lens at the last layer
 * against the model's own logprobs, and the request's life in the scheduler (batching, metrics, cancellation,
 * validation).
 */
class InspectionTest {

    /**
     * |ours - float64| of a residual value relative to the row's largest magnitude: the f16 GELU table and f32 sums
     * (measured 4.7e-4 over two blocks).
     */
    static final double RESIDUAL_BUDGET = 2e-3;
    /** |ours - float64| of an attention probability, f32 KV cache (measured 6.5e-4, inherited from block 0). */
    static final double ATTENTION_BUDGET = 2e-3;
    /** |ours - float64| of a lens logprob (measured 3.7e-3). */
    static final double LENS_BUDGET = 1.5e-2;

    private static int[] prompt(int n) {
        return Arrays.copyOf(EngineFixtures.sequence("seq300"), n);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    @Test
    void lensHiddenStatesAndAttentionMatchFloat64Reference() throws Exception {
        int n = 100; // several scheduler chunks (prefill chunk 32)
        int[] tokens = prompt(n);
        ReferenceForward.Trace ref;
        ReferenceForward reference;
        try (GgufFile file = GgufFile.open(EngineFixtures.model("F32"))) {
            reference = new ReferenceForward(NeoxModel.load(file));
            ref = reference.trace(tokens);
            try (Engine engine = Engine.open(EngineFixtures.options("F32"))) {
                int nLayer = engine.modelInfo().layers();
                int[] all = new int[nLayer + 1];
                for (int l = 0; l <= nLayer; l++) {
                    all[l] = l;
                }
                int[] blocks = Arrays.copyOf(all, nLayer);
                Inspection got = await(engine.inspect(new InspectRequest(tokens, 5, all, blocks, 0, "test")));
                assertArrayEquals(tokens, got.tokens());

                assertEquals(nLayer + 1, got.hiddenStates().size());
                double worstResidual = 0;
                for (Inspection.HiddenStates hs : got.hiddenStates()) {
                    assertEquals(n, hs.values().length);
                    for (int t = 0; t < n; t++) {
                        double[] want = ref.residual()[hs.layer()][t];
                        assertEquals(want.length, hs.values()[t].length);
                        double scale = Arrays.stream(want).map(Math::abs).max().orElseThrow();
                        for (int i = 0; i < want.length; i++) {
                            double err = Math.abs(hs.values()[t][i] - want[i]) / scale;
                            worstResidual = Math.max(worstResidual, err);
                            assertTrue(err <= RESIDUAL_BUDGET, "layer " + hs.layer() + " pos " + t + " dim " + i
                                    + ": " + hs.values()[t][i] + " vs " + want[i]);
                        }
                    }
                }

                assertEquals(nLayer, got.attention().size());
                double worstAttention = 0;
                for (Inspection.AttentionProbs a : got.attention()) {
                    float[][][] p = a.probs();
                    assertEquals(engine.modelInfo().heads(), p.length);
                    for (int h = 0; h < p.length; h++) {
                        for (int i = 0; i < n; i++) {
                            double sum = 0;
                            for (int j = 0; j < n; j++) {
                                if (j > i) {
                                    assertEquals(0f, p[h][i][j], "causal: above the diagonal");
                                    continue;
                                }
                                double err = Math.abs(p[h][i][j] - ref.attention()[a.layer()][h][i][j]);
                                worstAttention = Math.max(worstAttention, err);
                                assertTrue(err <= ATTENTION_BUDGET, "block " + a.layer() + " head " + h + " (" + i
                                        + ", " + j + "): " + p[h][i][j] + " vs " + ref.attention()[a.layer()][h][i][j]);
                                sum += p[h][i][j];
                            }
                            assertEquals(1.0, sum, 1e-4, "a row of probabilities sums to 1");
                        }
                    }
                }

                assertEquals(nLayer + 1, got.logitLens().size());
                double worstLens = 0;
                for (Inspection.LensLayer lens : got.logitLens()) {
                    assertEquals(n, lens.topIds().length);
                    for (int t = 0; t < n; t++) {
                        double[] want = logSoftmax(reference.lens(ref.residual()[lens.layer()][t]));
                        int[] ids = lens.topIds()[t];
                        float[] lps = lens.topLogprobs()[t];
                        assertEquals(5, ids.length);
                        for (int k = 0; k < ids.length; k++) {
                            double err = Math.abs(lps[k] - want[ids[k]]);
                            worstLens = Math.max(worstLens, err);
                            assertTrue(err <= LENS_BUDGET, "layer " + lens.layer() + " pos " + t + " rank " + k);
                            if (k > 0) {
                                assertTrue(lps[k] <= lps[k - 1], "best first");
                            }
                        }
                        // no token the reference ranks clearly above our k-th was left out
                        double[] sorted = want.clone();
                        Arrays.sort(sorted);
                        assertTrue(sorted[sorted.length - ids.length] <= lps[ids.length - 1] + LENS_BUDGET,
                                "layer " + lens.layer() + " pos " + t + ": a better token is missing");
                    }
                }
                System.out.printf("inspect vs float64: residual %.2e (relative), attention %.2e, lens %.2e%n",
                        worstResidual, worstAttention, worstLens);
            }
        }
    }

    @Test
    void lensAtTheLastLayerIsTheModelsOwnOutput() throws Exception {
        int[] tokens = prompt(40);
        try (Engine engine = Engine.open(EngineFixtures.options("Q4_K_M").toBuilder().kvCacheType(KvCacheType.F16).build())) {
            int nLayer = engine.modelInfo().layers();
            Inspection got = await(engine.inspect(new InspectRequest(tokens, 20, null, null, 0, "test")));
            Inspection.LensLayer last = got.logitLens().get(nLayer);
            assertEquals(nLayer, last.layer());
            Collector c = new Collector();
            engine.submit(GenerationRequest.builder(tokens).echo(true).sampling(dev.neox4j.engine.sampling
                    .SamplingSettings.builder().temperature(0).maxTokens(1).logprobs(20).build()).build(), c);
            Completion echo = c.await();
            for (int t = 0; t + 1 < tokens.length; t++) {
                TokenLogprob lp = echo.promptLogprobs().get(t + 1); // the logprob of token t+1 comes from row t
                int[] ids = lp.top().stream().mapToInt(TokenLogprob.Alternative::tokenId).toArray();
                assertArrayEquals(ids, last.topIds()[t], "position " + t);
                for (int k = 0; k < ids.length; k++) {
                    assertEquals(lp.top().get(k).logprob(), last.topLogprobs()[t][k], 0.0, "bit-identical");
                }
            }
            assertTrue(got.hiddenStates().isEmpty());
            assertTrue(got.attention().isEmpty());
        }
    }

    @Test
    void runsBatchedWithOtherRequestsAndIsCountedLikeThem() throws Exception {
        int[] tokens = prompt(70);
        try (Engine engine = Engine.open(EngineFixtures.options("Q8_0"))) {
            List<String> events = new CopyOnWriteArrayList<>();
            engine.addObserver(new EngineObserver() {
                @Override
                public void queued(String source) {
                    events.add("queued " + source);
                }

                @Override
                public void finished(String source, String outcome, int promptTokens, int generated, double s) {
                    events.add("finished " + source + " " + outcome + " " + promptTokens);
                }
            });
            InspectRequest r = new InspectRequest(tokens, 3, new int[] {1}, new int[] {0}, 0, "inspect");
            Inspection alone = await(engine.inspect(r));
            List<Collector> others = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Collector c = new Collector();
                engine.submit(GenerationRequest.greedy(prompt(20 + i), 30), c);
                others.add(c);
            }
            Inspection batched = await(engine.inspect(r));
            others.forEach(Collector::await);
            assertArrayEquals(alone.hiddenStates().getFirst().values(), batched.hiddenStates().getFirst().values());
            assertArrayEquals(alone.attention().getFirst().probs(), batched.attention().getFirst().probs());
            for (int l = 0; l < alone.logitLens().size(); l++) {
                assertArrayEquals(alone.logitLens().get(l).topIds(), batched.logitLens().get(l).topIds());
            }
            assertTrue(events.contains("queued inspect"), events.toString());
            assertTrue(events.contains("finished inspect success 70"), events.toString());
            assertEquals(0, engine.stats().running());
        }
    }

    @Test
    void cancellingTheFutureFreesTheSlot() throws Exception {
        try (Engine engine = Engine.open(EngineFixtures.options("F16").toBuilder().maxSequences(1).build())) {
            Collector blocker = new Collector();
            GenerationHandle h = engine.submit(GenerationRequest.greedy(prompt(8), 400), blocker);
            CompletableFuture<Inspection> f = engine.inspect(new InspectRequest(prompt(50), 5, null, null, 0, "t"));
            assertTrue(f.cancel(true));
            h.cancel();
            blocker.await();
            // the slot is free again: a new inspection runs to the end
            Inspection next = await(engine.inspect(new InspectRequest(prompt(10), 1, null, null, 0, "t")));
            assertEquals(10, next.tokens().length);
            assertEquals(0, engine.stats().running());
            assertEquals(0, engine.stats().waiting());
        }
    }

    @Test
    void aTimedOutInspectionCompletesWithCancellation() throws Exception {
        try (Engine engine = Engine.open(EngineFixtures.options("F16").toBuilder().maxSequences(1).build())) {
            Collector blocker = new Collector();
            GenerationHandle h = engine.submit(GenerationRequest.greedy(prompt(8), 400), blocker);
            CompletableFuture<Inspection> f = engine.inspect(new InspectRequest(prompt(50), 5, null, null, 1, "t"));
            assertThrows(CancellationException.class, () -> f.get(60, TimeUnit.SECONDS));
            assertTrue(f.isCompletedExceptionally());
            h.cancel();
            blocker.await();
        }
    }

    @Test
    void invalidRequestsAreRefusedAtOnce() throws Exception {
        try (Engine engine = Engine.open(EngineFixtures.options("F16"))) {
            int nLayer = engine.modelInfo().layers();
            int[] p = prompt(5);
            assertThrows(IllegalArgumentException.class,
                    () -> engine.inspect(new InspectRequest(p, 21, null, null, 0, "t")));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.inspect(new InspectRequest(p, -1, null, null, 0, "t")));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.inspect(new InspectRequest(p, 0, new int[] {nLayer + 1}, null, 0, "t")));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.inspect(new InspectRequest(p, 0, new int[] {1, 1}, null, 0, "t")));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.inspect(new InspectRequest(p, 0, null, new int[] {nLayer}, 0, "t")));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.inspect(new InspectRequest(new int[0], 5, null, null, 0, "t")));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.inspect(new InspectRequest(new int[] {1, 100_000}, 5, null, null, 0, "t")));
            assertThrows(ContextOverflowException.class,
                    () -> engine.inspect(new InspectRequest(new int[513], 5, null, null, 0, "t")));
            // all layers at the edges are accepted
            Inspection ok = await(engine.inspect(new InspectRequest(p, 0, new int[] {0, nLayer},
                    new int[] {nLayer - 1}, 0, "t")));
            assertTrue(ok.logitLens().isEmpty());
            assertEquals(2, ok.hiddenStates().size());
        }
    }

    static double[] logSoftmax(double[] logits) {
        double max = Arrays.stream(logits).max().orElseThrow();
        double sum = 0;
        for (double v : logits) {
            sum += Math.exp(v - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = logits[i] - lse;
        }
        return out;
    }
}
