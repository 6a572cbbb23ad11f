package dev.neox4j.engine.model;

import dev.neox4j.engine.tensor.kernel.AttentionDots;

/**
 * Causal self-attention of a tile of 1 to {@value AttentionDots#MAX_QUERIES} queries of one head (consecutive
 * positions of one sequence) against that sequence's {@link KvCache}, with llama.cpp's roundings
 * (docs/gpt-neox.md, "Attention" and "Roundings that make the bits match"):
 * <ul>
 *   <li>with an f16 cache, {@code K·Q} is an F16 matmul, so Q is rounded to f16;</li>
 *   <li>scores are scaled by {@code 1/sqrt(hd)} before the (causal) mask, so query {@code i} of a tile whose first
 *       query sees {@code n0} positions sees {@code n0 + i};</li>
 *   <li>softmax subtracts the row maximum, exponentiates in f32 (a fixed polynomial, {@code SoftmaxExp}, within
 *       2 ulp of {@code exp}), sums in double and multiplies by the f32 reciprocal of the sum;</li>
 *   <li>with an f16 cache, {@code softmax·V} is an F16 matmul, so the probabilities are rounded to f16.</li>
 * </ul>
 * The two products are the kernel family's {@link AttentionDots}: each key and value is read once per tile, and a
 * query's result does not depend on the tile it is in, so the work can be split and grouped any way without
 * changing a bit.
 */
final class Attention {

    /** Per-thread scratch buffers and kernel; the buffers grow on demand and never shrink. */
    static final class Scratch {
        final AttentionDots dots;
        float[] q = new float[0];      // [nq][hd]     queries, rounded like the cache
        float[] scores = new float[0]; // [nq][n_pos]  scores, then probabilities

        Scratch(AttentionDots dots) {
            this.dots = dots;
        }

        /**
         * Room for {@code nq} queries against {@code positions} keys: sized by the tile at hand, not by
         * {@link AttentionDots#MAX_QUERIES}, so that a decode step's single query grows the scores by one position
         * at a time (geometrically), not by a whole tile's row each.
         */
        void ensure(int hd, int nq, int positions) {
            if (q.length < nq * hd) {
                q = new float[nq * hd];
            }
            if (scores.length < (long) nq * positions) {
                long grown = Math.max((long) nq * positions, Math.min(2L * scores.length, Integer.MAX_VALUE - 16));
                scores = new float[(int) Math.min(grown, Integer.MAX_VALUE - 16)];
            }
        }
    }

    private Attention() {
    }

    /**
     * Attention output of one head for {@code nq} queries at consecutive positions of one sequence.
     *
     * @param qkv      rows of the fused projection; query {@code i}'s head starts at {@code qo + i * qs} (after RoPE)
     * @param cache    the queries' sequence; positions {@code 0..n0+nq-2} of {@code layer} must be written
     * @param layer    layer index
     * @param headOff  offset of the head inside a position ({@code h * hd})
     * @param hd       head dimension
     * @param n0       positions visible to the first query ({@code p + 1} for a query at position {@code p})
     * @param kqScale  {@code 1/sqrt(hd)}
     * @param s        scratch (not shared with another thread)
     * @param out      receives query {@code i}'s {@code hd} values at {@code oo + i * os}
     */
    static void tile(float[] qkv, int qo, int qs, int nq, KvCache cache, int layer, int headOff, int hd, int n0,
                     float kqScale, Scratch s, float[] out, int oo, int os) {
        int nKeys = n0 + nq - 1;
        s.ensure(hd, nq, nKeys);
        boolean f16 = cache.isF16();
        float[] qh = s.q;            // [nq][hd]
        float[] scores = s.scores;   // [nq][nKeys]
        for (int i = 0; i < nq; i++) {
            for (int d = 0; d < hd; d++) {
                float v = qkv[qo + i * qs + d];
                qh[i * hd + d] = f16 ? Float.float16ToFloat(Float.floatToFloat16(v)) : v;
            }
        }
        long stride = cache.embeddingLength();

        // scores[i][j] = (q_i · k_j) * kq_scale
        s.dots.scores(qh, nq, hd, cache.keys(layer), f16, headOff, stride, nKeys, kqScale, scores, nKeys);

        // softmax of each query's visible positions
        for (int i = 0; i < nq; i++) {
            softmax(s.dots, scores, i * nKeys, n0 + i, f16);
        }

        // out_i = Σ_j p_ij v_j
        s.dots.weightedSum(scores, nKeys, nq, n0, cache.values(layer), f16, headOff, stride, hd, out, oo, os);
    }

    /** Attention output of one head of one token ({@link #tile} of one query). */
    static void head(float[] q, int qOff, KvCache cache, int layer, int headOff, int hd, int nPos, float kqScale,
                     Scratch s, float[] out, int outOff) {
        tile(q, qOff, 0, 1, cache, layer, headOff, hd, nPos, kqScale, s, out, outOff, 0);
    }

    private static void softmax(AttentionDots dots, float[] scores, int off, int n, boolean f16) {
        dots.softmaxExp(scores, off, n); // exp(score - max), the same bits in every kernel family
        double sum = 0.0;
        for (int j = 0; j < n; j++) {
            sum += scores[off + j];
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < n; j++) {
            float p = scores[off + j] * inv;
            scores[off + j] = f16 ? Float.float16ToFloat(Float.floatToFloat16(p)) : p;
        }
    }
}
