package dev.neox4j.engine.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CandidatesTest {

    @Test
    void sortKeyRoundTripsAndOrdersByLogitThenId() {
        float[] values = {Float.NEGATIVE_INFINITY, -3.5f, -0f, 0f, 1e-30f, 2.25f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
        for (float v : values) {
            assertEquals(Float.floatToIntBits(v), Float.floatToIntBits(Candidates.logitOf(Candidates.key(v, 7))));
        }
        for (int i = 0; i + 1 < values.length; i++) {
            if (values[i] < values[i + 1]) {
                assertTrue(Candidates.key(values[i + 1], 5) < Candidates.key(values[i], 5), "higher logit first");
            }
        }
        assertTrue(Candidates.key(1f, 3) < Candidates.key(1f, 4), "equal logits: lower id first");
    }

    @Test
    void sortTopSelectsTheSameSetAsAFullSortIncludingTies() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 5000;
        float[] row = new float[n];
        for (int i = 0; i < n; i++) {
            row[i] = (float) Math.floor(r.nextDouble() * 200) / 8f; // many ties
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -row[i]).thenComparingInt(i -> i));
        Candidates c = new Candidates(n);
        for (int m : new int[] {1, 2, 40, 333, n}) {
            c.load(row, 0);
            c.sortTop(m);
            assertEquals(m, c.sortedPrefix());
            for (int i = 0; i < m; i++) {
                assertEquals(order[i], c.id(i), "rank " + i + " of top " + m);
                assertEquals(row[order[i]], c.logit(i));
            }
            assertEquals(n, c.size(), "sortTop keeps every candidate");
        }
    }

    @Test
    void loadTurnsNanIntoNegativeInfinity() {
        Candidates c = new Candidates(3);
        c.load(new float[] {9f, Float.NaN, 1f, 2f}, 1);
        assertEquals(Float.NEGATIVE_INFINITY, c.logit(0));
        assertEquals(2, c.argmax());
        assertTrue(c.isIdentity());
    }
}
