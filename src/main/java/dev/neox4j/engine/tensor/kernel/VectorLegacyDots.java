package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.LE_INT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.BS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bytesToFloats;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.loadBytes;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.sum;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.Q4_0Codec;
import dev.neox4j.engine.tensor.Q4_1Codec;
import dev.neox4j.engine.tensor.Q5_0Codec;
import dev.neox4j.engine.tensor.Q5_1Codec;
import dev.neox4j.engine.tensor.Q8_0Codec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Vector API dots of the 32-element block types against Q8_0/Q8_1 activations (quants.md section 7).
 *
 * <p>Per block, the lanes of {@code isum} hold exact integer partial sums of {@code q * qy}; the block's float
 * contribution is {@code isum * (dx * dy)} added lane-wise with one FMA into the accumulator of the block's
 * parity (two chains hide the FMA latency), and the lanes are summed at the end in a fixed order. Q4_1/Q5_1 add
 * their {@code mx * sy} terms in a scalar accumulator, in block order.
 */
final class VectorLegacyDots {

    private static final long LANE_BITS = F == 64 ? -1L : (1L << F) - 1;

    private VectorLegacyDots() {
    }

    static FloatVector y(float[] y, int i) {
        return FloatVector.fromArray(FS, y, i);
    }

    /** Low nibbles of {@code F} bytes. */
    static ByteVector lo(ByteVector q) {
        return q.and((byte) 0x0F);
    }

    /** High nibbles of {@code F} bytes (shifted in wider lanes, then masked, to avoid byte shifts). */
    static ByteVector hi(ByteVector q) {
        return q.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
    }

    /** Adds 16 to the lanes of {@code v} whose bit is set in {@code bits} (lane i ↔ bit i). */
    static ByteVector addBit4(ByteVector v, int bits) {
        VectorMask<Byte> m = VectorMask.fromLong(BS, bits & LANE_BITS);
        return v.blend(v.or((byte) 0x10), m);
    }

    // ---------------------------------------------------------------------------------------------- Q4_0

    static final RowDot Q4_0 = new RowDot() {
        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            int nb = cols / 32;
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            for (int blk = 0; blk < nb; blk++) {
                long o = off + (long) blk * Q4_0Codec.BLOCK_BYTES;
                float s = Float.float16ToFloat(w.get(LE_SHORT, o)) * dy[so + blk];
                FloatVector isum = FloatVector.zero(FS);
                int yb = yo + 32 * blk;
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q4_0Codec.QS + j);
                    isum = bytesToFloats(lo(q).sub((byte) 8)).fma(y(y, yb + j), isum);
                    isum = bytesToFloats(hi(q).sub((byte) 8)).fma(y(y, yb + 16 + j), isum);
                }
                if ((blk & 1) == 0) {
                    acc0 = isum.fma(FloatVector.broadcast(FS, s), acc0);
                } else {
                    acc1 = isum.fma(FloatVector.broadcast(FS, s), acc1);
                }
            }
            return sum(acc0.add(acc1));
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
            int s1 = a.scalesOffset(b + 1);
            int s2 = a.scalesOffset(b + 2);
            int s3 = a.scalesOffset(b + 3);
            int nb = cols / 32;
            FloatVector z = FloatVector.zero(FS);
            FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
            for (int blk = 0; blk < nb; blk++) {
                long o = off + (long) blk * Q4_0Codec.BLOCK_BYTES;
                float dx = Float.float16ToFloat(w.get(LE_SHORT, o));
                FloatVector i0 = z, i1 = z, i2 = z, i3 = z;
                int e = 32 * blk;
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q4_0Codec.QS + j);
                    FloatVector l = bytesToFloats(lo(q).sub((byte) 8));
                    FloatVector h = bytesToFloats(hi(q).sub((byte) 8));
                    i0 = h.fma(y(y, y0 + e + 16 + j), l.fma(y(y, y0 + e + j), i0));
                    i1 = h.fma(y(y, y1 + e + 16 + j), l.fma(y(y, y1 + e + j), i1));
                    i2 = h.fma(y(y, y2 + e + 16 + j), l.fma(y(y, y2 + e + j), i2));
                    i3 = h.fma(y(y, y3 + e + 16 + j), l.fma(y(y, y3 + e + j), i3));
                }
                if ((blk & 1) == 0) {
                    a00 = i0.fma(FloatVector.broadcast(FS, dx * dy[s0 + blk]), a00);
                    a10 = i1.fma(FloatVector.broadcast(FS, dx * dy[s1 + blk]), a10);
                    a20 = i2.fma(FloatVector.broadcast(FS, dx * dy[s2 + blk]), a20);
                    a30 = i3.fma(FloatVector.broadcast(FS, dx * dy[s3 + blk]), a30);
                } else {
                    a01 = i0.fma(FloatVector.broadcast(FS, dx * dy[s0 + blk]), a01);
                    a11 = i1.fma(FloatVector.broadcast(FS, dx * dy[s1 + blk]), a11);
                    a21 = i2.fma(FloatVector.broadcast(FS, dx * dy[s2 + blk]), a21);
                    a31 = i3.fma(FloatVector.broadcast(FS, dx * dy[s3 + blk]), a31);
                }
            }
            out[o4] = sum(a00.add(a01));
            out[o4 + stride] = sum(a10.add(a11));
            out[o4 + 2 * stride] = sum(a20.add(a21));
            out[o4 + 3 * stride] = sum(a30.add(a31));
        }
    };

    // ---------------------------------------------------------------------------------------------- Q8_0

    static final RowDot Q8_0 = new RowDot() {
        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            int nb = cols / 32;
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            for (int blk = 0; blk < nb; blk++) {
                long o = off + (long) blk * Q8_0Codec.BLOCK_BYTES;
                float s = Float.float16ToFloat(w.get(LE_SHORT, o)) * dy[so + blk];
                FloatVector isum = FloatVector.zero(FS);
                int yb = yo + 32 * blk;
                for (int j = 0; j < 32; j += F) {
                    isum = bytesToFloats(loadBytes(w, o + Q8_0Codec.QS + j)).fma(y(y, yb + j), isum);
                }
                if ((blk & 1) == 0) {
                    acc0 = isum.fma(FloatVector.broadcast(FS, s), acc0);
                } else {
                    acc1 = isum.fma(FloatVector.broadcast(FS, s), acc1);
                }
            }
            return sum(acc0.add(acc1));
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
            int s1 = a.scalesOffset(b + 1);
            int s2 = a.scalesOffset(b + 2);
            int s3 = a.scalesOffset(b + 3);
            int nb = cols / 32;
            FloatVector z = FloatVector.zero(FS);
            FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
            for (int blk = 0; blk < nb; blk++) {
                long o = off + (long) blk * Q8_0Codec.BLOCK_BYTES;
                float dx = Float.float16ToFloat(w.get(LE_SHORT, o));
                FloatVector i0 = z, i1 = z, i2 = z, i3 = z;
                int e = 32 * blk;
                for (int j = 0; j < 32; j += F) {
                    FloatVector q = bytesToFloats(loadBytes(w, o + Q8_0Codec.QS + j));
                    i0 = q.fma(y(y, y0 + e + j), i0);
                    i1 = q.fma(y(y, y1 + e + j), i1);
                    i2 = q.fma(y(y, y2 + e + j), i2);
                    i3 = q.fma(y(y, y3 + e + j), i3);
                }
                if ((blk & 1) == 0) {
                    a00 = i0.fma(FloatVector.broadcast(FS, dx * dy[s0 + blk]), a00);
                    a10 = i1.fma(FloatVector.broadcast(FS, dx * dy[s1 + blk]), a10);
                    a20 = i2.fma(FloatVector.broadcast(FS, dx * dy[s2 + blk]), a20);
                    a30 = i3.fma(FloatVector.broadcast(FS, dx * dy[s3 + blk]), a30);
                } else {
                    a01 = i0.fma(FloatVector.broadcast(FS, dx * dy[s0 + blk]), a01);
                    a11 = i1.fma(FloatVector.broadcast(FS, dx * dy[s1 + blk]), a11);
                    a21 = i2.fma(FloatVector.broadcast(FS, dx * dy[s2 + blk]), a21);
                    a31 = i3.fma(FloatVector.broadcast(FS, dx * dy[s3 + blk]), a31);
                }
            }
            out[o4] = sum(a00.add(a01));
            out[o4 + stride] = sum(a10.add(a11));
            out[o4 + 2 * stride] = sum(a20.add(a21));
            out[o4 + 3 * stride] = sum(a30.add(a31));
        }
    };

    // ---------------------------------------------------------------------------------------------- Q5_0

    static final RowDot Q5_0 = new RowDot() {
        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            int nb = cols / 32;
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            for (int blk = 0; blk < nb; blk++) {
                long o = off + (long) blk * Q5_0Codec.BLOCK_BYTES;
                float s = Float.float16ToFloat(w.get(LE_SHORT, o)) * dy[so + blk];
                int qh = w.get(LE_INT, o + Q5_0Codec.QH);
                FloatVector isum = FloatVector.zero(FS);
                int yb = yo + 32 * blk;
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q5_0Codec.QS + j);
                    isum = bytesToFloats(addBit4(lo(q), qh >>> j).sub((byte) 16)).fma(y(y, yb + j), isum);
                    isum = bytesToFloats(addBit4(hi(q), qh >>> (16 + j)).sub((byte) 16)).fma(y(y, yb + 16 + j), isum);
                }
                if ((blk & 1) == 0) {
                    acc0 = isum.fma(FloatVector.broadcast(FS, s), acc0);
                } else {
                    acc1 = isum.fma(FloatVector.broadcast(FS, s), acc1);
                }
            }
            return sum(acc0.add(acc1));
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
            int s1 = a.scalesOffset(b + 1);
            int s2 = a.scalesOffset(b + 2);
            int s3 = a.scalesOffset(b + 3);
            int nb = cols / 32;
            FloatVector z = FloatVector.zero(FS);
            FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
            for (int blk = 0; blk < nb; blk++) {
                long o = off + (long) blk * Q5_0Codec.BLOCK_BYTES;
                float dx = Float.float16ToFloat(w.get(LE_SHORT, o));
                int qh = w.get(LE_INT, o + Q5_0Codec.QH);
                FloatVector i0 = z, i1 = z, i2 = z, i3 = z;
                int e = 32 * blk;
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q5_0Codec.QS + j);
                    FloatVector l = bytesToFloats(addBit4(lo(q), qh >>> j).sub((byte) 16));
                    FloatVector h = bytesToFloats(addBit4(hi(q), qh >>> (16 + j)).sub((byte) 16));
                    i0 = h.fma(y(y, y0 + e + 16 + j), l.fma(y(y, y0 + e + j), i0));
                    i1 = h.fma(y(y, y1 + e + 16 + j), l.fma(y(y, y1 + e + j), i1));
                    i2 = h.fma(y(y, y2 + e + 16 + j), l.fma(y(y, y2 + e + j), i2));
                    i3 = h.fma(y(y, y3 + e + 16 + j), l.fma(y(y, y3 + e + j), i3));
                }
                if ((blk & 1) == 0) {
                    a00 = i0.fma(FloatVector.broadcast(FS, dx * dy[s0 + blk]), a00);
                    a10 = i1.fma(FloatVector.broadcast(FS, dx * dy[s1 + blk]), a10);
                    a20 = i2.fma(FloatVector.broadcast(FS, dx * dy[s2 + blk]), a20);
                    a30 = i3.fma(FloatVector.broadcast(FS, dx * dy[s3 + blk]), a30);
                } else {
                    a01 = i0.fma(FloatVector.broadcast(FS, dx * dy[s0 + blk]), a01);
                    a11 = i1.fma(FloatVector.broadcast(FS, dx * dy[s1 + blk]), a11);
                    a21 = i2.fma(FloatVector.broadcast(FS, dx * dy[s2 + blk]), a21);
                    a31 = i3.fma(FloatVector.broadcast(FS, dx * dy[s3 + blk]), a31);
                }
            }
            out[o4] = sum(a00.add(a01));
            out[o4 + stride] = sum(a10.add(a11));
            out[o4 + 2 * stride] = sum(a20.add(a21));
            out[o4 + 3 * stride] = sum(a30.add(a31));
        }
    };

    // ------------------------------------------------------------------------------------- Q4_1 and Q5_1

    /** Q4_1 ({@code five == false}) and Q5_1 against Q8_1: {@code (dx*dy) * isum + mx * sy} per block. */
    private static final class Q41Q51 implements RowDot {
        private final boolean five;
        private final int blockBytes;
        private final int qsOff;

        Q41Q51(boolean five) {
            this.five = five;
            this.blockBytes = five ? Q5_1Codec.BLOCK_BYTES : Q4_1Codec.BLOCK_BYTES;
            this.qsOff = five ? Q5_1Codec.QS : Q4_1Codec.QS;
        }

        private ByteVector low(ByteVector q, int qh, int j) {
            return five ? addBit4(lo(q), qh >>> j) : lo(q);
        }

        private ByteVector high(ByteVector q, int qh, int j) {
            return five ? addBit4(hi(q), qh >>> (16 + j)) : hi(q);
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            float[] sy = a.sums();
            int ss = a.sumsOffset(b);
            int nb = cols / 32;
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            float msum = 0f;
            for (int blk = 0; blk < nb; blk++) {
                long o = off + (long) blk * blockBytes;
                float dx = Float.float16ToFloat(w.get(LE_SHORT, o));
                float mx = Float.float16ToFloat(w.get(LE_SHORT, o + 2));
                int qh = five ? w.get(LE_INT, o + Q5_1Codec.QH) : 0;
                FloatVector isum = FloatVector.zero(FS);
                int yb = yo + 32 * blk;
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + qsOff + j);
                    isum = bytesToFloats(low(q, qh, j)).fma(y(y, yb + j), isum);
                    isum = bytesToFloats(high(q, qh, j)).fma(y(y, yb + 16 + j), isum);
                }
                float s = dx * dy[so + blk];
                if ((blk & 1) == 0) {
                    acc0 = isum.fma(FloatVector.broadcast(FS, s), acc0);
                } else {
                    acc1 = isum.fma(FloatVector.broadcast(FS, s), acc1);
                }
                msum += mx * sy[ss + blk];
            }
            return sum(acc0.add(acc1)) + msum;
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
            int s1 = a.scalesOffset(b + 1);
            int s2 = a.scalesOffset(b + 2);
            int s3 = a.scalesOffset(b + 3);
            float[] sy = a.sums();
            int t0 = a.sumsOffset(b);
            int t1 = a.sumsOffset(b + 1);
            int t2 = a.sumsOffset(b + 2);
            int t3 = a.sumsOffset(b + 3);
            int nb = cols / 32;
            FloatVector z = FloatVector.zero(FS);
            FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
            float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
            for (int blk = 0; blk < nb; blk++) {
                long o = off + (long) blk * blockBytes;
                float dx = Float.float16ToFloat(w.get(LE_SHORT, o));
                float mx = Float.float16ToFloat(w.get(LE_SHORT, o + 2));
                int qh = five ? w.get(LE_INT, o + Q5_1Codec.QH) : 0;
                FloatVector i0 = z, i1 = z, i2 = z, i3 = z;
                int e = 32 * blk;
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + qsOff + j);
                    FloatVector l = bytesToFloats(low(q, qh, j));
                    FloatVector h = bytesToFloats(high(q, qh, j));
                    i0 = h.fma(y(y, y0 + e + 16 + j), l.fma(y(y, y0 + e + j), i0));
                    i1 = h.fma(y(y, y1 + e + 16 + j), l.fma(y(y, y1 + e + j), i1));
                    i2 = h.fma(y(y, y2 + e + 16 + j), l.fma(y(y, y2 + e + j), i2));
                    i3 = h.fma(y(y, y3 + e + 16 + j), l.fma(y(y, y3 + e + j), i3));
                }
                if ((blk & 1) == 0) {
                    a00 = i0.fma(FloatVector.broadcast(FS, dx * dy[s0 + blk]), a00);
                    a10 = i1.fma(FloatVector.broadcast(FS, dx * dy[s1 + blk]), a10);
                    a20 = i2.fma(FloatVector.broadcast(FS, dx * dy[s2 + blk]), a20);
                    a30 = i3.fma(FloatVector.broadcast(FS, dx * dy[s3 + blk]), a30);
                } else {
                    a01 = i0.fma(FloatVector.broadcast(FS, dx * dy[s0 + blk]), a01);
                    a11 = i1.fma(FloatVector.broadcast(FS, dx * dy[s1 + blk]), a11);
                    a21 = i2.fma(FloatVector.broadcast(FS, dx * dy[s2 + blk]), a21);
                    a31 = i3.fma(FloatVector.broadcast(FS, dx * dy[s3 + blk]), a31);
                }
                m0 += mx * sy[t0 + blk];
                m1 += mx * sy[t1 + blk];
                m2 += mx * sy[t2 + blk];
                m3 += mx * sy[t3 + blk];
            }
            out[o4] = sum(a00.add(a01)) + m0;
            out[o4 + stride] = sum(a10.add(a11)) + m1;
            out[o4 + 2 * stride] = sum(a20.add(a21)) + m2;
            out[o4 + 3 * stride] = sum(a30.add(a31)) + m3;
        }
    }

    static final RowDot Q4_1 = new Q41Q51(false);
    static final RowDot Q5_1 = new Q41Q51(true);
}
