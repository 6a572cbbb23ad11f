package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;

import dev.neox4j.engine.tensor.Activations;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The batched kernel over {@link Decoded} rows, shared by all types: a 4x4 register tile (four weight rows times
 * four activation rows, one FMA chain per pair over the {@code F}-element vectors in element order), then per
 * pair the fixed-order lane sum, the scalar tail (float types whose row length is not a multiple of {@code F})
 * and the min terms in block order, exactly as the direct kernels ({@link RowDot#dot2}) do. Partial tiles repeat
 * a row or activation index; the repeats are computed but not written.
 */
final class DecodedDots {

    /** No min term (float types, Q4_0, Q5_0, Q8_0, Q3_K, Q6_K). */
    static final int NO_MIN = 0;
    /** Q4_1/Q5_1: {@code + mx * sy} per block. */
    static final int ADD_MIN = 1;
    /** Q2_K/Q4_K/Q5_K: {@code - (dmin * dy) * sum_i coef_i * bsum_i} per super-block. */
    static final int SUB_KMIN = 2;

    private DecodedDots() {
    }

    /**
     * {@code sum_i coef_i * bsum_i} over 16 groups. Every product and partial sum is an integer below 2^24, so the
     * result is exact and independent of the order, which lets it use a lane reduction.
     */
    static float kminSum(float[] coef, int co, float[] bs, int bo) {
        float s = 0f;
        for (int i = 0; i < 16; i += F) {
            s += ld(coef, co + i).mul(ld(bs, bo + i)).reduceLanes(VectorOperators.ADD);
        }
        return s;
    }

    /** The min terms of decoded row {@code slot} for activation row {@code b}, accumulated in block order. */
    static float minSum(Decoded d, int slot, Activations a, int b, int kind) {
        float msum = 0f;
        if (kind == ADD_MIN) {
            float[] sy = a.sums();
            int so = a.sumsOffset(b);
            for (int blk = 0; blk < d.nb; blk++) {
                msum += d.min[slot * d.nb + blk] * sy[so + blk];
            }
        } else if (kind == SUB_KMIN) {
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            for (int blk = 0; blk < d.nb; blk++) {
                int bi = slot * d.nb + blk;
                msum += (d.min[bi] * dy[so + blk]) * kminSum(d.coef, bi * 16, a.sums(), a.sumsOffset(b) + 16 * blk);
            }
        }
        return msum;
    }

    /** Combines the lane sum, the tail and the min terms as the direct kernels do. */
    static float finish(float lanes, float tail, float msum, int kind) {
        float r = lanes + tail;
        return kind == ADD_MIN ? r + msum : kind == SUB_KMIN ? r - msum : r;
    }

    /**
     * Dots of decoded rows {@code s0..s3} with activation rows {@code b0..b3}; the first {@code nr} rows and
     * {@code na} activations are distinct and written to {@code out[o + s_i + b_j * stride]}.
     */
    static void tile(Decoded d, int s0, int s1, int s2, int s3, int nr, Activations a, int b0, int b1, int b2,
                     int b3, int na, int kind, float[] out, int o, int stride) {
        float[] q = d.q;
        int cols = d.cols;
        int w0 = s0 * cols;
        int w1 = s1 * cols;
        int w2 = s2 * cols;
        int w3 = s3 * cols;
        float[] y = a.scaled();
        int y0 = a.valuesOffset(b0);
        int y1 = a.valuesOffset(b1);
        int y2 = a.valuesOffset(b2);
        int y3 = a.valuesOffset(b3);
        FloatVector z = FloatVector.zero(FS);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        int i = 0;
        for (; i + F <= cols; i += F) {
            FloatVector x0 = ld(q, w0 + i);
            FloatVector x1 = ld(q, w1 + i);
            FloatVector x2 = ld(q, w2 + i);
            FloatVector x3 = ld(q, w3 + i);
            FloatVector v = ld(y, y0 + i);
            c00 = x0.fma(v, c00);
            c10 = x1.fma(v, c10);
            c20 = x2.fma(v, c20);
            c30 = x3.fma(v, c30);
            v = ld(y, y1 + i);
            c01 = x0.fma(v, c01);
            c11 = x1.fma(v, c11);
            c21 = x2.fma(v, c21);
            c31 = x3.fma(v, c31);
            v = ld(y, y2 + i);
            c02 = x0.fma(v, c02);
            c12 = x1.fma(v, c12);
            c22 = x2.fma(v, c22);
            c32 = x3.fma(v, c32);
            v = ld(y, y3 + i);
            c03 = x0.fma(v, c03);
            c13 = x1.fma(v, c13);
            c23 = x2.fma(v, c23);
            c33 = x3.fma(v, c33);
        }
        float[] r = d.red16;
        c00.intoArray(r, 0);
        c01.intoArray(r, F);
        c02.intoArray(r, 2 * F);
        c03.intoArray(r, 3 * F);
        c10.intoArray(r, 4 * F);
        c11.intoArray(r, 5 * F);
        c12.intoArray(r, 6 * F);
        c13.intoArray(r, 7 * F);
        c20.intoArray(r, 8 * F);
        c21.intoArray(r, 9 * F);
        c22.intoArray(r, 10 * F);
        c23.intoArray(r, 11 * F);
        c30.intoArray(r, 12 * F);
        c31.intoArray(r, 13 * F);
        c32.intoArray(r, 14 * F);
        c33.intoArray(r, 15 * F);
        complete(d, s0, s1, s2, s3, nr, a, b0, b1, b2, b3, na, kind, i, out, o, stride);
    }

    private static int pick(int i, int v0, int v1, int v2, int v3) {
        return i == 0 ? v0 : i == 1 ? v1 : i == 2 ? v2 : v3;
    }

    private static void complete(Decoded d, int s0, int s1, int s2, int s3, int nr, Activations a, int b0, int b1,
                                 int b2, int b3, int na, int kind, int from, float[] out, int o, int stride) {
        float[] q = d.q;
        float[] y = a.scaled();
        int cols = d.cols;
        for (int ri = 0; ri < nr; ri++) {
            int s = pick(ri, s0, s1, s2, s3);
            for (int bj = 0; bj < na; bj++) {
                int b = pick(bj, b0, b1, b2, b3);
                float tail = 0f;
                for (int i = from; i < cols; i++) {
                    tail += q[s * cols + i] * y[a.valuesOffset(b) + i];
                }
                float lanes = VectorShapes.reduce(d.red16, (4 * ri + bj) * F);
                out[o + s + b * stride] = finish(lanes, tail, minSum(d, s, a, b, kind), kind);
            }
        }
    }
}
