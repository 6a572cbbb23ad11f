package dev.neox4j.engine.tensor.kernel;

import java.lang.foreign.MemorySegment;

/**
 * The two products of attention over a KV cache, for a tile of 1 to {@value #MAX_QUERIES} queries of one head
 * against the keys/values of one sequence: {@code S = Q·Kᵀ} ({@link #scores}) and {@code O = P·V}
 * ({@link #weightedSum}). A tile reads each key and value once for all its queries, which is what makes a long
 * prompt's attention a matrix product instead of one query-key pair at a time.
 *
 * <p>Numerics: every {@code q·k} and every output element is one chain of single-precision fused multiply-adds in
 * {@link #lanes()} lanes (element {@code d} goes to lane {@code d mod lanes}, the {@code hd mod lanes} trailing
 * elements to a scalar chain), the lanes summed in {@link VectorShapes#reduce}'s fixed pairwise order and the
 * scalar chain added last. The chains of one query never depend on the other queries of its tile, so a query gives
 * the same bits alone or in any tile, and the scalar twin ({@link ScalarAttentionDots}) gives the vector
 * implementation's bits for the same lane count.
 *
 * <p>Cache layout: element {@code d} of position {@code j} is at element index {@code off + j * stride + d} of the
 * segment, little-endian f16 ({@code half}) or f32.
 */
public interface AttentionDots {

    /**
     * Most queries in a tile: a prompt chunk's tile of this many queries reads (and, for the key-major scores,
     * converts) each key and value once.
     */
    int MAX_QUERIES = 64;

    /** Lanes of the product chains (the kernel family's float vector length). */
    int lanes();

    /**
     * {@code s[i * ss + j] = scale * (q_i · k_j)} for {@code i < nq}, {@code j < nKeys}.
     *
     * @param q      {@code nq} queries of {@code hd} floats, back to back from index 0 (already rounded as the
     *               cache type requires)
     * @param k      keys, laid out as described in the class comment
     */
    void scores(float[] q, int nq, int hd, MemorySegment k, boolean half, long off, long stride, int nKeys,
                float scale, float[] s, int ss);

    /**
     * {@code out[oo + i * os + d] = Σ_{j < n0 + i} p[i * ps + j] * v_j[d]} for {@code i < nq}, {@code d < hd}: the
     * queries of a tile are consecutive positions, so query {@code i} sees {@code n0 + i} positions. Each sum runs
     * over {@code j} in ascending order.
     */
    void weightedSum(float[] p, int ps, int nq, int n0, MemorySegment v, boolean half, long off, long stride, int hd,
                     float[] out, int oo, int os);

    /**
     * {@code s[off + j] = exp(s[off + j] - max)} for {@code j < n}, {@code max} the largest of those {@code n}
     * finite scores, with {@link SoftmaxExp}'s fixed operations: the same bits in every family and lane count.
     */
    void softmaxExp(float[] s, int off, int n);
}
