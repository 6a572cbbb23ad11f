package dev.neox4j.engine.sampling;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LogprobsTest {

    @Test
    void matchesADirectLogSoftmax() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 50_432;
        float[] row = new float[n + 3];
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) (r.nextGaussian() * 4 + 30); // large offset: needs the max subtraction
        }
        int offset = 3;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(row[offset + i] - 30.0);
        }
        double logZ = 30.0 + Math.log(sum);
        Logprobs.Result res = Logprobs.compute(row, offset, n, 1234, 20);
        assertEquals(row[offset + 1234] - logZ, res.logprob(), 1e-5);
        assertEquals(20, res.topIds().length);
        for (int j = 0; j < 20; j++) {
            int id = res.topIds()[j];
            assertEquals(row[offset + id] - logZ, res.topLogprobs()[j], 1e-5);
            if (j > 0) {
                assertEquals(true, res.topLogprobs()[j] <= res.topLogprobs()[j - 1], "most likely first");
            }
        }
        float best = Float.NEGATIVE_INFINITY;
        int bestId = -1;
        for (int i = 0; i < n; i++) {
            if (row[offset + i] > best) {
                best = row[offset + i];
                bestId = i;
            }
        }
        assertEquals(bestId, res.topIds()[0]);
    }

    @Test
    void tiesAreOrderedByLowerIdAndProbabilitiesSumToOne() {
        float[] row = {1f, 2f, 2f, 0f, 2f};
        Logprobs.Result res = Logprobs.compute(row, 0, 5, 3, 4);
        assertArrayEquals(new int[] {1, 2, 4, 0}, res.topIds());
        double total = 0;
        for (float l : Logprobs.compute(row, 0, 5, 0, 5).topLogprobs()) {
            total += Math.exp(l);
        }
        assertEquals(1.0, total, 1e-6);
        assertEquals(0, Logprobs.compute(row, 0, 5, 0, 0).topIds().length);
        assertThrows(IllegalArgumentException.class, () -> Logprobs.compute(row, 0, 5, 0, 21));
        assertThrows(IllegalArgumentException.class, () -> Logprobs.compute(row, 0, 5, 5, 1));
    }
}
