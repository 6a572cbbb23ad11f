package dev.neox4j.engine.sampling;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Helpers shared by the sampler tests. */
final class SamplerTestSupport {
    private SamplerTestSupport() {
    }

    static SamplingSettings settings(float temperature, int topK, float topP, float minP, long seed) {
        return SamplingSettings.builder().temperature(temperature).topK(topK).topP(topP).minP(minP).seed(seed).build();
    }

    /** {@code n} draws from a fresh sampler over the same logits. */
    static int[] draws(SamplingSettings s, float[] logits, int n) {
        Sampler sampler = new Sampler(s, logits.length, new int[] {0});
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = sampler.sample(logits, 0);
        }
        return out;
    }

    /** Same seed: same sequence; other seed: another sequence. */
    static void assertSeedReproducible(SamplingSettings s, SamplingSettings otherSeed, float[] logits) {
        int[] a = draws(s, logits, 64);
        int[] b = draws(s, logits, 64);
        int[] c = draws(otherSeed, logits, 64);
        assertArrayEquals(a, b, "same seed must give the same tokens");
        assertFalse(java.util.Arrays.equals(a, c), "a different seed should give different tokens");
    }

    /** Logits with the given probabilities (log). */
    static float[] logitsOf(double... probs) {
        float[] l = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            l[i] = (float) Math.log(probs[i]);
        }
        return l;
    }

    /** Candidate ids after the processor ran on {@code logits}, sorted ascending. */
    static int[] survivors(LogitProcessor p, float[] logits) {
        Candidates c = new Candidates(logits.length);
        c.load(logits, 0);
        p.process(c);
        int[] ids = new int[c.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = c.id(i);
        }
        java.util.Arrays.sort(ids);
        return ids;
    }
}
