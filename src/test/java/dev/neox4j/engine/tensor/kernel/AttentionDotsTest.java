package dev.neox4j.engine.tensor.kernel;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The attention products: the vector kernel gives its scalar twin's bits, a query gives the same bits alone or in a
 * tile of four, and both match a double-precision reference closely.
 */
class AttentionDotsTest {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A cache of {@code n} positions x {@code stride} elements of random values. */
    private static MemorySegment cache(Arena arena, boolean half, int n, int stride, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        MemorySegment m = arena.allocate((long) n * stride * (half ? 2 : 4), 64);
        for (long i = 0; i < (long) n * stride; i++) {
            float x = (float) r.nextGaussian();
            if (half) {
                m.setAtIndex(HALF, i, Float.floatToFloat16(x));
            } else {
                m.setAtIndex(FLOAT, i, x);
            }
        }
        return m;
    }

    private static float at(MemorySegment m, boolean half, long i) {
        return half ? Float.float16ToFloat(m.getAtIndex(HALF, i)) : m.getAtIndex(FLOAT, i);
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    @Test
    void vectorEqualsScalarTwinAndTilesEqualSingleQueries() {
        assertNull(VectorSupport.unavailableReason(), "the tests run with the Vector API");
        AttentionDots vector = new VectorAttentionDots();
        AttentionDots scalar = new ScalarAttentionDots(vector.lanes());
        int stride = 3 * 80 + 7;
        try (Arena arena = Arena.ofConfined()) {
            for (boolean half : new boolean[] {true, false}) {
                MemorySegment kv = cache(arena, half, 70, stride, half ? 1 : 2);
                for (int hd : new int[] {8, 64, 80, 128 - 3}) {
                    if (hd + 5 > stride) {
                        continue;
                    }
                    int off = 5;
                    int n0 = 61;
                    int nKeys = n0 + 3;
                    float[] q = random(4 * hd, hd);
                    String what = "hd " + hd + " queries 4 half " + half;
                    float[] sv = checkedScores(vector, scalar, q, 4, hd, kv, half, off, stride, nKeys, what);
                    for (int i = 0; i < 4; i++) {
                        for (int j = 0; j < nKeys; j += 13) {
                            double ref = 0;
                            for (int d = 0; d < hd; d++) {
                                ref += (double) q[i * hd + d] * at(kv, half, off + (long) j * stride + d);
                            }
                            assertEquals(0.125 * ref, sv[i * nKeys + j], 1e-5 * Math.sqrt(hd), "score " + i + "," + j);
                        }
                    }

                    float[] p = random(4 * nKeys, 7 + hd);
                    int os = hd + 3;
                    float[] out = checkedWeightedSum(vector, scalar, p, 4, n0, kv, half, off, stride, hd, os, what);
                    for (int i = 0; i < 4; i++) {
                        for (int d = 0; d < hd; d++) {
                            double ref = 0;
                            for (int j = 0; j < n0 + i; j++) {
                                ref += (double) p[i * nKeys + j] * at(kv, half, off + (long) j * stride + d);
                            }
                            assertEquals(ref, out[i * os + d], 1e-5 * Math.sqrt(n0), "out " + i + "," + d);
                        }
                    }
                }
            }
        }
    }

    /**
     * Tiles of many queries (the key-major scores of a prompt chunk with 16 lanes, groups of four in the weighted
     * sum): every query gets the bits of the scalar twin and of the same query alone, for key counts that end inside
     * a block of 16 keys.
     */
    @Test
    void largeTilesEqualScalarTwinAndSingleQueries() {
        AttentionDots vector = new VectorAttentionDots();
        AttentionDots scalar = new ScalarAttentionDots(vector.lanes());
        int stride = 3 * 128 + 7;
        try (Arena arena = Arena.ofConfined()) {
            for (boolean half : new boolean[] {true, false}) {
                MemorySegment kv = cache(arena, half, 140, stride, half ? 3 : 4);
                for (int hd : new int[] {64, 128, 80, 72}) {
                    for (int nq : new int[] {5, VectorAttentionDots.KEY_MAJOR_QUERIES, 13, 64}) {
                        int off = 3;
                        int n0 = 140 - nq - 10;
                        int nKeys = n0 + nq - 1;
                        float[] q = random(nq * hd, hd * 100L + nq);
                        String what = "hd " + hd + " queries " + nq + " half " + half;
                        checkedScores(vector, scalar, q, nq, hd, kv, half, off, stride, nKeys, what);
                        float[] p = random(nq * nKeys, 11 + hd + nq);
                        checkedWeightedSum(vector, scalar, p, nq, n0, kv, half, off, stride, hd, hd + 1, what);
                    }
                }
            }
        }
    }

    /**
     * The vector scores of the {@code nq} queries {@code q} against {@code nKeys} keys (scale 1/8), after asserting
     * that they are bit for bit the scalar twin's and those of each query alone.
     */
    private static float[] checkedScores(AttentionDots vector, AttentionDots scalar, float[] q, int nq, int hd,
                                         MemorySegment kv, boolean half, int off, int stride, int nKeys, String what) {
        float[][] sc = new float[3][nq * nKeys];
        vector.scores(q, nq, hd, kv, half, off, stride, nKeys, 0.125f, sc[0], nKeys);
        scalar.scores(q, nq, hd, kv, half, off, stride, nKeys, 0.125f, sc[1], nKeys);
        float[] one = new float[nKeys];
        for (int i = 0; i < nq; i++) {
            vector.scores(java.util.Arrays.copyOfRange(q, i * hd, (i + 1) * hd), 1, hd, kv, half, off, stride, nKeys,
                    0.125f, one, nKeys);
            System.arraycopy(one, 0, sc[2], i * nKeys, nKeys);
        }
        assertArrayEquals(sc[1], sc[0], "scores: vector = scalar twin, " + what);
        assertArrayEquals(sc[2], sc[0], "scores: tile = one by one, " + what);
        return sc[0];
    }

    /**
     * The vector weighted sums of {@code nq} queries (rows of {@code p}, query {@code i} seeing {@code n0 + i} keys),
     * output rows {@code os} apart, after asserting that they are bit for bit the scalar twin's and those of each
     * query alone.
     */
    private static float[] checkedWeightedSum(AttentionDots vector, AttentionDots scalar, float[] p, int nq, int n0,
                                              MemorySegment kv, boolean half, int off, int stride, int hd, int os,
                                              String what) {
        int nKeys = n0 + nq - 1;
        float[][] out = new float[3][nq * os];
        vector.weightedSum(p, nKeys, nq, n0, kv, half, off, stride, hd, out[0], 0, os);
        scalar.weightedSum(p, nKeys, nq, n0, kv, half, off, stride, hd, out[1], 0, os);
        for (int i = 0; i < nq; i++) {
            vector.weightedSum(java.util.Arrays.copyOfRange(p, i * nKeys, (i + 1) * nKeys), nKeys, 1, n0 + i, kv, half,
                    off, stride, hd, out[2], i * os, 0);
        }
        assertArrayEquals(out[1], out[0], "P·V: vector = scalar twin, " + what);
        assertArrayEquals(out[2], out[0], "P·V: tile = one by one, " + what);
        return out[0];
    }

    /**
     * The softmax exponential: the vector kernel gives the scalar twin's bits for every length (full vectors and
     * tails), the row maximum maps to exactly 1, and every value is within 2 ulp of {@code Math.exp} down to the
     * clamp (below it, a tiny positive value instead of a smaller one).
     */
    @Test
    void softmaxExpVectorEqualsScalarTwinAndTracksMathExp() {
        VectorAttentionDots vector = new VectorAttentionDots();
        ScalarAttentionDots scalar = new ScalarAttentionDots(VectorShapes.F);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int n : new int[] {1, 3, 15, 16, 17, 64, 100, 1537}) {
            float[] x = new float[n + 5];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextDouble() * 120 - 100); // spans the clamp at -87 below the maximum
            }
            float[] v = x.clone();
            float[] sc = x.clone();
            vector.softmaxExp(v, 3, n);
            scalar.softmaxExp(sc, 3, n);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, x[3 + j]);
            }
            for (int j = 0; j < x.length; j++) {
                assertEquals(Float.floatToRawIntBits(sc[j]), Float.floatToRawIntBits(v[j]), "n " + n + " j " + j);
                if (j < 3 || j >= 3 + n) {
                    assertEquals(x[j], v[j], "outside the range at " + j);
                    continue;
                }
                float arg = x[j] - max;
                if (arg == 0f) {
                    assertEquals(1f, v[j], "exp(0)");
                } else if (arg >= SoftmaxExp.MIN_X) {
                    float want = (float) Math.exp(arg);
                    assertEquals(want, v[j], 2 * Math.ulp(want), "exp(" + arg + ")");
                } else {
                    assertTrue(v[j] > 0f && v[j] <= (float) Math.exp(SoftmaxExp.MIN_X) * 1.0001f, "clamped exp");
                }
            }
        }
    }

    @Test
    void scalarTwinRejectsOddLaneCounts() {
        assertThrows(IllegalArgumentException.class, () -> new ScalarAttentionDots(3));
        assertEquals(16, new ScalarKernels().newAttentionDots().lanes());
    }
}
