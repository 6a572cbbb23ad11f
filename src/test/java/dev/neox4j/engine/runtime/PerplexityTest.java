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
 * {@link Perplexity} against an independent float64 computation of llama-perplexity's method on the F32 fixture:
 * chunks of {@code ctx} tokens from an empty context, the second half of each scored, the rest of the text dropped.
 */
class PerplexityTest {

    /** Relative difference of the perplexity from the float64 one (F32 weights, f32 KV; measured below 1e-4). */
    static final double PPL_BUDGET = 1e-3;

    private static Perplexity.Result run(Engine engine, int[] tokens, int ctx, List<Perplexity.Progress> progress)
            throws Exception {
        return Perplexity.start(engine, tokens, ctx, 0, "test", progress::add).get(120, TimeUnit.SECONDS);
    }

    @Test
    void matchesFloat64ComputationOfTheSameMethod() throws Exception {
        int[] text = EngineFixtures.sequence("seq300");
        int ctx = 64;
        // float64: chunk c = tokens [c*ctx, (c+1)*ctx); positions ctx/2 .. ctx-2 predict the next token
        List<Double> nlls = new ArrayList<>();
        try (GgufFile file = GgufFile.open(EngineFixtures.model("F32"))) {
            ReferenceForward ref = new ReferenceForward(NeoxModel.load(file));
            for (int c = 0; c < text.length / ctx; c++) {
                int[] chunk = Arrays.copyOfRange(text, c * ctx, (c + 1) * ctx);
                double[][][] res = ref.trace(chunk).residual();
                double[][] last = res[res.length - 1];
                for (int p = ctx / 2; p < ctx - 1; p++) {
                    double[] lp = InspectionTest.logSoftmax(ref.lens(last[p]));
                    nlls.add(-lp[chunk[p + 1]]);
                }
            }
        }
        double mean = nlls.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double meanSq = nlls.stream().mapToDouble(v -> v * v).average().orElseThrow();
        double wantPpl = Math.exp(mean);
        double wantErr = wantPpl * Math.sqrt((meanSq - mean * mean) / (nlls.size() - 1));

        try (Engine engine = Engine.open(EngineFixtures.options("F32"))) {
            List<Perplexity.Progress> progress = new CopyOnWriteArrayList<>();
            Perplexity.Result got = run(engine, text, ctx, progress);
            assertEquals(4, got.chunks(), "300 tokens make 4 chunks of 64; the last 44 are dropped");
            assertEquals(4 * (ctx - 1 - ctx / 2), got.scored());
            assertEquals(nlls.size(), got.scored());
            assertEquals(wantPpl, got.perplexity(), PPL_BUDGET * wantPpl);
            assertEquals(wantErr, got.uncertainty(), 1e-2 * wantErr);
            assertEquals(Math.log(got.perplexity()), got.meanNll(), 1e-12);
            System.out.printf("perplexity %.6f vs float64 %.6f (+/- %.5f vs %.5f)%n", got.perplexity(), wantPpl,
                    got.uncertainty(), wantErr);
            assertTrue(got.finalEstimate().matches("Final estimate: PPL = \\d+\\.\\d{4} \\+/- \\d+\\.\\d{5}"),
                    got.finalEstimate());
            // progress once per chunk, in order, the last equal to the result
            assertEquals(List.of(1, 2, 3, 4), progress.stream().map(Perplexity.Progress::chunk).toList());
            assertEquals(got.perplexity(), progress.getLast().perplexity(), 0.0);
            assertEquals(got.chunkPerplexity()[0], progress.getFirst().perplexity(), 0.0);
            // the first chunk alone: the running estimate after chunk 1 is that chunk's perplexity
            double first = Math.exp(nlls.subList(0, ctx - 1 - ctx / 2).stream().mapToDouble(Double::doubleValue)
                    .average().orElseThrow());
            assertEquals(first, got.chunkPerplexity()[0], PPL_BUDGET * first);
            assertEquals(0, engine.stats().running());
        }
    }

    @Test
    void resultDoesNotDependOnHowManyChunksRunAtOnce() throws Exception {
        int[] text = EngineFixtures.sequence("seq300");
        double[] ppl = new double[2];
        int i = 0;
        for (int slots : new int[] {1, 4}) {
            try (Engine engine = Engine.open(EngineFixtures.options("Q4_0").toBuilder().maxSequences(slots).build())) {
                ppl[i++] = run(engine, text, 48, new ArrayList<>()).perplexity();
            }
        }
        assertEquals(ppl[0], ppl[1], 0.0);
    }

    @Test
    void tokenizesLikeLlamaPerplexity() throws Exception {
        try (Engine engine = Engine.open(EngineOptions.defaults(null).toBuilder().threads(1).build())) {
            int[] ids = Perplexity.tokenize(engine.tokenizer(), "a<|endoftext|>b");
            // control-token text is plain text (parse_special false), and Pythia adds no BOS
            assertFalse(Arrays.stream(ids).anyMatch(id -> id == engine.tokenizer().eosId()), Arrays.toString(ids));
            assertTrue(ids.length > 3);
            assertFalse(engine.tokenizer().addBos());
        }
    }

    @Test
    void refusesTooShortTextsAndBadContexts() throws Exception {
        try (Engine engine = Engine.open(EngineFixtures.options("Q8_0"))) {
            int[] text = EngineFixtures.sequence("seq64");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Perplexity.start(engine, text, 64, 0, "t", null));
            assertTrue(e.getMessage().contains("at least 128 tokens"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Perplexity.start(engine, text, 3, 0, "t", null));
            assertThrows(IllegalArgumentException.class, () -> Perplexity.start(engine, new int[2000], 1024, 0, "t",
                    null));
        }
    }

    @Test
    void cancellingStopsTheRemainingChunks() throws Exception {
        try (Engine engine = Engine.open(EngineFixtures.options("F16").toBuilder().maxSequences(1).build())) {
            int[] text = new int[4000];
            for (int i = 0; i < text.length; i++) {
                text[i] = EngineFixtures.sequence("seq300")[i % 300];
            }
            CompletableFuture<Perplexity.Result> f = Perplexity.start(engine, text, 500, 0, "t", null);
            assertTrue(f.cancel(true));
            assertThrows(CancellationException.class, f::join);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((engine.stats().running() > 0 || engine.stats().waiting() > 0) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, engine.stats().running());
            assertEquals(0, engine.stats().waiting());
        }
    }
}
