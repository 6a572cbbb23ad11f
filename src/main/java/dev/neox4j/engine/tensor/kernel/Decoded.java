package dev.neox4j.engine.tensor.kernel;

/**
 * A tile of weight rows decoded once for a whole batch of activation rows, per thread (reused, grows only).
 * The values are exact: integer quants (times their integer sub-block scale for K-quants) or the float weights
 * themselves, so the generic kernels of {@link DecodedDots} reproduce the direct kernels bit for bit.
 *
 * <p>Per row slot {@code s}: {@code q[s * cols ..]} the {@code cols} values in element order;
 * {@code scale[s * nb + blk]} the block's float scale ({@code dx} or the super-block {@code d});
 * {@code min[s * nb + blk]} the block's {@code mx} (Q4_1/Q5_1) or {@code dmin} (Q2_K/Q4_K/Q5_K);
 * {@code coef[(s * nb + blk) * 16 + i]} the integer min of the 16-element group {@code i} (K-quants with mins).
 */
final class Decoded {

    int cols;
    int nb;
    float[] q = new float[0];
    float[] scale = new float[0];
    float[] min = new float[0];
    float[] coef = new float[0];
    /** Lane-sum scratch of the reductions. */
    final float[] red = new float[VectorShapes.F];
    /** Scratch for the sixteen lane sums of a 4x4 tile. */
    final float[] red16 = new float[16 * VectorShapes.F];
    /** Scratch for the eight accumulators of a 2x4 tile. */
    final float[] red8 = new float[8 * VectorShapes.F];

    /** Prepares room for {@code rows} decoded rows of {@code cols} elements in blocks of {@code blockElems}. */
    void reset(int rows, int cols, int blockElems) {
        this.cols = cols;
        this.nb = cols / blockElems;
        q = grow(q, (long) rows * cols);
        scale = grow(scale, (long) rows * nb);
        min = grow(min, (long) rows * nb);
        coef = grow(coef, (long) rows * nb * 16);
    }

    private static float[] grow(float[] a, long n) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("decode tile too large: " + n);
        }
        return a.length >= n ? a : new float[(int) n];
    }
}
