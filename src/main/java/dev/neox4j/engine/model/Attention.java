package dev.neox4j.engine.model;

import java.lang.foreign.MemorySegment;

/**
 * Causal self-attention of one query head against one sequence's {@link KvCache}, with llama.cpp's
 * roundings (docs/gpt-neox.md, "Attention" and "Roundings that make the bits match"):
 * <ul>
 *   <li>with an f16 cache, {@code K·Q} is an F16 matmul, so Q is rounded to f16; products are summed in
 *       double (llama.cpp sums f32 SIMD lanes into a double);</li>
 *   <li>scores are scaled by {@code 1/sqrt(hd)} before the (causal) mask, so only positions {@code <= p}
 *       take part;</li>
 *   <li>softmax subtracts the row maximum, exponentiates in f32, sums in double and multiplies by the f32
 *       reciprocal of the sum;</li>
 *   <li>with an f16 cache, {@code softmax·V} is an F16 matmul, so the probabilities are rounded to f16.</li>
 * </ul>
 * Each (token, head) result depends only on its own inputs, so the work can be split any way without
 * changing a bit.
 */
final class Attention {

    /** Per-thread scratch buffers; grow on demand, never shrink. */
    static final class Scratch {
        float[] q = new float[0];      // [hd]       query, rounded like the cache
        float[] scores = new float[0]; // [n_pos]    scores, then probabilities
        double[] acc = new double[0];  // [hd]       output accumulator

        void ensure(int hd, int positions) {
            if (q.length < hd) {
                q = new float[hd];
                acc = new double[hd];
            }
            if (scores.length < positions) {
                scores = new float[Math.max(positions, Math.min(2 * scores.length, Integer.MAX_VALUE - 16))];
            }
        }
    }

    private Attention() {
    }

    /**
     * Attention output of one head of one token.
     *
     * @param q        query values; this head's {@code hd} values start at {@code qOff} (after RoPE)
     * @param cache    the token's sequence; positions {@code 0..nPos-1} of {@code layer} must be written
     * @param layer    layer index
     * @param headOff  offset of the head inside a position ({@code h * hd})
     * @param hd       head dimension
     * @param nPos     number of visible positions ({@code p + 1} for a token at position {@code p})
     * @param kqScale  {@code 1/sqrt(hd)}
     * @param s        scratch (not shared with another thread)
     * @param out      receives {@code hd} values at {@code outOff}
     */
    static void head(float[] q, int qOff, KvCache cache, int layer, int headOff, int hd, int nPos, float kqScale,
                     Scratch s, float[] out, int outOff) {
        s.ensure(hd, nPos);
        int embd = cache.embeddingLength();
        boolean f16 = cache.isF16();
        float[] qh = s.q;            // [hd]
        float[] scores = s.scores;   // [nPos]
        double[] acc = s.acc;        // [hd]

        for (int d = 0; d < hd; d++) {
            float v = q[qOff + d];
            qh[d] = f16 ? Float.float16ToFloat(Float.floatToFloat16(v)) : v;
        }

        // scores[j] = (q · k_j) * kq_scale
        float max = Float.NEGATIVE_INFINITY;
        if (f16) {
            MemorySegment k = cache.keys(layer); // [capacity][embd] f16
            for (int j = 0; j < nPos; j++) {
                float sc = (float) dotF16(qh, k, (long) j * embd + headOff, hd) * kqScale;
                scores[j] = sc;
                max = Math.max(max, sc);
            }
        } else {
            MemorySegment k = cache.keys(layer); // [capacity][embd] f32
            for (int j = 0; j < nPos; j++) {
                float sc = (float) dotF32(qh, k, (long) j * embd + headOff, hd) * kqScale;
                scores[j] = sc;
                max = Math.max(max, sc);
            }
        }

        // softmax
        double sum = 0.0;
        for (int j = 0; j < nPos; j++) {
            float e = (float) Math.exp(scores[j] - max);
            scores[j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < nPos; j++) {
            float p = scores[j] * inv;
            scores[j] = f16 ? Float.float16ToFloat(Float.floatToFloat16(p)) : p;
        }

        // out = Σ_j p_j v_j
        java.util.Arrays.fill(acc, 0, hd, 0.0);
        if (f16) {
            MemorySegment v = cache.values(layer); // [capacity][embd] f16
            for (int j = 0; j < nPos; j++) {
                float p = scores[j];
                long base = (long) j * embd + headOff;
                for (int d = 0; d < hd; d++) {
                    acc[d] += p * Float.float16ToFloat(v.getAtIndex(KvCache.HALF, base + d));
                }
            }
        } else {
            MemorySegment v = cache.values(layer); // [capacity][embd] f32
            for (int j = 0; j < nPos; j++) {
                float p = scores[j];
                long base = (long) j * embd + headOff;
                for (int d = 0; d < hd; d++) {
                    acc[d] += p * v.getAtIndex(KvCache.FLOAT, base + d);
                }
            }
        }
        for (int d = 0; d < hd; d++) {
            out[outOff + d] = (float) acc[d];
        }
    }

    /** Σ q[d]*k[off+d] with f32 products summed in four double lanes (fixed order). */
    private static double dotF16(float[] q, MemorySegment k, long off, int n) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int d = 0;
        for (; d + 3 < n; d += 4) {
            a0 += q[d] * Float.float16ToFloat(k.getAtIndex(KvCache.HALF, off + d));
            a1 += q[d + 1] * Float.float16ToFloat(k.getAtIndex(KvCache.HALF, off + d + 1));
            a2 += q[d + 2] * Float.float16ToFloat(k.getAtIndex(KvCache.HALF, off + d + 2));
            a3 += q[d + 3] * Float.float16ToFloat(k.getAtIndex(KvCache.HALF, off + d + 3));
        }
        for (; d < n; d++) {
            a0 += q[d] * Float.float16ToFloat(k.getAtIndex(KvCache.HALF, off + d));
        }
        return (a0 + a1) + (a2 + a3);
    }

    /** Σ q[d]*k[off+d] with f32 products summed in four double lanes (fixed order). */
    private static double dotF32(float[] q, MemorySegment k, long off, int n) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int d = 0;
        for (; d + 3 < n; d += 4) {
            a0 += q[d] * k.getAtIndex(KvCache.FLOAT, off + d);
            a1 += q[d + 1] * k.getAtIndex(KvCache.FLOAT, off + d + 1);
            a2 += q[d + 2] * k.getAtIndex(KvCache.FLOAT, off + d + 2);
            a3 += q[d + 3] * k.getAtIndex(KvCache.FLOAT, off + d + 3);
        }
        for (; d < n; d++) {
            a0 += q[d] * k.getAtIndex(KvCache.FLOAT, off + d);
        }
        return (a0 + a1) + (a2 + a3);
    }
}
