package dev.neox4j.engine.sampling;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PenaltiesTest {

    private static float[] apply(LogitProcessor p, float[] logits) {
        Candidates c = new Candidates(logits.length);
        c.load(logits, 0);
        p.process(c);
        float[] out = new float[logits.length];
        for (int i = 0; i < c.size(); i++) {
            out[c.id(i)] = c.logit(i);
        }
        return out;
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfPromptAndOutput() {
        TokenHistory h = new TokenHistory(6, new int[] {1, 2, 2});
        h.addGenerated(4);
        float[] out = apply(new RepetitionPenalty(2f, h), new float[] {3f, 3f, -3f, 3f, 0.5f, -1f});
        assertArrayEquals(new float[] {3f, 1.5f, -6f, 3f, 0.25f, -1f}, out);
    }

    @Test
    void presenceAndFrequencyPenaltiesFollowTheOpenAiFormula() {
        TokenHistory h = new TokenHistory(5, new int[] {0, 1}); // prompt tokens are not penalised
        h.addGenerated(2);
        h.addGenerated(2);
        h.addGenerated(2);
        h.addGenerated(3);
        float presence = 0.5f;
        float frequency = 0.25f;
        float[] out = apply(new PresenceFrequencyPenalty(presence, frequency, h), new float[] {1f, 1f, 1f, 1f, 1f});
        assertEquals(1f, out[0]);
        assertEquals(1f, out[1]);
        assertEquals(1f - 3 * frequency - presence, out[2], 1e-6);
        assertEquals(1f - frequency - presence, out[3], 1e-6);
        assertEquals(1f, out[4]);
    }

    @Test
    void logitBiasAddsToTheChosenTokens() {
        float[] out = apply(new LogitBias(Map.of(0, -100f, 2, 5f), 3), new float[] {1f, 2f, 3f});
        assertArrayEquals(new float[] {-99f, 2f, 8f}, out);
    }

    @Test
    void greedyHonoursLogitBiasAndPenaltiesFromTheSamplerHistory() {
        float[] logits = {0f, 4f, 3f};
        SamplingSettings forced = SamplingSettings.builder().temperature(0f).logitBias(Map.of(0, 10f)).build();
        assertArrayEquals(new int[] {0, 0, 0}, SamplerTestSupport.draws(forced, logits, 3));
        // frequency penalty 1.5: token 1 wins once, then 4 - 1.5 = 2.5 < 3 and token 2 wins, then 3 - 1.5 < 2.5 ...
        SamplingSettings freq = SamplingSettings.builder().temperature(0f).frequencyPenalty(1.5f).build();
        assertArrayEquals(new int[] {1, 2, 1, 2}, SamplerTestSupport.draws(freq, logits, 4));
        // repetition penalty sees the prompt: token 1 (in the prompt) 4 / 2 = 2 < 3
        Sampler rep = new Sampler(SamplingSettings.builder().temperature(0f).repetitionPenalty(2f).build(), 3,
                new int[] {1});
        assertEquals(2, rep.sample(logits, 0));
    }
}
