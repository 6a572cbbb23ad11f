package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bc;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.sum;

import dev.neox4j.engine.tensor.Activations;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Generic dot products over {@link Decoded} weight rows, shared by all types in the batched path. Per (weight
 * row, activation row) they perform exactly the floating-point operations of the type's direct kernel:
 * <ul>
 *   <li>{@link #FLOAT}: one lane-wise FMA chain over the {@code F}-element steps, the fixed-order lane sum, then
 *       the remaining elements in float, in order;</li>
 *   <li>block types: per block the exact integer lanes {@code sum q*y}, then {@code acc = lanes * (scale * dy)
 *       + acc}; lane sum at the end; min terms {@link #ADD_MIN} ({@code + sum mx * sy}, Q4_1/Q5_1) or
 *       {@link #SUB_KMIN} ({@code - sum (dmin * dy) * sum_i coef_i * bsum_i}, Q2_K/Q4_K/Q5_K) accumulated in block
 *       order in a float.</li>
 * </ul>
 * The register tiles are 1x1, 1x4 and 2x4 (weight rows x activation rows); each method is kept small enough for
 * C2 to inline every vector operation.
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
    /**
     * Q4_0 in the pair layout ({@link VectorQ4Pairs}): as {@link #NO_MIN}, but the odd blocks accumulate in a
     * second chain and the two are added lane-wise before the lane sum (two FMA chains per row halve the latency
     * that bounds a single chain).
     */
    static final int NO_MIN_PAIRED = 4;

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

    /** The min term of block {@code blk} of decoded row {@code slot} for activation row {@code b}. */
    private static float minTerm(Decoded d, int slot, Activations a, int b, int kind, int blk) {
        int bi = slot * d.nb + blk;
        if (kind == ADD_MIN) {
            return d.min[bi] * a.sums()[a.sumsOffset(b) + blk];
        }
        return (d.min[bi] * a.scales()[a.scalesOffset(b) + blk])
                * kminSum(d.coef, bi * 16, a.sums(), a.sumsOffset(b) + 16 * blk);
    }

    /** Combines the lane sum with the accumulated min term as the direct kernels do. */
    private static float finish(float lanes, float msum, int kind) {
        return kind == ADD_MIN ? lanes + msum : kind == SUB_KMIN ? lanes - msum : lanes;
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
        FloatVector acc = FloatVector.zero(FS);
        int i = 0;
        for (; i + F <= cols; i += F) {
            acc = ld(q, qo + i).fma(ld(y, yo + i), acc);
        }
        float tail = 0f;
        for (; i < cols; i++) {
            tail += q[qo + i] * y[yo + i];
        }
        return sum(acc, d.red) + tail;
    }

    private static float dot1Blocks(Decoded d, int slot, Activations a, int b, int kind, int blockElems) {
        float[] q = d.q;
        int qo = slot * d.cols;
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        int bo = slot * d.nb;
        FloatVector acc = FloatVector.zero(FS);
        FloatVector odd = acc;
        float msum = 0f;
        for (int blk = 0; blk < d.nb; blk++) {
            int e = blk * blockElems;
            FloatVector isum = FloatVector.zero(FS);
            for (int j = 0; j < blockElems; j += F) {
                isum = ld(q, qo + e + j).fma(ld(y, yo + e + j), isum);
            }
            FloatVector sc = bc(d.scale[bo + blk] * dy[so + blk]);
            if (kind == NO_MIN_PAIRED && (blk & 1) != 0) {
                odd = sc.fma(isum, odd);
            } else {
                acc = sc.fma(isum, acc);
            }
            if (kind != NO_MIN && kind != NO_MIN_PAIRED) {
                msum += minTerm(d, slot, a, b, kind, blk);
            }
        }
        return finish(sum(kind == NO_MIN_PAIRED ? acc.add(odd) : acc, d.red), msum, kind);
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
        FloatVector z = FloatVector.zero(FS);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        int i = 0;
        for (; i + F <= cols; i += F) {
            FloatVector w = ld(q, qo + i);
            int p = y0 + i;
            a0 = w.fma(ld(y, p), a0);
            a1 = w.fma(ld(y, p + rs), a1);
            a2 = w.fma(ld(y, p + 2 * rs), a2);
            a3 = w.fma(ld(y, p + 3 * rs), a3);
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
        out[o] = sum(a0, d.red) + t0;
        out[o + stride] = sum(a1, d.red) + t1;
        out[o + 2 * stride] = sum(a2, d.red) + t2;
        out[o + 3 * stride] = sum(a3, d.red) + t3;
    }

    private static void dot4Blocks(Decoded d, int slot, Activations a, int b, int kind, int blockElems, float[] out,
                                   int o, int stride) {
        float[] q = d.q;
        int qo = slot * d.cols;
        float[] y = a.values();
        int y0 = a.valuesOffset(b);
        int rs = a.cols();
        float[] dy = a.scales();
        int s0 = a.scalesOffset(b);
        int spr = a.scalesPerRow();
        int bo = slot * d.nb;
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
        FloatVector o0 = z, o1 = z, o2 = z, o3 = z; // odd blocks of NO_MIN_PAIRED
        float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
        for (int blk = 0; blk < d.nb; blk++) {
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
            if (kind == NO_MIN_PAIRED && (blk & 1) != 0) {
                o0 = bc(sc * dy[s0 + blk]).fma(i0, o0);
                o1 = bc(sc * dy[s0 + spr + blk]).fma(i1, o1);
                o2 = bc(sc * dy[s0 + 2 * spr + blk]).fma(i2, o2);
                o3 = bc(sc * dy[s0 + 3 * spr + blk]).fma(i3, o3);
                continue;
            }
            c0 = bc(sc * dy[s0 + blk]).fma(i0, c0);
            c1 = bc(sc * dy[s0 + spr + blk]).fma(i1, c1);
            c2 = bc(sc * dy[s0 + 2 * spr + blk]).fma(i2, c2);
            c3 = bc(sc * dy[s0 + 3 * spr + blk]).fma(i3, c3);
            if (kind != NO_MIN && kind != NO_MIN_PAIRED) {
                m0 += minTerm(d, slot, a, b, kind, blk);
                m1 += minTerm(d, slot, a, b + 1, kind, blk);
                m2 += minTerm(d, slot, a, b + 2, kind, blk);
                m3 += minTerm(d, slot, a, b + 3, kind, blk);
            }
        }
        if (kind == NO_MIN_PAIRED) {
            c0 = c0.add(o0);
            c1 = c1.add(o1);
            c2 = c2.add(o2);
            c3 = c3.add(o3);
        }
        out[o] = finish(sum(c0, d.red), m0, kind);
        out[o + stride] = finish(sum(c1, d.red), m1, kind);
        out[o + 2 * stride] = finish(sum(c2, d.red), m2, kind);
        out[o + 3 * stride] = finish(sum(c3, d.red), m3, kind);
    }

    /**
     * Dots of decoded rows {@code slot} and {@code slot + 1} with activation rows {@code b .. b+3}: row
     * {@code slot} to {@code out[o + i * stride]}, row {@code slot + 1} to {@code out[o + 1 + i * stride]}.
     */
    static void dot2x4(Decoded d, int slot, Activations a, int b, int kind, int blockElems, float[] out, int o,
                       int stride) {
        if (kind == FLOAT) {
            dot2x4Float(d, slot, a, b, out, o, stride);
        } else if (kind == NO_MIN_PAIRED) {
            // (two chains per pair of rows would need sixteen accumulators: row by row instead)
            dot4Blocks(d, slot, a, b, kind, blockElems, out, o, stride);
            dot4Blocks(d, slot + 1, a, b, kind, blockElems, out, o + 1, stride);
        } else {
            dot2x4Blocks(d, slot, a, b, kind, blockElems, out, o, stride);
        }
    }

    private static void dot2x4Float(Decoded d, int slot, Activations a, int b, float[] out, int o, int stride) {
        float[] q = d.q;
        int q0 = slot * d.cols;
        int q1 = q0 + d.cols;
        float[] y = a.values();
        int y0 = a.valuesOffset(b);
        int rs = a.cols();
        int cols = d.cols;
        FloatVector z = FloatVector.zero(FS);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
        int i = 0;
        for (; i + F <= cols; i += F) {
            FloatVector w = ld(q, q0 + i);
            FloatVector v = ld(q, q1 + i);
            int p = y0 + i;
            FloatVector x0 = ld(y, p);
            FloatVector x1 = ld(y, p + rs);
            FloatVector x2 = ld(y, p + 2 * rs);
            FloatVector x3 = ld(y, p + 3 * rs);
            a0 = w.fma(x0, a0);
            b0 = v.fma(x0, b0);
            a1 = w.fma(x1, a1);
            b1 = v.fma(x1, b1);
            a2 = w.fma(x2, a2);
            b2 = v.fma(x2, b2);
            a3 = w.fma(x3, a3);
            b3 = v.fma(x3, b3);
        }
        float[] red = d.red;
        out[o] = sum(a0, red) + tail(q, q0, y, y0, i, cols);
        out[o + 1] = sum(b0, red) + tail(q, q1, y, y0, i, cols);
        out[o + stride] = sum(a1, red) + tail(q, q0, y, y0 + rs, i, cols);
        out[o + 1 + stride] = sum(b1, red) + tail(q, q1, y, y0 + rs, i, cols);
        out[o + 2 * stride] = sum(a2, red) + tail(q, q0, y, y0 + 2 * rs, i, cols);
        out[o + 1 + 2 * stride] = sum(b2, red) + tail(q, q1, y, y0 + 2 * rs, i, cols);
        out[o + 3 * stride] = sum(a3, red) + tail(q, q0, y, y0 + 3 * rs, i, cols);
        out[o + 1 + 3 * stride] = sum(b3, red) + tail(q, q1, y, y0 + 3 * rs, i, cols);
    }

    /** The scalar tail {@code sum q[qo + i] * y[yo + i]} for {@code i in [from, cols)}, in order. */
    private static float tail(float[] q, int qo, float[] y, int yo, int from, int cols) {
        float t = 0f;
        for (int i = from; i < cols; i++) {
            t += q[qo + i] * y[yo + i];
        }
        return t;
    }

    private static void dot2x4Blocks(Decoded d, int slot, Activations a, int b, int kind, int blockElems,
                                     float[] out, int o, int stride) {
        float[] q = d.q;
        int q0 = slot * d.cols;
        int q1 = q0 + d.cols;
        float[] y = a.values();
        int y0 = a.valuesOffset(b);
        int rs = a.cols();
        float[] dy = a.scales();
        int s0 = a.scalesOffset(b);
        int spr = a.scalesPerRow();
        int nb = d.nb;
        int bo = slot * nb;
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, e0 = z, e1 = z, e2 = z, e3 = z;
        for (int blk = 0; blk < nb; blk++) {
            int e = blk * blockElems;
            FloatVector i0 = z, i1 = z, i2 = z, i3 = z, k0 = z, k1 = z, k2 = z, k3 = z;
            for (int j = 0; j < blockElems; j += F) {
                FloatVector w = ld(q, q0 + e + j);
                FloatVector v = ld(q, q1 + e + j);
                int p = y0 + e + j;
                FloatVector x0 = ld(y, p);
                FloatVector x1 = ld(y, p + rs);
                FloatVector x2 = ld(y, p + 2 * rs);
                FloatVector x3 = ld(y, p + 3 * rs);
                i0 = w.fma(x0, i0);
                k0 = v.fma(x0, k0);
                i1 = w.fma(x1, i1);
                k1 = v.fma(x1, k1);
                i2 = w.fma(x2, i2);
                k2 = v.fma(x2, k2);
                i3 = w.fma(x3, i3);
                k3 = v.fma(x3, k3);
            }
            float sw = d.scale[bo + blk];
            float sv = d.scale[bo + nb + blk];
            float d0 = dy[s0 + blk];
            float d1 = dy[s0 + spr + blk];
            float d2 = dy[s0 + 2 * spr + blk];
            float d3 = dy[s0 + 3 * spr + blk];
            c0 = bc(sw * d0).fma(i0, c0);
            e0 = bc(sv * d0).fma(k0, e0);
            c1 = bc(sw * d1).fma(i1, c1);
            e1 = bc(sv * d1).fma(k1, e1);
            c2 = bc(sw * d2).fma(i2, c2);
            e2 = bc(sv * d2).fma(k2, e2);
            c3 = bc(sw * d3).fma(i3, c3);
            e3 = bc(sv * d3).fma(k3, e3);
        }
        float[] r8 = d.red8;
        c0.intoArray(r8, 0);
        e0.intoArray(r8, F);
        c1.intoArray(r8, 2 * F);
        e1.intoArray(r8, 3 * F);
        c2.intoArray(r8, 4 * F);
        e2.intoArray(r8, 5 * F);
        c3.intoArray(r8, 6 * F);
        e3.intoArray(r8, 7 * F);
        complete2x4(d, slot, a, b, kind, out, o, stride);
    }

    /** Lane sums of the eight stored accumulators of {@link #dot2x4Blocks}, plus their min terms, to {@code out}. */
    private static void complete2x4(Decoded d, int slot, Activations a, int b, int kind, float[] out, int o,
                                    int stride) {
        for (int i = 0; i < 8; i++) {
            int row = i & 1;
            int act = i >> 1;
            out[o + row + act * stride] = finish(VectorShapes.reduce(d.red8, i * F),
                    minSum(d, slot + row, a, b + act, kind), kind);
        }
    }

    /** The min terms of all blocks of decoded row {@code slot} for activation row {@code b}, added in block order. */
    private static float minSum(Decoded d, int slot, Activations a, int b, int kind) {
        float msum = 0f;
        if (kind != NO_MIN) {
            for (int blk = 0; blk < d.nb; blk++) {
                msum += minTerm(d, slot, a, b, kind, blk);
            }
        }
        return msum;
    }

    /**
     * Dots of float-type decoded rows {@code s0..s3} with activation rows {@code b0..b3} in one 4x4 register tile
     * (one chain per pair over the whole row, as the direct float kernels); the first {@code nr} rows and
     * {@code na} activations are distinct and written to {@code out[o + s_i + b_j * stride]} (repeats are
     * computed, not written).
     */
    static void tile4x4(Decoded d, int s0, int s1, int s2, int s3, int nr, Activations a, int b0, int b1, int b2,
                        int b3, int na, int kind, int blockElems, float[] out, int o, int stride) {
        int cols = d.cols;
        float[] r = d.red16;
        int end = tileLoop(d, s0, s1, s2, s3, a, b0, b1, b2, b3, 0, cols, r);
        for (int ri = 0; ri < nr; ri++) {
            int s = pick(ri, s0, s1, s2, s3);
            for (int bj = 0; bj < na; bj++) {
                int b = pick(bj, b0, b1, b2, b3);
                out[o + s + b * stride] = VectorShapes.reduce(r, (4 * ri + bj) * F)
                        + tail(d.q, s * cols, a.values(), a.valuesOffset(b), end, cols);
            }
        }
    }

    private static int pick(int i, int v0, int v1, int v2, int v3) {
        return i == 0 ? v0 : i == 1 ? v1 : i == 2 ? v2 : v3;
    }

    /**
     * The 4x4 register tile over the whole vectors of columns {@code [from, to)}: stores the sixteen accumulators
     * (pair {@code (row i, act j)} at {@code r[(4i + j) * F]}) and returns where the vectors ended.
     */
    private static int tileLoop(Decoded d, int s0, int s1, int s2, int s3, Activations a, int b0, int b1, int b2,
                                int b3, int from, int to, float[] r) {
        float[] q = d.q;
        int cols = d.cols;
        int w0 = s0 * cols;
        int w1 = s1 * cols;
        int w2 = s2 * cols;
        int w3 = s3 * cols;
        float[] y = a.values();
        int y0 = a.valuesOffset(b0);
        int y1 = a.valuesOffset(b1);
        int y2 = a.valuesOffset(b2);
        int y3 = a.valuesOffset(b3);
        FloatVector z = FloatVector.zero(FS);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        int i = from;
        for (; i + F <= to; i += F) {
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
        return i;
    }
}
