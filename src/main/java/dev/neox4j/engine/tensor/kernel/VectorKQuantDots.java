package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_INT;
import static dev.neox4j.engine.tensor.QuantMath.LE_LONG;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bytesToFloats;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.loadBytes;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.sum;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.Q2_KCodec;
import dev.neox4j.engine.tensor.Q3_KCodec;
import dev.neox4j.engine.tensor.Q4_KCodec;
import dev.neox4j.engine.tensor.Q5_KCodec;
import dev.neox4j.engine.tensor.Q6_KCodec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Vector API dots of the K-quants against Q8_K activations (quants.md section 7).
 *
 * <p>Per super-block the lanes of {@code lanes} hold exact integers: {@code sum_k scale_k * (q . qy)_k} over the
 * sub-blocks (every partial sum stays far below 2^24, so any grouping gives the same value). The float part is
 * one FMA per super-block, {@code acc += lanes * (d * dy)}, a fixed-order lane sum at the end, and for
 * Q2_K/Q4_K/Q5_K a scalar min term accumulated in block order. {@code dot4} runs the identical float
 * operations for each of its rows.
 */
final class VectorKQuantDots {

    private VectorKQuantDots() {
    }

    static FloatVector y(float[] y, int i) {
        return FloatVector.fromArray(FS, y, i);
    }

    /** Shifts every byte left ({@code s > 0}) or right ({@code s < 0}); callers mask away bits that crossed bytes. */
    static ByteVector shift(ByteVector q, int s) {
        if (s == 0) {
            return q;
        }
        return s > 0
                ? q.reinterpretAsInts().lanewise(VectorOperators.LSHL, s).reinterpretAsBytes()
                : q.reinterpretAsInts().lanewise(VectorOperators.LSHR, -s).reinterpretAsBytes();
    }

    /** Unsigned byte {@code i} (0..11) of the 12 packed Q4_K/Q5_K scale bytes held in {@code lo8} and {@code hi4}. */
    private static int sb(long lo8, int hi4, int i) {
        return i < 8 ? (int) (lo8 >>> (8 * i)) & 0xFF : (hi4 >>> (8 * (i - 8))) & 0xFF;
    }

    static int scaleK(long lo8, int hi4, int k) {
        return k < 4 ? sb(lo8, hi4, k) & 63 : (sb(lo8, hi4, k + 4) & 0x0F) | ((sb(lo8, hi4, k - 4) >>> 6) << 4);
    }

    static int minK(long lo8, int hi4, int k) {
        return k < 4 ? sb(lo8, hi4, k + 4) & 63 : (sb(lo8, hi4, k + 4) >>> 4) | ((sb(lo8, hi4, k) >>> 6) << 4);
    }

    // ------------------------------------------------------------------------------------- Q4_K and Q5_K

    /** Q4_K ({@code five == false}) and Q5_K. */
    private static final class Q45K implements RowDot {
        private final boolean five;
        private final int blockBytes;
        private final int qsOff;

        Q45K(boolean five) {
            this.five = five;
            this.blockBytes = five ? Q5_KCodec.BLOCK_BYTES : Q4_KCodec.BLOCK_BYTES;
            this.qsOff = five ? Q5_KCodec.QS : Q4_KCodec.QS;
        }

        /** Quants of sub-block {@code k} (low nibbles for even k, high for odd), lanes {@code j ..}. */
        private ByteVector quants(ByteVector q, ByteVector qh, int k) {
            ByteVector v = (k & 1) == 0 ? VectorLegacyDots.lo(q) : VectorLegacyDots.hi(q);
            if (five) {
                v = v.or(shift(qh, 4 - k).and((byte) 0x10));
            }
            return v;
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            float[] bs = a.sums();
            int bo = a.sumsOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            float msum = 0f;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * blockBytes;
                float d = Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.D));
                float dmin = Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.DMIN));
                long lo8 = w.get(LE_LONG, o + Q4_KCodec.SCALES);
                int hi4 = w.get(LE_INT, o + Q4_KCodec.SCALES + 8);
                int yb = yo + 256 * blk;
                FloatVector ls0 = FloatVector.zero(FS);
                FloatVector ls1 = FloatVector.zero(FS);
                for (int c = 0; c < 4; c++) {
                    FloatVector i0 = FloatVector.zero(FS);
                    FloatVector i1 = FloatVector.zero(FS);
                    for (int j = 0; j < 32; j += F) {
                        ByteVector q = loadBytes(w, o + qsOff + 32 * c + j);
                        ByteVector qh = five ? loadBytes(w, o + Q5_KCodec.QH + j) : null;
                        i0 = bytesToFloats(quants(q, qh, 2 * c)).fma(y(y, yb + 64 * c + j), i0);
                        i1 = bytesToFloats(quants(q, qh, 2 * c + 1)).fma(y(y, yb + 64 * c + 32 + j), i1);
                    }
                    ls0 = i0.fma(FloatVector.broadcast(FS, scaleK(lo8, hi4, 2 * c)), ls0);
                    ls1 = i1.fma(FloatVector.broadcast(FS, scaleK(lo8, hi4, 2 * c + 1)), ls1);
                }
                int summs = 0;
                int bb = bo + 16 * blk;
                for (int k = 0; k < 8; k++) {
                    summs += minK(lo8, hi4, k) * ((int) bs[bb + 2 * k] + (int) bs[bb + 2 * k + 1]);
                }
                float dyb = dy[so + blk];
                acc = ls0.add(ls1).fma(FloatVector.broadcast(FS, d * dyb), acc);
                msum += (dmin * dyb) * summs;
            }
            return sum(acc) - msum;
        }

        @Override
        public void dot4(MemorySegment w, long off, int cols, Activations a, int b, float[] out, int o4, int stride) {
            float[] y = a.values();
            int y0 = a.valuesOffset(b);
            int y1 = a.valuesOffset(b + 1);
            int y2 = a.valuesOffset(b + 2);
            int y3 = a.valuesOffset(b + 3);
            float[] dy = a.scales();
            int s0 = a.scalesOffset(b);
            float[] bs = a.sums();
            int bo = a.sumsOffset(b);
            int spr = a.scalesPerRow();
            int bpr = a.sumsPerRow();
            FloatVector z = FloatVector.zero(FS);
            FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
            float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * blockBytes;
                float d = Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.D));
                float dmin = Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.DMIN));
                long lo8 = w.get(LE_LONG, o + Q4_KCodec.SCALES);
                int hi4 = w.get(LE_INT, o + Q4_KCodec.SCALES + 8);
                int e = 256 * blk;
                FloatVector l0 = z, l1 = z, l2 = z, l3 = z;
                for (int c = 0; c < 4; c++) {
                    FloatVector i0 = z, i1 = z, i2 = z, i3 = z;
                    FloatVector h0 = z, h1 = z, h2 = z, h3 = z;
                    for (int j = 0; j < 32; j += F) {
                        ByteVector q = loadBytes(w, o + qsOff + 32 * c + j);
                        ByteVector qh = five ? loadBytes(w, o + Q5_KCodec.QH + j) : null;
                        FloatVector lq = bytesToFloats(quants(q, qh, 2 * c));
                        FloatVector hq = bytesToFloats(quants(q, qh, 2 * c + 1));
                        int p = e + 64 * c + j;
                        i0 = lq.fma(y(y, y0 + p), i0);
                        i1 = lq.fma(y(y, y1 + p), i1);
                        i2 = lq.fma(y(y, y2 + p), i2);
                        i3 = lq.fma(y(y, y3 + p), i3);
                        h0 = hq.fma(y(y, y0 + p + 32), h0);
                        h1 = hq.fma(y(y, y1 + p + 32), h1);
                        h2 = hq.fma(y(y, y2 + p + 32), h2);
                        h3 = hq.fma(y(y, y3 + p + 32), h3);
                    }
                    FloatVector vsl = FloatVector.broadcast(FS, scaleK(lo8, hi4, 2 * c));
                    FloatVector vsh = FloatVector.broadcast(FS, scaleK(lo8, hi4, 2 * c + 1));
                    l0 = h0.fma(vsh, i0.fma(vsl, l0));
                    l1 = h1.fma(vsh, i1.fma(vsl, l1));
                    l2 = h2.fma(vsh, i2.fma(vsl, l2));
                    l3 = h3.fma(vsh, i3.fma(vsl, l3));
                }
                int mn0 = 0, mn1 = 0, mn2 = 0, mn3 = 0;
                int bb = bo + 16 * blk;
                for (int k = 0; k < 8; k++) {
                    int m = minK(lo8, hi4, k);
                    mn0 += m * ((int) bs[bb + 2 * k] + (int) bs[bb + 2 * k + 1]);
                    mn1 += m * ((int) bs[bb + bpr + 2 * k] + (int) bs[bb + bpr + 2 * k + 1]);
                    mn2 += m * ((int) bs[bb + 2 * bpr + 2 * k] + (int) bs[bb + 2 * bpr + 2 * k + 1]);
                    mn3 += m * ((int) bs[bb + 3 * bpr + 2 * k] + (int) bs[bb + 3 * bpr + 2 * k + 1]);
                }
                float d0 = dy[s0 + blk], d1 = dy[s0 + spr + blk], d2 = dy[s0 + 2 * spr + blk], d3 = dy[s0 + 3 * spr + blk];
                c0 = l0.fma(FloatVector.broadcast(FS, d * d0), c0);
                c1 = l1.fma(FloatVector.broadcast(FS, d * d1), c1);
                c2 = l2.fma(FloatVector.broadcast(FS, d * d2), c2);
                c3 = l3.fma(FloatVector.broadcast(FS, d * d3), c3);
                m0 += (dmin * d0) * mn0;
                m1 += (dmin * d1) * mn1;
                m2 += (dmin * d2) * mn2;
                m3 += (dmin * d3) * mn3;
            }
            out[o4] = sum(c0) - m0;
            out[o4 + stride] = sum(c1) - m1;
            out[o4 + 2 * stride] = sum(c2) - m2;
            out[o4 + 3 * stride] = sum(c3) - m3;
        }
    }

    static final RowDot Q4_K = new Q45K(false);
    static final RowDot Q5_K = new Q45K(true);

    // ---------------------------------------------------------------------------------------------- Q6_K

    /** Q6_K quants of quarter {@code t} from the two ql vectors and the qh vector, as signed bytes -32..31. */
    private static ByteVector q6(ByteVector qlA, ByteVector qlB, ByteVector qh, int t) {
        ByteVector ql = (t & 1) == 0 ? qlA : qlB;
        ByteVector lo4 = t < 2 ? VectorLegacyDots.lo(ql) : VectorLegacyDots.hi(ql);
        ByteVector hi2 = shift(qh, 4 - 2 * t).and((byte) 0x30);
        return lo4.or(hi2).sub((byte) 32);
    }

    static final RowDot Q6_K = new RowDot() {
        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q6_KCodec.BLOCK_BYTES;
                float d = Float.float16ToFloat(w.get(LE_SHORT, o + Q6_KCodec.D));
                int yb = yo + 256 * blk;
                FloatVector ls0 = FloatVector.zero(FS);
                FloatVector ls1 = FloatVector.zero(FS);
                for (int n = 0; n < 2; n++) {
                    for (int h = 0; h < 2; h++) { // lanes l in [16h, 16h + 16)
                        FloatVector i0 = FloatVector.zero(FS), i1 = i0, i2 = i0, i3 = i0;
                        for (int j = 16 * h; j < 16 * h + 16; j += F) {
                            ByteVector qlA = loadBytes(w, o + Q6_KCodec.QL + 64 * n + j);
                            ByteVector qlB = loadBytes(w, o + Q6_KCodec.QL + 64 * n + 32 + j);
                            ByteVector qh = loadBytes(w, o + Q6_KCodec.QH + 32 * n + j);
                            int p = yb + 128 * n + j;
                            i0 = bytesToFloats(q6(qlA, qlB, qh, 0)).fma(y(y, p), i0);
                            i1 = bytesToFloats(q6(qlA, qlB, qh, 1)).fma(y(y, p + 32), i1);
                            i2 = bytesToFloats(q6(qlA, qlB, qh, 2)).fma(y(y, p + 64), i2);
                            i3 = bytesToFloats(q6(qlA, qlB, qh, 3)).fma(y(y, p + 96), i3);
                        }
                        long sc = o + Q6_KCodec.SCALES + 8 * n + h; // sub-block 8n + 2t + h
                        ls0 = i0.fma(FloatVector.broadcast(FS, w.get(BYTE, sc)), ls0);
                        ls1 = i1.fma(FloatVector.broadcast(FS, w.get(BYTE, sc + 2)), ls1);
                        ls0 = i2.fma(FloatVector.broadcast(FS, w.get(BYTE, sc + 4)), ls0);
                        ls1 = i3.fma(FloatVector.broadcast(FS, w.get(BYTE, sc + 6)), ls1);
                    }
                }
                acc = ls0.add(ls1).fma(FloatVector.broadcast(FS, d * dy[so + blk]), acc);
            }
            return sum(acc);
        }

        @Override
        public void dot4(MemorySegment w, long off, int cols, Activations a, int b, float[] out, int o4, int stride) {
            float[] y = a.values();
            int y0 = a.valuesOffset(b);
            int rs = a.cols();
            float[] dy = a.scales();
            int s0 = a.scalesOffset(b);
            int spr = a.scalesPerRow();
            FloatVector z = FloatVector.zero(FS);
            FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q6_KCodec.BLOCK_BYTES;
                float d = Float.float16ToFloat(w.get(LE_SHORT, o + Q6_KCodec.D));
                FloatVector l0 = z, l1 = z, l2 = z, l3 = z;
                for (int n = 0; n < 2; n++) {
                    for (int h = 0; h < 2; h++) {
                        long sc = o + Q6_KCodec.SCALES + 8 * n + h;
                        for (int t = 0; t < 4; t++) {
                            FloatVector i0 = z, i1 = z, i2 = z, i3 = z;
                            for (int j = 16 * h; j < 16 * h + 16; j += F) {
                                ByteVector qlA = loadBytes(w, o + Q6_KCodec.QL + 64 * n + j);
                                ByteVector qlB = loadBytes(w, o + Q6_KCodec.QL + 64 * n + 32 + j);
                                ByteVector qh = loadBytes(w, o + Q6_KCodec.QH + 32 * n + j);
                                FloatVector q = bytesToFloats(q6(qlA, qlB, qh, t));
                                int p = y0 + 256 * blk + 128 * n + 32 * t + j;
                                i0 = q.fma(y(y, p), i0);
                                i1 = q.fma(y(y, p + rs), i1);
                                i2 = q.fma(y(y, p + 2 * rs), i2);
                                i3 = q.fma(y(y, p + 3 * rs), i3);
                            }
                            float s = w.get(BYTE, sc + 2L * t);
                            l0 = i0.fma(FloatVector.broadcast(FS, s), l0);
                            l1 = i1.fma(FloatVector.broadcast(FS, s), l1);
                            l2 = i2.fma(FloatVector.broadcast(FS, s), l2);
                            l3 = i3.fma(FloatVector.broadcast(FS, s), l3);
                        }
                    }
                }
                c0 = l0.fma(FloatVector.broadcast(FS, d * dy[s0 + blk]), c0);
                c1 = l1.fma(FloatVector.broadcast(FS, d * dy[s0 + spr + blk]), c1);
                c2 = l2.fma(FloatVector.broadcast(FS, d * dy[s0 + 2 * spr + blk]), c2);
                c3 = l3.fma(FloatVector.broadcast(FS, d * dy[s0 + 3 * spr + blk]), c3);
            }
            out[o4] = sum(c0);
            out[o4 + stride] = sum(c1);
            out[o4 + 2 * stride] = sum(c2);
            out[o4 + 3 * stride] = sum(c3);
        }
    };

    // ------------------------------------------------------------------------------------- Q2_K and Q3_K

    /** Q2_K quants of quarter {@code j}: {@code (qs >> 2j) & 3}. */
    private static ByteVector q2(ByteVector qs, int j) {
        return shift(qs, -2 * j).and((byte) 3);
    }

    /** Q3_K quants of quarter {@code j} of half {@code n}: low two bits minus 4 where the hmask bit is clear. */
    private static ByteVector q3(ByteVector qs, ByteVector hm, int n, int j) {
        ByteVector hbit = shift(hm, 2 - (4 * n + j)).and((byte) 4); // hmask bit (4n + j) moved to bit 2
        return q2(qs, j).or(hbit).sub((byte) 4);
    }

    /**
     * Q2_K ({@code three == false}) and Q3_K: sixteen 16-element sub-blocks, sub-block {@code 8n + 2j + h} holds
     * the elements {@code 128n + 32j + 16h + i}.
     */
    private static final class Q23K implements RowDot {
        private final boolean three;
        private final int blockBytes;
        private final int qsOff;

        Q23K(boolean three) {
            this.three = three;
            this.blockBytes = three ? Q3_KCodec.BLOCK_BYTES : Q2_KCodec.BLOCK_BYTES;
            this.qsOff = three ? Q3_KCodec.QS : Q2_KCodec.QS;
        }

        private ByteVector quants(MemorySegment w, long o, int n, int j, int l) {
            ByteVector qs = loadBytes(w, o + qsOff + 32 * n + l);
            if (!three) {
                return q2(qs, j);
            }
            return q3(qs, loadBytes(w, o + Q3_KCodec.HMASK + l), n, j);
        }

        /** Integer scale of sub-block {@code k}. */
        private int scale(MemorySegment w, long o, int k) {
            return three ? Q3_KCodec.scale(w, o + Q3_KCodec.SCALES, k)
                    : w.get(BYTE, o + Q2_KCodec.SCALES + k) & 0x0F;
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            float[] bs = a.sums();
            int bo = a.sumsOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            float msum = 0f;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * blockBytes;
                float d = Float.float16ToFloat(w.get(LE_SHORT, o + (three ? Q3_KCodec.D : Q2_KCodec.D)));
                int yb = yo + 256 * blk;
                FloatVector ls0 = FloatVector.zero(FS);
                FloatVector ls1 = FloatVector.zero(FS);
                for (int n = 0; n < 2; n++) {
                    for (int j = 0; j < 4; j++) {
                        for (int h = 0; h < 2; h++) {
                            FloatVector isub = FloatVector.zero(FS);
                            for (int l = 16 * h; l < 16 * h + 16; l += F) {
                                isub = bytesToFloats(quants(w, o, n, j, l)).fma(y(y, yb + 128 * n + 32 * j + l), isub);
                            }
                            float s = scale(w, o, 8 * n + 2 * j + h);
                            if (h == 0) {
                                ls0 = isub.fma(FloatVector.broadcast(FS, s), ls0);
                            } else {
                                ls1 = isub.fma(FloatVector.broadcast(FS, s), ls1);
                            }
                        }
                    }
                }
                float dyb = dy[so + blk];
                acc = ls0.add(ls1).fma(FloatVector.broadcast(FS, d * dyb), acc);
                if (!three) {
                    float dmin = Float.float16ToFloat(w.get(LE_SHORT, o + Q2_KCodec.DMIN));
                    int summs = 0;
                    for (int k = 0; k < 16; k++) {
                        summs += (int) bs[bo + 16 * blk + k]
                                * ((w.get(BYTE, o + Q2_KCodec.SCALES + k) & 0xFF) >>> 4);
                    }
                    msum += (dyb * dmin) * summs;
                }
            }
            return sum(acc) - msum;
        }

        @Override
        public void dot4(MemorySegment w, long off, int cols, Activations a, int b, float[] out, int o4, int stride) {
            float[] y = a.values();
            int y0 = a.valuesOffset(b);
            int rs = a.cols();
            float[] dy = a.scales();
            int s0 = a.scalesOffset(b);
            int spr = a.scalesPerRow();
            float[] bs = a.sums();
            int bo = a.sumsOffset(b);
            int bpr = a.sumsPerRow();
            FloatVector z = FloatVector.zero(FS);
            FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
            float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * blockBytes;
                float d = Float.float16ToFloat(w.get(LE_SHORT, o + (three ? Q3_KCodec.D : Q2_KCodec.D)));
                FloatVector l0 = z, l1 = z, l2 = z, l3 = z;
                for (int n = 0; n < 2; n++) {
                    for (int j = 0; j < 4; j++) {
                        for (int h = 0; h < 2; h++) {
                            FloatVector i0 = z, i1 = z, i2 = z, i3 = z;
                            for (int l = 16 * h; l < 16 * h + 16; l += F) {
                                FloatVector q = bytesToFloats(quants(w, o, n, j, l));
                                int p = y0 + 256 * blk + 128 * n + 32 * j + l;
                                i0 = q.fma(y(y, p), i0);
                                i1 = q.fma(y(y, p + rs), i1);
                                i2 = q.fma(y(y, p + 2 * rs), i2);
                                i3 = q.fma(y(y, p + 3 * rs), i3);
                            }
                            float s = scale(w, o, 8 * n + 2 * j + h);
                            l0 = i0.fma(FloatVector.broadcast(FS, s), l0);
                            l1 = i1.fma(FloatVector.broadcast(FS, s), l1);
                            l2 = i2.fma(FloatVector.broadcast(FS, s), l2);
                            l3 = i3.fma(FloatVector.broadcast(FS, s), l3);
                        }
                    }
                }
                float d0 = dy[s0 + blk], d1 = dy[s0 + spr + blk], d2 = dy[s0 + 2 * spr + blk], d3 = dy[s0 + 3 * spr + blk];
                c0 = l0.fma(FloatVector.broadcast(FS, d * d0), c0);
                c1 = l1.fma(FloatVector.broadcast(FS, d * d1), c1);
                c2 = l2.fma(FloatVector.broadcast(FS, d * d2), c2);
                c3 = l3.fma(FloatVector.broadcast(FS, d * d3), c3);
                if (!three) {
                    float dmin = Float.float16ToFloat(w.get(LE_SHORT, o + Q2_KCodec.DMIN));
                    int n0 = 0, n1 = 0, n2 = 0, n3 = 0;
                    int bb = bo + 16 * blk;
                    for (int k = 0; k < 16; k++) {
                        int m = (w.get(BYTE, o + Q2_KCodec.SCALES + k) & 0xFF) >>> 4;
                        n0 += (int) bs[bb + k] * m;
                        n1 += (int) bs[bb + bpr + k] * m;
                        n2 += (int) bs[bb + 2 * bpr + k] * m;
                        n3 += (int) bs[bb + 3 * bpr + k] * m;
                    }
                    m0 += (d0 * dmin) * n0;
                    m1 += (d1 * dmin) * n1;
                    m2 += (d2 * dmin) * n2;
                    m3 += (d3 * dmin) * n3;
                }
            }
            out[o4] = sum(c0) - m0;
            out[o4 + stride] = sum(c1) - m1;
            out[o4 + 2 * stride] = sum(c2) - m2;
            out[o4 + 3 * stride] = sum(c3) - m3;
        }
    }

    static final RowDot Q2_K = new Q23K(false);
    static final RowDot Q3_K = new Q23K(true);
}
