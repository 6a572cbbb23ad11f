package dev.neox4j.engine.tensor.kernel;

import jdk.incubator.vector.FloatVector;

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
    /** Where the K-quant kernels keep a super-block's sixteen scales in {@link #red}. */
    static final int SCALES = Math.max(VectorShapes.F, 16);
    /** Where the Q4_0 pair kernels keep a row's per-block scale products in {@link #red}. */
    static final int BLOCK_SCALES = SCALES + 16;

    /**
     * Scratch of the direct kernels: {@code [0, F)} the lane sums of the reductions, from {@link #SCALES} sixteen
     * per-super-block sub-block scales (K-quants), from {@link #BLOCK_SCALES} one scale product per block of a row
     * ({@link #reserveBlockScales}).
     */
    float[] red = new float[BLOCK_SCALES];

    /** Grows {@link #red} to hold {@code blocks} block scale products (allocates only when it grows). */
    void reserveBlockScales(int blocks) {
        if (red.length < BLOCK_SCALES + blocks) {
            red = new float[BLOCK_SCALES + blocks];
        }
    }
    /** The accumulators of {@link PromptTiles} between column blocks (grows only). */
    private float[] acc = new float[0];

    /** {@link #acc} with room for {@code n} floats (allocates only when it grows). */
    float[] accumulators(int n) {
        if (acc.length < n) {
            acc = new float[n];
        }
        return acc;
    }

    /** The weight quants of {@link PromptTilesInt16} as shorts (grows only). */
    private short[] qs = new short[0];
    /** The block sums of one {@link PromptTilesInt16} register tile (grows only). */
    private short[] sums = new short[0];

    /** {@link #qs} with room for {@code n} shorts (allocates only when it grows). */
    short[] shortQuants(int n) {
        if (qs.length < n) {
            qs = new short[n];
        }
        return qs;
    }

    /** The column block's chains of one {@link PromptTiles} register tile (grows only). */
    private float[] chains = new float[0];

    /** {@link #chains} with room for {@code n} floats (allocates only when it grows). */
    float[] floatScratch(int n) {
        if (chains.length < n) {
            chains = new float[n];
        }
        return chains;
    }

    private float[] panelBlock = new float[0];

    /**
     * Scratch of at least {@code n} floats for a column block of prompt panels copied side by side (allocates only
     * when it grows).
     */
    float[] panelBlock(int n) {
        if (panelBlock.length < n) {
            panelBlock = new float[n];
        }
        return panelBlock;
    }

    /** {@link #sums} with room for {@code n} shorts (allocates only when it grows). */
    short[] shortScratch(int n) {
        if (sums.length < n) {
            sums = new short[n];
        }
        return sums;
    }

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

    /**
     * Turns the first {@code rows} decoded row slots of a block type without an additive min (kind
     * {@link DecodedDots#NO_MIN} or {@link DecodedDots#SUB_KMIN}, blocks of {@code blockElems}) into the
     * dequantized weights themselves, in place: {@code scale * q}, minus {@code min * coef} of the 16-element group
     * for Q2_K/Q4_K/Q5_K. This is what prompt rows are multiplied with (as plain float rows).
     */
    void dequantize(int rows, int kind, int blockElems) {
        for (int s = 0; s < rows; s++) {
            int qo = s * cols;
            for (int blk = 0; blk < nb; blk++) {
                int bi = s * nb + blk;
                int e0 = qo + blk * blockElems;
                FloatVector sc = VectorShapes.bc(scale[bi]);
                if (kind == DecodedDots.SUB_KMIN) {
                    float m = min[bi];
                    for (int g = 0; g < blockElems / 16; g++) {
                        FloatVector off = VectorShapes.bc(-(m * coef[bi * 16 + g]));
                        for (int j = 0; j < 16; j += VectorShapes.F) {
                            int e = e0 + 16 * g + j;
                            VectorShapes.ld(q, e).fma(sc, off).intoArray(q, e);
                        }
                    }
                } else {
                    for (int j = 0; j < blockElems; j += VectorShapes.F) {
                        VectorShapes.ld(q, e0 + j).mul(sc).intoArray(q, e0 + j);
                    }
                }
            }
        }
    }

    private static float[] grow(float[] a, long n) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("decode tile too large: " + n);
        }
        return a.length >= n ? a : new float[(int) n];
    }
}
