package dev.neox4j.engine.tensor.kernel;

/**
 * A tile of weight rows decoded once for a whole batch of activation rows, per thread (reused, grows only).
 *
 * <p>Per row slot {@code s}: {@code q[s * cols ..]} the dequantized weights {@code w'} (without block mins) in
 * element order; {@code min[s * nb + blk]} the block's {@code mx} (Q4_1/Q5_1) or {@code dmin} (Q2_K/Q4_K/Q5_K);
 * {@code coef[(s * nb + blk) * 16 + i]} the integer min of 16-element group {@code i} (K-quants with mins).
 */
final class Decoded {

    int cols;
    int nb;
    float[] q = new float[0];
    float[] min = new float[0];
    float[] coef = new float[0];
    /** Lane-sum scratch of the direct kernels (two rows). */
    final float[] red = new float[2 * VectorShapes.F];
    /** Scratch for the sixteen accumulators of a 4x4 tile. */
    final float[] red16 = new float[16 * VectorShapes.F];

    /** Prepares room for {@code rows} decoded rows of {@code cols} elements in blocks of {@code blockElems}. */
    void reset(int rows, int cols, int blockElems) {
        this.cols = cols;
        this.nb = cols / blockElems;
        q = grow(q, (long) rows * cols);
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
