package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.LE_INT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.BS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bc;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bytesToFloats;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.loadBytes;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.shr;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.Q4_0Codec;
import dev.neox4j.engine.tensor.Q4_1Codec;
import dev.neox4j.engine.tensor.Q5_0Codec;
import dev.neox4j.engine.tensor.Q5_1Codec;
import dev.neox4j.engine.tensor.Q8_0Codec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;

/**
 * Vector API kernels of the 32-element block types (see {@link RowDot} for the scheme): {@code w' = q * d}
 * ({@code (q - 8) * d}, {@code (q - 16) * d} for Q4_0/Q5_0, exactly the dequantized value, without the min of
 * Q4_1/Q5_1) times {@code y' = qy * dy}, element order (low nibbles then high nibbles of each block); Q4_1/Q5_1
 * add {@code mx * sy} per block in a float. Each method is kept small enough for C2 to inline every vector
 * operation (no boxing).
 */
final class VectorLegacyDots {

    private static final long LANE_BITS = (1L << F) - 1;

    private VectorLegacyDots() {
    }

    /** Low nibbles of {@code F} bytes. */
    static ByteVector lo(ByteVector q) {
        return q.and((byte) 0x0F);
    }

    /** High nibbles of {@code F} bytes. */
    static ByteVector hi(ByteVector q) {
        return shr(q, 4).and((byte) 0x0F);
    }

    /** Nibble {@code h} (0 = low, 1 = high) of {@code F} bytes. */
    static ByteVector nib(int h, ByteVector q) {
        return shr(q, 4 * h).and((byte) 0x0F);
    }

    /** Sets bit 4 in the lanes whose bit is set in {@code bits} (lane i ↔ bit i). */
    static ByteVector bit4(ByteVector v, int bits) {
        VectorMask<Byte> m = VectorMask.fromLong(BS, bits & LANE_BITS);
        return v.blend(v.or((byte) 0x10), m);
    }

    /** Q4_0: {@code (q - 8) * d}. */
    static final RowDot Q4_0 = new RowDot() {
        @Override
        public int kind() {
            return DecodedDots.NO_MIN;
        }

        @Override
        public int blockElems() {
            return 32;
        }

        @Override
        public void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red,
                         float[] out, int o0, int o1) {
            float[] y = a.scaled();
            int yo = a.valuesOffset(b);
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            for (int blk = 0; blk < cols / 32; blk++) {
                long p0 = off0 + (long) blk * Q4_0Codec.BLOCK_BYTES;
                long p1 = off1 + (long) blk * Q4_0Codec.BLOCK_BYTES;
                FloatVector d0 = bc(Float.float16ToFloat(w.get(LE_SHORT, p0)));
                FloatVector d1 = bc(Float.float16ToFloat(w.get(LE_SHORT, p1)));
                int e = yo + 32 * blk;
                for (int h = 0; h < 2; h++) { // low nibbles (elements 0..15), then high (16..31)
                    for (int j = 0; j < 16; j += F) {
                        FloatVector v = ld(y, e + 16 * h + j);
                        ByteVector q0 = nib(h, loadBytes(w, p0 + Q4_0Codec.QS + j)).sub((byte) 8);
                        acc0 = bytesToFloats(q0).mul(d0).fma(v, acc0);
                        ByteVector q1 = nib(h, loadBytes(w, p1 + Q4_0Codec.QS + j)).sub((byte) 8);
                        acc1 = bytesToFloats(q1).mul(d1).fma(v, acc1);
                    }
                }
            }
            acc0.intoArray(red, 0);
            acc1.intoArray(red, F);
            out[o0] = DecodedDots.finish(VectorShapes.reduce(red, 0), 0f, 0f, DecodedDots.NO_MIN);
            out[o1] = DecodedDots.finish(VectorShapes.reduce(red, F), 0f, 0f, DecodedDots.NO_MIN);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            for (int blk = 0; blk < cols / 32; blk++) {
                long p = off + (long) blk * Q4_0Codec.BLOCK_BYTES;
                FloatVector dd = bc(Float.float16ToFloat(w.get(LE_SHORT, p)));
                int e = qo + 32 * blk;
                for (int h = 0; h < 2; h++) { // low nibbles (elements 0..15), then high (16..31)
                    for (int j = 0; j < 16; j += F) {
                        ByteVector q = nib(h, loadBytes(w, p + Q4_0Codec.QS + j)).sub((byte) 8);
                        bytesToFloats(q).mul(dd).intoArray(d.q, e + 16 * h + j);
                    }
                }
            }
        }
    };

    /** Q4_1: {@code q * d}, min term {@code mx * sy}. */
    static final RowDot Q4_1 = new RowDot() {
        @Override
        public int kind() {
            return DecodedDots.ADD_MIN;
        }

        @Override
        public int blockElems() {
            return 32;
        }

        @Override
        public void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red,
                         float[] out, int o0, int o1) {
            float[] y = a.scaled();
            int yo = a.valuesOffset(b);
            float[] sy = a.sums();
            int ss = a.sumsOffset(b);
            float m0 = 0f;
            float m1 = 0f;
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            for (int blk = 0; blk < cols / 32; blk++) {
                long p0 = off0 + (long) blk * Q4_1Codec.BLOCK_BYTES;
                long p1 = off1 + (long) blk * Q4_1Codec.BLOCK_BYTES;
                FloatVector d0 = bc(Float.float16ToFloat(w.get(LE_SHORT, p0)));
                FloatVector d1 = bc(Float.float16ToFloat(w.get(LE_SHORT, p1)));
                int e = yo + 32 * blk;
                for (int h = 0; h < 2; h++) { // low nibbles (elements 0..15), then high (16..31)
                    for (int j = 0; j < 16; j += F) {
                        FloatVector v = ld(y, e + 16 * h + j);
                        acc0 = bytesToFloats(nib(h, loadBytes(w, p0 + Q4_1Codec.QS + j))).mul(d0).fma(v, acc0);
                        acc1 = bytesToFloats(nib(h, loadBytes(w, p1 + Q4_1Codec.QS + j))).mul(d1).fma(v, acc1);
                    }
                }
                m0 += Float.float16ToFloat(w.get(LE_SHORT, p0 + Q4_1Codec.M)) * sy[ss + blk];
                m1 += Float.float16ToFloat(w.get(LE_SHORT, p1 + Q4_1Codec.M)) * sy[ss + blk];
            }
            acc0.intoArray(red, 0);
            acc1.intoArray(red, F);
            out[o0] = DecodedDots.finish(VectorShapes.reduce(red, 0), 0f, m0, DecodedDots.ADD_MIN);
            out[o1] = DecodedDots.finish(VectorShapes.reduce(red, F), 0f, m1, DecodedDots.ADD_MIN);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            for (int blk = 0; blk < cols / 32; blk++) {
                long p = off + (long) blk * Q4_1Codec.BLOCK_BYTES;
                FloatVector dd = bc(Float.float16ToFloat(w.get(LE_SHORT, p)));
                d.min[slot * d.nb + blk] = Float.float16ToFloat(w.get(LE_SHORT, p + Q4_1Codec.M));
                int e = qo + 32 * blk;
                for (int h = 0; h < 2; h++) { // low nibbles (elements 0..15), then high (16..31)
                    for (int j = 0; j < 16; j += F) {
                        ByteVector q = nib(h, loadBytes(w, p + Q4_1Codec.QS + j));
                        bytesToFloats(q).mul(dd).intoArray(d.q, e + 16 * h + j);
                    }
                }
            }
        }
    };

    /** Q5_0: {@code (q - 16) * d} with the 5th bit from {@code qh}. */
    static final RowDot Q5_0 = new RowDot() {
        @Override
        public int kind() {
            return DecodedDots.NO_MIN;
        }

        @Override
        public int blockElems() {
            return 32;
        }

        @Override
        public void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red,
                         float[] out, int o0, int o1) {
            // one row per pass: a single copy of the loop keeps the compiled method within C2's inlining budget
            for (int rr = 0; rr < (off1 == off0 ? 1 : 2); rr++) {
                long off = rr == 0 ? off0 : off1;
                float[] y = a.scaled();
                int yo = a.valuesOffset(b);
                FloatVector acc0 = FloatVector.zero(FS);
                for (int blk = 0; blk < cols / 32; blk++) {
                    long p0 = off + (long) blk * Q5_0Codec.BLOCK_BYTES;
                    FloatVector d0 = bc(Float.float16ToFloat(w.get(LE_SHORT, p0)));
                    int h0 = w.get(LE_INT, p0 + Q5_0Codec.QH);
                    int e = yo + 32 * blk;
                    for (int h = 0; h < 2; h++) { // low nibbles (elements 0..15), then high (16..31)
                        for (int j = 0; j < 16; j += F) {
                            FloatVector v = ld(y, e + 16 * h + j);
                            ByteVector q0 = bit4(nib(h, loadBytes(w, p0 + Q5_0Codec.QS + j)), h0 >>> (16 * h + j)).sub((byte) 16);
                            acc0 = bytesToFloats(q0).mul(d0).fma(v, acc0);
                        }
                    }
                }
                acc0.intoArray(red, 0);
                out[rr == 0 ? o0 : o1] = DecodedDots.finish(VectorShapes.reduce(red, 0), 0f, 0f, DecodedDots.NO_MIN);
            }
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            for (int blk = 0; blk < cols / 32; blk++) {
                long p = off + (long) blk * Q5_0Codec.BLOCK_BYTES;
                FloatVector dd = bc(Float.float16ToFloat(w.get(LE_SHORT, p)));
                int qh = w.get(LE_INT, p + Q5_0Codec.QH);
                int e = qo + 32 * blk;
                for (int h = 0; h < 2; h++) { // low nibbles (elements 0..15), then high (16..31)
                    for (int j = 0; j < 16; j += F) {
                        ByteVector q = bit4(nib(h, loadBytes(w, p + Q5_0Codec.QS + j)), qh >>> (16 * h + j)).sub((byte) 16);
                        bytesToFloats(q).mul(dd).intoArray(d.q, e + 16 * h + j);
                    }
                }
            }
        }
    };

    /** Q5_1: {@code q * d} with 5-bit q, min term {@code mx * sy}. */
    static final RowDot Q5_1 = new RowDot() {
        @Override
        public int kind() {
            return DecodedDots.ADD_MIN;
        }

        @Override
        public int blockElems() {
            return 32;
        }

        @Override
        public void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red,
                         float[] out, int o0, int o1) {
            // one row per pass: a single copy of the loop keeps the compiled method within C2's inlining budget
            for (int rr = 0; rr < (off1 == off0 ? 1 : 2); rr++) {
                long off = rr == 0 ? off0 : off1;
                float[] y = a.scaled();
                int yo = a.valuesOffset(b);
                float[] sy = a.sums();
                int ss = a.sumsOffset(b);
                float m0 = 0f;
                FloatVector acc0 = FloatVector.zero(FS);
                for (int blk = 0; blk < cols / 32; blk++) {
                    long p0 = off + (long) blk * Q5_1Codec.BLOCK_BYTES;
                    FloatVector d0 = bc(Float.float16ToFloat(w.get(LE_SHORT, p0)));
                    int h0 = w.get(LE_INT, p0 + Q5_1Codec.QH);
                    int e = yo + 32 * blk;
                    for (int h = 0; h < 2; h++) { // low nibbles (elements 0..15), then high (16..31)
                        for (int j = 0; j < 16; j += F) {
                            FloatVector v = ld(y, e + 16 * h + j);
                            ByteVector q0 = bit4(nib(h, loadBytes(w, p0 + Q5_1Codec.QS + j)), h0 >>> (16 * h + j));
                            acc0 = bytesToFloats(q0).mul(d0).fma(v, acc0);
                        }
                    }
                    m0 += Float.float16ToFloat(w.get(LE_SHORT, p0 + Q5_1Codec.M)) * sy[ss + blk];
                }
                acc0.intoArray(red, 0);
                out[rr == 0 ? o0 : o1] = DecodedDots.finish(VectorShapes.reduce(red, 0), 0f, m0, DecodedDots.ADD_MIN);
            }
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            for (int blk = 0; blk < cols / 32; blk++) {
                long p = off + (long) blk * Q5_1Codec.BLOCK_BYTES;
                FloatVector dd = bc(Float.float16ToFloat(w.get(LE_SHORT, p)));
                int qh = w.get(LE_INT, p + Q5_1Codec.QH);
                d.min[slot * d.nb + blk] = Float.float16ToFloat(w.get(LE_SHORT, p + Q5_1Codec.M));
                int e = qo + 32 * blk;
                for (int h = 0; h < 2; h++) { // low nibbles (elements 0..15), then high (16..31)
                    for (int j = 0; j < 16; j += F) {
                        ByteVector q = bit4(nib(h, loadBytes(w, p + Q5_1Codec.QS + j)), qh >>> (16 * h + j));
                        bytesToFloats(q).mul(dd).intoArray(d.q, e + 16 * h + j);
                    }
                }
            }
        }
    };

    /** Q8_0: {@code qs * d}. */
    static final RowDot Q8_0 = new RowDot() {
        @Override
        public int kind() {
            return DecodedDots.NO_MIN;
        }

        @Override
        public int blockElems() {
            return 32;
        }

        @Override
        public void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red,
                         float[] out, int o0, int o1) {
            float[] y = a.scaled();
            int yo = a.valuesOffset(b);
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            for (int blk = 0; blk < cols / 32; blk++) {
                long p0 = off0 + (long) blk * Q8_0Codec.BLOCK_BYTES;
                long p1 = off1 + (long) blk * Q8_0Codec.BLOCK_BYTES;
                FloatVector d0 = bc(Float.float16ToFloat(w.get(LE_SHORT, p0)));
                FloatVector d1 = bc(Float.float16ToFloat(w.get(LE_SHORT, p1)));
                int e = yo + 32 * blk;
                for (int j = 0; j < 32; j += F) {
                    FloatVector v = ld(y, e + j);
                    acc0 = bytesToFloats(loadBytes(w, p0 + Q8_0Codec.QS + j)).mul(d0).fma(v, acc0);
                    acc1 = bytesToFloats(loadBytes(w, p1 + Q8_0Codec.QS + j)).mul(d1).fma(v, acc1);
                }
            }
            acc0.intoArray(red, 0);
            acc1.intoArray(red, F);
            out[o0] = DecodedDots.finish(VectorShapes.reduce(red, 0), 0f, 0f, DecodedDots.NO_MIN);
            out[o1] = DecodedDots.finish(VectorShapes.reduce(red, F), 0f, 0f, DecodedDots.NO_MIN);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            for (int blk = 0; blk < cols / 32; blk++) {
                long p = off + (long) blk * Q8_0Codec.BLOCK_BYTES;
                FloatVector dd = bc(Float.float16ToFloat(w.get(LE_SHORT, p)));
                int e = qo + 32 * blk;
                for (int j = 0; j < 32; j += F) {
                    bytesToFloats(loadBytes(w, p + Q8_0Codec.QS + j)).mul(dd).intoArray(d.q, e + j);
                }
            }
        }
    };
}
