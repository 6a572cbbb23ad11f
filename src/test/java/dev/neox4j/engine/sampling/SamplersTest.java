package dev.neox4j.engine.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.neox4j.engine.sampling.SamplerTestSupport.assertSeedReproducible;
import static dev.neox4j.engine.sampling.SamplerTestSupport.draws;
import static dev.neox4j.engine.sampling.SamplerTestSupport.logitsOf;
import static dev.neox4j.engine.sampling.SamplerTestSupport.settings;
import static dev.neox4j.engine.sampling.SamplerTestSupport.survivors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One seeded test per sampler on crafted logits. */
class SamplersTest {

    private static final float[] FLAT = new float[100]; // uniform over 100 tokens: seeds must matter

    @Test
    void greedyTakesArgmaxWithTiesToLowestId() {
        float[] logits = {1f, 5f, 3f, 5f, Float.NaN};
        int[] tokens = draws(SamplingSettings.GREEDY, logits, 5);
        assertArrayEquals(new int[] {1, 1, 1, 1, 1}, tokens);
        assertEquals(0, Sampler.argmax(new float[] {Float.NaN, Float.NaN}, 0, 2));
        assertEquals(0, Sampler.argmax(new float[] {0f, 7f, 1f, 1f}, 2, 2), "relative to the offset, ties to lower");
        assertEquals(1, Sampler.argmax(new float[] {0f, 7f, 1f, 3f}, 2, 2), "relative to the offset");
    }

    @Test
    void temperatureDividesLogitsAndShapesTheDrawnDistribution() {
        Candidates c = new Candidates(3);
        c.load(new float[] {1f, 2f, -4f}, 0);
        new Temperature(0.5f).process(c);
        assertEquals(2f, c.logit(0));
        assertEquals(4f, c.logit(1));
        assertEquals(-8f, c.logit(2));

        // p = (0.6, 0.3, 0.1) at T = 1; at T = 2 the probabilities become proportional to sqrt(p)
        float[] logits = logitsOf(0.6, 0.3, 0.1);
        double[] expected = {Math.sqrt(0.6), Math.sqrt(0.3), Math.sqrt(0.1)};
        double z = expected[0] + expected[1] + expected[2];
        int n = 40_000;
        int[] counts = new int[3];
        for (int t : draws(settings(2f, 0, 1f, 0f, 1234L), logits, n)) {
            counts[t]++;
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i] / z, counts[i] / (double) n, 0.01, "frequency of token " + i);
        }
        assertSeedReproducible(settings(1.3f, 0, 1f, 0f, 1L), settings(1.3f, 0, 1f, 0f, 2L), FLAT);
    }

    @Test
    void topKKeepsTheKBestWithTiesByLowerId() {
        float[] logits = {0f, 3f, 1f, 3f, 2f, 3f, -1f};
        assertArrayEquals(new int[] {1, 3}, survivors(new TopK(2), logits));
        assertArrayEquals(new int[] {1, 3, 4, 5}, survivors(new TopK(4), logits));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, survivors(new TopK(50), logits));
        for (int t : draws(settings(1f, 3, 1f, 0f, 9L), logits, 500)) {
            assertTrue(t == 1 || t == 3 || t == 5, "only the top 3 may be drawn, got " + t);
        }
        assertSeedReproducible(settings(1f, 10, 1f, 0f, 1L), settings(1f, 10, 1f, 0f, 2L), FLAT);
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        float[] logits = logitsOf(0.1, 0.5, 0.05, 0.3, 0.05);
        assertArrayEquals(new int[] {1}, survivors(new TopP(0.5f), logits));
        assertArrayEquals(new int[] {1, 3}, survivors(new TopP(0.79f), logits));
        assertArrayEquals(new int[] {0, 1, 3}, survivors(new TopP(0.85f), logits));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, survivors(new TopP(1f), logits));
        for (int t : draws(settings(1f, 0, 0.85f, 0f, 5L), logits, 500)) {
            assertTrue(t == 0 || t == 1 || t == 3, "token outside the nucleus: " + t);
        }
        assertSeedReproducible(settings(1f, 0, 0.9f, 0f, 1L), settings(1f, 0, 0.9f, 0f, 2L), FLAT);
    }

    @Test
    void topPOnALargeFlatVocabularyMatchesAFullSort() {
        int n = 50_432;
        SplittableRandom r = new SplittableRandom(3);
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) {
            logits[i] = (float) (r.nextGaussian() * 0.5);
        }
        float p = 0.9f;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i));
        double max = logits[order[0]];
        double total = 0;
        for (float l : logits) {
            total += Math.exp(l - max);
        }
        double cum = 0;
        int keep = 0;
        while (cum < p * total) {
            cum += Math.exp(logits[order[keep++]] - max);
        }
        int[] expected = new int[keep];
        for (int i = 0; i < keep; i++) {
            expected[i] = order[i];
        }
        Arrays.sort(expected);
        assertTrue(keep > 1000, "the nucleus must be large to exercise the growing selection: " + keep);
        assertArrayEquals(expected, survivors(new TopP(p), logits));
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheBest() {
        float[] logits = logitsOf(0.4, 0.2, 0.05, 0.3, 0.05);
        assertArrayEquals(new int[] {0, 1, 3}, survivors(new MinP(0.25f), logits)); // threshold 0.1
        assertArrayEquals(new int[] {0, 3}, survivors(new MinP(0.6f), logits)); // threshold 0.24
        assertArrayEquals(new int[] {0}, survivors(new MinP(1f), logits));
        for (int t : draws(settings(1f, 0, 1f, 0.25f, 5L), logits, 500)) {
            assertTrue(t == 0 || t == 1 || t == 3, "token below min-p: " + t);
        }
        assertSeedReproducible(settings(1f, 0, 1f, 0.05f, 1L), settings(1f, 0, 1f, 0.05f, 2L), FLAT);
    }

    @Test
    void seededDrawFollowsTheSoftmax() {
        float[] logits = logitsOf(0.7, 0.2, 0.1);
        int n = 50_000;
        int[] counts = new int[3];
        for (int t : draws(settings(1f, 0, 1f, 0f, 77L), logits, n)) {
            counts[t]++;
        }
        assertEquals(0.7, counts[0] / (double) n, 0.01);
        assertEquals(0.2, counts[1] / (double) n, 0.01);
        assertEquals(0.1, counts[2] / (double) n, 0.01);
    }

    @Test
    void chainOfEverySamplerIsReproducible() {
        SamplingSettings a = SamplingSettings.builder().temperature(0.8f).topK(40).topP(0.95f).minP(0.01f)
                .repetitionPenalty(1.1f).presencePenalty(0.3f).frequencyPenalty(0.2f).logitBias(Map.of(3, 2f))
                .seed(42L).build();
        SamplingSettings b = SamplingSettings.builder().temperature(0.8f).topK(40).topP(0.95f).minP(0.01f)
                .repetitionPenalty(1.1f).presencePenalty(0.3f).frequencyPenalty(0.2f).logitBias(Map.of(3, 2f))
                .seed(43L).build();
        assertSeedReproducible(a, b, FLAT);
    }

    @Test
    void unseededSamplerDrawsAndReportsItsSeed() {
        Sampler s = new Sampler(SamplingSettings.builder().temperature(1f).build(), 100, new int[] {1});
        long seed = s.seed();
        int[] first = new int[20];
        for (int i = 0; i < 20; i++) {
            first[i] = s.sample(FLAT, 0);
        }
        assertArrayEquals(first, draws(settings(1f, 0, 1f, 0f, seed), FLAT, 20), "the reported seed replays");
    }

    @Test
    void invalidSettingsAreRefusedWithTheirName() {
        var e = assertThrows(IllegalArgumentException.class, () -> settings(-1f, 0, 1f, 0f, 1L));
        assertTrue(e.getMessage().contains("temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(1f, -2, 1f, 0f, 1L))
                .getMessage().contains("top_k"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(1f, 0, 0f, 0f, 1L))
                .getMessage().contains("top_p"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(1f, 0, 1f, 1.5f, 1L))
                .getMessage().contains("min_p"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SamplingSettings.builder().temperature(1f).repetitionPenalty(0f).seed(1L).build()).getMessage()
                .contains("repetition_penalty"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Sampler(SamplingSettings.builder().temperature(1f).logitBias(Map.of(100, 1f)).seed(1L)
                        .build(), 100, null))
                .getMessage().contains("100"));
    }
}
