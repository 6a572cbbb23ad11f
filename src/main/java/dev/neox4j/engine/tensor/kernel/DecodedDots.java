package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bc;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.sum;

import dev.neox4j.engine.tensor.Activations;
import jdk.incubator.vector.FloatVector;

/**
 * Generic dot products over {@link Decoded} weight rows, shared by all types in the batched path. They perform,
 * per (weight row, activation row), exactly the floating-point operations of the type's direct kernel:
 * <ul>
 *   <li>{@link #FLOAT}: two lane-wise FMA chains over {@code 2F} steps, one {@code F} step into the first chain
 *       if left, the fixed-order lane sum of their sum, then the remaining elements in order;</li>
 *   <li>block types: per block the exact integer lanes {@code sum q*y}, then {@code acc = lanes * (scale * dy)
 *       + acc}; lane sum at the end; min terms {@link #ADD_MIN} ({@code + sum mx * sy}, Q4_1/Q5_1) or
 *       {@link #SUB_KMIN} ({@code - sum (dmin * dy) * sum_i coef_i * bsum_i}, Q2_K/Q4_K/Q5_K) accumulated in block
 *       order in a float.</li>
 * </ul>
 */
final class DecodedDots {

    /** Plain float weights (F32, F16, BF16). */
    static final int FLOAT = 0;
    /** Block type without a min term (Q4_0, Q5_0, Q8_0, Q3_K, Q6_K). */
    static final int NO_MIN = 1;
    /** Q4_1/Q5_1: {@code + mx * sy} per block. */
    static final int ADD_MIN = 2;
    /** Q2_K/Q4_K/Q5_K: {@code - (dmin * dy) * sum_i coef_i * bsum_i} per super-block. */
    static final int SUB_KMIN = 3;

    private DecodedDots() {
    }

    static float dot1(Decoded d, int slot, Activations a, int b, int kind, int blockElems) {
        return kind == FLOAT ? dot1Float(d, slot, a, b) : dot1Blocks(d, slot, a, b, kind, blockElems);
    }

    private static float dot1Float(Decoded d, int slot, Activations a, int b) {
        float[] q = d.q;
        int qo = slot * d.cols;
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        int cols = d.cols;
        {
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            int i = 0;
            for (; i + 2 * F <= cols; i += 2 * F) {
                acc0 = ld(q, qo + i).fma(ld(y, yo + i), acc0);
                acc1 = ld(q, qo + i + F).fma(ld(y, yo + i + F), acc1);
            }
            if (i + F <= cols) {
                acc0 = ld(q, qo + i).fma(ld(y, yo + i), acc0);
                i += F;
            }
            float tail = 0f;
            for (; i < cols; i++) {
                tail += q[qo + i] * y[yo + i];
            }
            return sum(acc0.add(acc1), d.red) + tail;
        }
    }

    private static float dot1Blocks(Decoded d, int slot, Activations a, int b, int kind, int blockElems) {
        float[] q = d.q;
        int qo = slot * d.cols;
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        int nb = d.nb;
        int bo = slot * nb;
        FloatVector acc = FloatVector.zero(FS);
        float msum = 0f;
        for (int blk = 0; blk < nb; blk++) {
            int e = blk * blockElems;
            FloatVector isum = FloatVector.zero(FS);
            for (int j = 0; j < blockElems; j += F) {
                isum = ld(q, qo + e + j).fma(ld(y, yo + e + j), isum);
            }
            float dyb = dy[so + blk];
            acc = isum.fma(bc(d.scale[bo + blk] * dyb), acc);
            if (kind == ADD_MIN) {
                msum += d.min[bo + blk] * a.sums()[a.sumsOffset(b) + blk];
            } else if (kind == SUB_KMIN) {
                msum += (d.min[bo + blk] * dyb) * kminSum(d.coef, (bo + blk) * 16, a.sums(), a.sumsOffset(b) + 16 * blk);
            }
        }
        float r = sum(acc, d.red);
        return kind == ADD_MIN ? r + msum : kind == SUB_KMIN ? r - msum : r;
    }

    /** {@code sum_i coef_i * bsum_i} over 16 groups; exact (integers below 2^24). */
    static float kminSum(float[] coef, int co, float[] bs, int bo) {
        float s = 0f;
        for (int i = 0; i < 16; i++) {
            s += coef[co + i] * bs[bo + i];
        }
        return s;
    }

    /** Dots of decoded row {@code slot} with activation rows {@code b .. b+3}, to {@code out[o + i * stride]}. */
    static void dot4(Decoded d, int slot, Activations a, int b, int kind, int blockElems, float[] out, int o,
                     int stride) {
        if (kind == FLOAT) {
            dot4Float(d, slot, a, b, out, o, stride);
        } else {
            dot4Blocks(d, slot, a, b, kind, blockElems, out, o, stride);
        }
    }

    private static void dot4Float(Decoded d, int slot, Activations a, int b, float[] out, int o, int stride) {
        float[] q = d.q;
        int qo = slot * d.cols;
        float[] y = a.values();
        int y0 = a.valuesOffset(b);
        int rs = a.cols();
        int cols = d.cols;
        float[] red = d.red;
        {
            FloatVector z = FloatVector.zero(FS);
            FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
            int i = 0;
            for (; i + 2 * F <= cols; i += 2 * F) {
                FloatVector w0 = ld(q, qo + i);
                FloatVector w1 = ld(q, qo + i + F);
                int p = y0 + i;
                a00 = w0.fma(ld(y, p), a00);
                a01 = w1.fma(ld(y, p + F), a01);
                a10 = w0.fma(ld(y, p + rs), a10);
                a11 = w1.fma(ld(y, p + rs + F), a11);
                a20 = w0.fma(ld(y, p + 2 * rs), a20);
                a21 = w1.fma(ld(y, p + 2 * rs + F), a21);
                a30 = w0.fma(ld(y, p + 3 * rs), a30);
                a31 = w1.fma(ld(y, p + 3 * rs + F), a31);
            }
            if (i + F <= cols) {
                FloatVector w0 = ld(q, qo + i);
                int p = y0 + i;
                a00 = w0.fma(ld(y, p), a00);
                a10 = w0.fma(ld(y, p + rs), a10);
                a20 = w0.fma(ld(y, p + 2 * rs), a20);
                a30 = w0.fma(ld(y, p + 3 * rs), a30);
                i += F;
            }
            float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f;
            for (; i < cols; i++) {
                float v = q[qo + i];
                int p = y0 + i;
                t0 += v * y[p];
                t1 += v * y[p + rs];
                t2 += v * y[p + 2 * rs];
                t3 += v * y[p + 3 * rs];
            }
            out[o] = sum(a00.add(a01), red) + t0;
            out[o + stride] = sum(a10.add(a11), red) + t1;
            out[o + 2 * stride] = sum(a20.add(a21), red) + t2;
            out[o + 3 * stride] = sum(a30.add(a31), red) + t3;
        }
    }

    private static void dot4Blocks(Decoded d, int slot, Activations a, int b, int kind, int blockElems, float[] out,
                                   int o, int stride) {
        float[] q = d.q;
        int qo = slot * d.cols;
        float[] y = a.values();
        int y0 = a.valuesOffset(b);
        int rs = a.cols();
        float[] red = d.red;
        float[] dy = a.scales();
        int s0 = a.scalesOffset(b);
        int spr = a.scalesPerRow();
        float[] sy = a.sums();
        int t0 = a.sumsOffset(b);
        int tpr = a.sumsPerRow();
        int nb = d.nb;
        int bo = slot * nb;
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
        float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
        for (int blk = 0; blk < nb; blk++) {
            int e = blk * blockElems;
            FloatVector i0 = z, i1 = z, i2 = z, i3 = z;
            for (int j = 0; j < blockElems; j += F) {
                FloatVector w = ld(q, qo + e + j);
                int p = y0 + e + j;
                i0 = w.fma(ld(y, p), i0);
                i1 = w.fma(ld(y, p + rs), i1);
                i2 = w.fma(ld(y, p + 2 * rs), i2);
                i3 = w.fma(ld(y, p + 3 * rs), i3);
            }
            float sc = d.scale[bo + blk];
            float d0 = dy[s0 + blk];
            float d1 = dy[s0 + spr + blk];
            float d2 = dy[s0 + 2 * spr + blk];
            float d3 = dy[s0 + 3 * spr + blk];
            c0 = i0.fma(bc(sc * d0), c0);
            c1 = i1.fma(bc(sc * d1), c1);
            c2 = i2.fma(bc(sc * d2), c2);
            c3 = i3.fma(bc(sc * d3), c3);
            if (kind == ADD_MIN) {
                float mx = d.min[bo + blk];
                m0 += mx * sy[t0 + blk];
                m1 += mx * sy[t0 + tpr + blk];
                m2 += mx * sy[t0 + 2 * tpr + blk];
                m3 += mx * sy[t0 + 3 * tpr + blk];
            } else if (kind == SUB_KMIN) {
                float dmin = d.min[bo + blk];
                int co = (bo + blk) * 16;
                int g = t0 + 16 * blk;
                m0 += (dmin * d0) * kminSum(d.coef, co, sy, g);
                m1 += (dmin * d1) * kminSum(d.coef, co, sy, g + tpr);
                m2 += (dmin * d2) * kminSum(d.coef, co, sy, g + 2 * tpr);
                m3 += (dmin * d3) * kminSum(d.coef, co, sy, g + 3 * tpr);
            }
        }
        float r0 = sum(c0, red);
        float r1 = sum(c1, red);
        float r2 = sum(c2, red);
        float r3 = sum(c3, red);
        if (kind == ADD_MIN) {
            r0 += m0;
            r1 += m1;
            r2 += m2;
            r3 += m3;
        } else if (kind == SUB_KMIN) {
            r0 -= m0;
            r1 -= m1;
            r2 -= m2;
            r3 -= m3;
        }
        out[o] = r0;
        out[o + stride] = r1;
        out[o + 2 * stride] = r2;
        out[o + 3 * stride] = r3;
    }
}
