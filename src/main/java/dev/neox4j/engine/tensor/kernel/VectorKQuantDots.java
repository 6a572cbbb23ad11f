package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_INT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bc;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bytesToFloats;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.loadBytes;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.shl;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.shr;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.Q2_KCodec;
import dev.neox4j.engine.tensor.Q3_KCodec;
import dev.neox4j.engine.tensor.Q4_KCodec;
import dev.neox4j.engine.tensor.Q5_KCodec;
import dev.neox4j.engine.tensor.Q6_KCodec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Vector API kernels of the K-quants against Q8_K activations (see {@link RowDot} for the scheme):
 * {@code w' = (d * scale_k) * q} exactly as the dequantizer computes it, times {@code y' = qy * dy}, element
 * order; Q2_K/Q4_K/Q5_K subtract {@code (dmin * dy) * sum_k m_k * bsum_k} per super-block (the integer sum is
 * exact), accumulated in a float in block order.
 */
final class VectorKQuantDots {

    private VectorKQuantDots() {
    }

    /**
     * The eight 6-bit scales of a Q4_K/Q5_K super-block as bytes of a long (scale {@code k} in byte {@code k}),
     * unpacked with 32-bit SWAR from the 12 scale bytes at {@code s}.
     */
    static long scales45(MemorySegment w, long s) {
        int u0 = w.get(LE_INT, s);
        int u2 = w.get(LE_INT, s + 8);
        int lo = u0 & 0x3F3F3F3F;
        int hi = (u2 & 0x0F0F0F0F) | ((u0 >>> 2) & 0x30303030);
        return (lo & 0xFFFFFFFFL) | ((long) hi << 32);
    }

    /** The eight 6-bit mins of a Q4_K/Q5_K super-block as bytes of a long (see {@link #scales45}). */
    static long mins45(MemorySegment w, long s) {
        int u1 = w.get(LE_INT, s + 4);
        int u2 = w.get(LE_INT, s + 8);
        int lo = u1 & 0x3F3F3F3F;
        int hi = ((u2 >>> 4) & 0x0F0F0F0F) | ((u1 >>> 2) & 0x30303030);
        return (lo & 0xFFFFFFFFL) | ((long) hi << 32);
    }

    /** Byte {@code k} of {@code packed}. */
    static int byteAt(long packed, int k) {
        return (int) (packed >>> (8 * k)) & 0xFF;
    }

    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Long> L2 = LongVector.SPECIES_128;

    /**
     * {@code sum_k m_k * pairSum_k} for Q4_K/Q5_K: the eight mins (bytes of {@code mins}) become an 8-lane float
     * vector; products and sums are integers below 2^24, so the lane reduction is exact in any order.
     */
    private static float minSum45(long mins, float[] ps, int po) {
        FloatVector m = (FloatVector) LongVector.broadcast(L2, mins).reinterpretAsBytes()
                .convertShape(VectorOperators.B2F, F8, 0);
        return m.mul(FloatVector.fromArray(F8, ps, po)).reduceLanes(VectorOperators.ADD);
    }

    /**
     * The Q4_K/Q5_K min terms of one weight row for activation row {@code b}: {@code sum over super-blocks of
     * (dmin * dy) * sum_k m_k * pairSum_k}, added in block order (the same float operations as
     * {@link DecodedDots#minSum}). Scalar-returning, so it may stay a call without boxing anything.
     */
    static float kmins45(MemorySegment w, long off, int cols, int blockBytes, Activations a, int b) {
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float[] ps = a.pairSums();
        int po = a.pairSumsOffset(b);
        float msum = 0f;
        for (int blk = 0; blk < cols / 256; blk++) {
            long p = off + (long) blk * blockBytes;
            msum += (Float.float16ToFloat(w.get(LE_SHORT, p + Q4_KCodec.DMIN)) * dy[so + blk])
                    * minSum45(mins45(w, p + Q4_KCodec.SCALES), ps, po + 8 * blk);
        }
        return msum;
    }

    private static void decodeMins45(long mins, float[] coef, int co) {
        for (int k = 0; k < 8; k++) {
            coef[co + 2 * k] = byteAt(mins, k);
            coef[co + 2 * k + 1] = byteAt(mins, k);
        }
    }

    /**
     * Eight of the sixteen Q3_K scales ({@code scale6}, 0..63; subtract 32) as bytes of a long: scales
     * {@code 8n .. 8n+7} of half {@code n}, unpacked with SWAR from the 12 scale bytes at {@code s}.
     */
    static long scales3(MemorySegment w, long s, int n) {
        int a = w.get(LE_INT, s);
        int b = w.get(LE_INT, s + 4);
        int c = w.get(LE_INT, s + 8) >>> (4 * n);
        int sh = 4 * n;
        int lo = ((a >>> sh) & 0x0F0F0F0F) | ((c & 0x03030303) << 4);
        int hi = ((b >>> sh) & 0x0F0F0F0F) | (((c >>> 2) & 0x03030303) << 4);
        return (lo & 0xFFFFFFFFL) | ((long) hi << 32);
    }

    private abstract static class KDot implements RowDot {
        @Override
        public int blockElems() {
            return 256;
        }
    }

    /** Q4_K: eight 32-element sub-blocks (pairs share the quant bytes: low, then high nibbles), 6-bit scales/mins. */
    static final RowDot Q4_K = new KDot() {
        @Override
        public int kind() {
            return DecodedDots.SUB_KMIN;
        }

        @Override
        public void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red,
                         float[] out, int o0, int o1) {
            float[] y = a.scaled();
            int yo = a.valuesOffset(b);
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            for (int blk = 0; blk < cols / 256; blk++) {
                long p0 = off0 + (long) blk * Q4_KCodec.BLOCK_BYTES;
                long p1 = off1 + (long) blk * Q4_KCodec.BLOCK_BYTES;
                long sc0 = scales45(w, p0 + Q4_KCodec.SCALES);
                long sc1 = scales45(w, p1 + Q4_KCodec.SCALES);
                float dd0 = Float.float16ToFloat(w.get(LE_SHORT, p0 + Q4_KCodec.D));
                float dd1 = Float.float16ToFloat(w.get(LE_SHORT, p1 + Q4_KCodec.D));
                int e = yo + 256 * blk;
                for (int k = 0; k < 8; k++) {
                    FloatVector s0 = bc(dd0 * byteAt(sc0, k));
                    FloatVector s1 = bc(dd1 * byteAt(sc1, k));
                    int sh = 4 * (k & 1);
                    long qo = Q4_KCodec.QS + 32 * (k >> 1);
                    for (int j = 0; j < 32; j += F) {
                        FloatVector v = ld(y, e + 32 * k + j);
                        acc0 = bytesToFloats(shr(loadBytes(w, p0 + qo + j), sh).and((byte) 0x0F)).mul(s0).fma(v, acc0);
                        acc1 = bytesToFloats(shr(loadBytes(w, p1 + qo + j), sh).and((byte) 0x0F)).mul(s1).fma(v, acc1);
                    }
                }
            }
            acc0.intoArray(red, 0);
            acc1.intoArray(red, F);
            out[o0] = DecodedDots.finish(VectorShapes.reduce(red, 0), 0f,
                    kmins45(w, off0, cols, Q4_KCodec.BLOCK_BYTES, a, b), DecodedDots.SUB_KMIN);
            out[o1] = DecodedDots.finish(VectorShapes.reduce(red, F), 0f,
                    kmins45(w, off1, cols, Q4_KCodec.BLOCK_BYTES, a, b), DecodedDots.SUB_KMIN);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            for (int blk = 0; blk < cols / 256; blk++) {
                long p = off + (long) blk * Q4_KCodec.BLOCK_BYTES;
                long sc = scales45(w, p + Q4_KCodec.SCALES);
                float dd = Float.float16ToFloat(w.get(LE_SHORT, p + Q4_KCodec.D));
                d.min[slot * d.nb + blk] = Float.float16ToFloat(w.get(LE_SHORT, p + Q4_KCodec.DMIN));
                decodeMins45(mins45(w, p + Q4_KCodec.SCALES), d.coef, (slot * d.nb + blk) * 16);
                for (int k = 0; k < 8; k++) {
                    FloatVector s = bc(dd * byteAt(sc, k));
                    int sh = 4 * (k & 1);
                    long q = p + Q4_KCodec.QS + 32 * (k >> 1);
                    for (int j = 0; j < 32; j += F) {
                        bytesToFloats(shr(loadBytes(w, q + j), sh).and((byte) 0x0F)).mul(s)
                                .intoArray(d.q, qo + 256 * blk + 32 * k + j);
                    }
                }
            }
        }
    };

    /** Q5_K: Q4_K plus the 5th bit of every quant in {@code qh} (bit {@code k} for sub-block {@code k}). */
    static final RowDot Q5_K = new KDot() {
        @Override
        public int kind() {
            return DecodedDots.SUB_KMIN;
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
                for (int blk = 0; blk < cols / 256; blk++) {
                    long p0 = off + (long) blk * Q5_KCodec.BLOCK_BYTES;
                    long sc0 = scales45(w, p0 + Q5_KCodec.SCALES);
                    float dd0 = Float.float16ToFloat(w.get(LE_SHORT, p0 + Q5_KCodec.D));
                    int e = yo + 256 * blk;
                    for (int k = 0; k < 8; k++) {
                        FloatVector s0 = bc(dd0 * byteAt(sc0, k));
                        for (int j = 0; j < 32; j += F) {
                            FloatVector v = ld(y, e + 32 * k + j);
                            ByteVector q0 = shr(loadBytes(w, p0 + Q5_KCodec.QS + 32 * (k >> 1) + j), 4 * (k & 1)).and((byte) 0x0F)
                                    .or(shl(shr(loadBytes(w, p0 + Q5_KCodec.QH + j), k).and((byte) 1), 4));
                            acc0 = bytesToFloats(q0).mul(s0).fma(v, acc0);
                        }
                    }
                }
                acc0.intoArray(red, 0);
                float m0 = kmins45(w, off, cols, Q5_KCodec.BLOCK_BYTES, a, b);
                out[rr == 0 ? o0 : o1] = DecodedDots.finish(VectorShapes.reduce(red, 0), 0f, m0, DecodedDots.SUB_KMIN);
            }
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            for (int blk = 0; blk < cols / 256; blk++) {
                long p = off + (long) blk * Q5_KCodec.BLOCK_BYTES;
                long sc = scales45(w, p + Q5_KCodec.SCALES);
                float dd = Float.float16ToFloat(w.get(LE_SHORT, p + Q5_KCodec.D));
                d.min[slot * d.nb + blk] = Float.float16ToFloat(w.get(LE_SHORT, p + Q5_KCodec.DMIN));
                decodeMins45(mins45(w, p + Q5_KCodec.SCALES), d.coef, (slot * d.nb + blk) * 16);
                for (int k = 0; k < 8; k++) {
                    FloatVector s = bc(dd * byteAt(sc, k));
                    for (int j = 0; j < 32; j += F) {
                        ByteVector q = shr(loadBytes(w, p + Q5_KCodec.QS + 32 * (k >> 1) + j), 4 * (k & 1)).and((byte) 0x0F)
                                .or(shl(shr(loadBytes(w, p + Q5_KCodec.QH + j), k).and((byte) 1), 4));
                        bytesToFloats(q).mul(s).intoArray(d.q, qo + 256 * blk + 32 * k + j);
                    }
                }
            }
        }
    };

    /**
     * Q6_K: element {@code 128n + 32t + l} has its low four bits in nibble {@code t >> 1} of
     * {@code ql[64n + 32(t & 1) + l]} and its high two bits at bit {@code 2t} of {@code qh[32n + l]}; sub-block
     * {@code 8n + 2t + l/16} has an int8 scale.
     */
    static final RowDot Q6_K = new KDot() {
        @Override
        public int kind() {
            return DecodedDots.NO_MIN;
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
                for (int blk = 0; blk < cols / 256; blk++) {
                    long p0 = off + (long) blk * Q6_KCodec.BLOCK_BYTES;
                    float dd0 = Float.float16ToFloat(w.get(LE_SHORT, p0 + Q6_KCodec.D));
                    int e = yo + 256 * blk;
                    for (int n = 0; n < 2; n++) {
                        for (int t = 0; t < 4; t++) {
                            for (int l = 0; l < 32; l += F) {
                                long k = Q6_KCodec.SCALES + 8 * n + 2 * t + (l >> 4);
                                FloatVector v = ld(y, e + 128 * n + 32 * t + l);
                                ByteVector q0 = shr(loadBytes(w, p0 + Q6_KCodec.QL + 64 * n + 32 * (t & 1) + l), 4 * (t >> 1)).and((byte) 0x0F)
                                        .or(shl(shr(loadBytes(w, p0 + Q6_KCodec.QH + 32 * n + l), 2 * t).and((byte) 3), 4)).sub((byte) 32);
                                acc0 = bytesToFloats(q0).mul(bc(dd0 * w.get(BYTE, p0 + k))).fma(v, acc0);
                            }
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
            for (int blk = 0; blk < cols / 256; blk++) {
                long p = off + (long) blk * Q6_KCodec.BLOCK_BYTES;
                float dd = Float.float16ToFloat(w.get(LE_SHORT, p + Q6_KCodec.D));
                for (int n = 0; n < 2; n++) {
                    for (int t = 0; t < 4; t++) {
                        for (int l = 0; l < 32; l += F) {
                            long k = Q6_KCodec.SCALES + 8 * n + 2 * t + (l >> 4);
                            ByteVector q = shr(loadBytes(w, p + Q6_KCodec.QL + 64 * n + 32 * (t & 1) + l), 4 * (t >> 1)).and((byte) 0x0F)
                                    .or(shl(shr(loadBytes(w, p + Q6_KCodec.QH + 32 * n + l), 2 * t).and((byte) 3), 4)).sub((byte) 32);
                            bytesToFloats(q).mul(bc(dd * w.get(BYTE, p + k)))
                                    .intoArray(d.q, qo + 256 * blk + 128 * n + 32 * t + l);
                        }
                    }
                }
            }
        }
    };

    /**
     * Q2_K: element {@code 128n + 32j + l} is bits {@code 2j..2j+1} of {@code qs[32n + l]}; sub-block
     * {@code k = 8n + 2j + l/16} has a 4-bit scale (low nibble of {@code scales[k]}) and min (high nibble).
     */
    static final RowDot Q2_K = new KDot() {
        @Override
        public int kind() {
            return DecodedDots.SUB_KMIN;
        }

        @Override
        public void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red,
                         float[] out, int o0, int o1) {
            float[] y = a.scaled();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            float[] bs = a.sums();
            int bo = a.sumsOffset(b);
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            float m0 = 0f;
            float m1 = 0f;
            for (int blk = 0; blk < cols / 256; blk++) {
                long p0 = off0 + (long) blk * Q2_KCodec.BLOCK_BYTES;
                long p1 = off1 + (long) blk * Q2_KCodec.BLOCK_BYTES;
                float dd0 = Float.float16ToFloat(w.get(LE_SHORT, p0 + Q2_KCodec.D));
                float dd1 = Float.float16ToFloat(w.get(LE_SHORT, p1 + Q2_KCodec.D));
                int e = yo + 256 * blk;
                for (int n = 0; n < 2; n++) {
                    for (int j = 0; j < 4; j++) {
                        for (int l = 0; l < 32; l += F) {
                            long k = Q2_KCodec.SCALES + 8 * n + 2 * j + (l >> 4);
                            long q = Q2_KCodec.QS + 32 * n + l;
                            FloatVector v = ld(y, e + 128 * n + 32 * j + l);
                            acc0 = bytesToFloats(shr(loadBytes(w, p0 + q), 2 * j).and((byte) 3))
                                    .mul(bc(dd0 * (w.get(BYTE, p0 + k) & 0x0F))).fma(v, acc0);
                            acc1 = bytesToFloats(shr(loadBytes(w, p1 + q), 2 * j).and((byte) 3))
                                    .mul(bc(dd1 * (w.get(BYTE, p1 + k) & 0x0F))).fma(v, acc1);
                        }
                    }
                }
                float dyb = dy[so + blk];
                m0 += (Float.float16ToFloat(w.get(LE_SHORT, p0 + Q2_KCodec.DMIN)) * dyb) * minSum2(w, p0, bs, bo + 16 * blk);
                m1 += (Float.float16ToFloat(w.get(LE_SHORT, p1 + Q2_KCodec.DMIN)) * dyb) * minSum2(w, p1, bs, bo + 16 * blk);
            }
            acc0.intoArray(red, 0);
            acc1.intoArray(red, F);
            out[o0] = DecodedDots.finish(VectorShapes.reduce(red, 0), 0f, m0, DecodedDots.SUB_KMIN);
            out[o1] = DecodedDots.finish(VectorShapes.reduce(red, F), 0f, m1, DecodedDots.SUB_KMIN);
        }

        /** {@code sum_k (scales[k] >>> 4) * bsum_k} (exact). */
        private static float minSum2(MemorySegment w, long p, float[] bs, int bo) {
            float s = 0f;
            for (int k = 0; k < 16; k++) {
                s += ((w.get(BYTE, p + Q2_KCodec.SCALES + k) & 0xFF) >>> 4) * bs[bo + k];
            }
            return s;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            for (int blk = 0; blk < cols / 256; blk++) {
                long p = off + (long) blk * Q2_KCodec.BLOCK_BYTES;
                float dd = Float.float16ToFloat(w.get(LE_SHORT, p + Q2_KCodec.D));
                d.min[slot * d.nb + blk] = Float.float16ToFloat(w.get(LE_SHORT, p + Q2_KCodec.DMIN));
                for (int k = 0; k < 16; k++) {
                    d.coef[(slot * d.nb + blk) * 16 + k] = (w.get(BYTE, p + Q2_KCodec.SCALES + k) & 0xFF) >>> 4;
                }
                for (int n = 0; n < 2; n++) {
                    for (int j = 0; j < 4; j++) {
                        for (int l = 0; l < 32; l += F) {
                            long k = Q2_KCodec.SCALES + 8 * n + 2 * j + (l >> 4);
                            bytesToFloats(shr(loadBytes(w, p + Q2_KCodec.QS + 32 * n + l), 2 * j).and((byte) 3))
                                    .mul(bc(dd * (w.get(BYTE, p + k) & 0x0F)))
                                    .intoArray(d.q, qo + 256 * blk + 128 * n + 32 * j + l);
                        }
                    }
                }
            }
        }
    };

    /**
     * Q3_K: Q2_K's layout for the low two bits, the third bit in {@code hmask} (bit {@code 4n + j} of
     * {@code hmask[l]}, set = no subtraction of 4), signed 6-bit scales unpacked with {@link #scales3}.
     */
    static final RowDot Q3_K = new KDot() {
        @Override
        public int kind() {
            return DecodedDots.NO_MIN;
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
                for (int blk = 0; blk < cols / 256; blk++) {
                    long p0 = off + (long) blk * Q3_KCodec.BLOCK_BYTES;
                    float dd0 = Float.float16ToFloat(w.get(LE_SHORT, p0 + Q3_KCodec.D));
                    int e = yo + 256 * blk;
                    for (int n = 0; n < 2; n++) {
                        long sc0 = scales3(w, p0 + Q3_KCodec.SCALES, n);
                        for (int j = 0; j < 4; j++) {
                            for (int l = 0; l < 32; l += F) {
                                int k = 2 * j + (l >> 4);
                                FloatVector v = ld(y, e + 128 * n + 32 * j + l);
                                ByteVector q0 = shr(loadBytes(w, p0 + Q3_KCodec.QS + 32 * n + l), 2 * j).and((byte) 3)
                                        .or(shl(shr(loadBytes(w, p0 + Q3_KCodec.HMASK + l), 4 * n + j).and((byte) 1), 2)).sub((byte) 4);
                                acc0 = bytesToFloats(q0).mul(bc(dd0 * (byteAt(sc0, k) - 32))).fma(v, acc0);
                            }
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
            for (int blk = 0; blk < cols / 256; blk++) {
                long p = off + (long) blk * Q3_KCodec.BLOCK_BYTES;
                float dd = Float.float16ToFloat(w.get(LE_SHORT, p + Q3_KCodec.D));
                for (int n = 0; n < 2; n++) {
                    long sc = scales3(w, p + Q3_KCodec.SCALES, n);
                    for (int j = 0; j < 4; j++) {
                        for (int l = 0; l < 32; l += F) {
                            int k = 2 * j + (l >> 4);
                            ByteVector q = shr(loadBytes(w, p + Q3_KCodec.QS + 32 * n + l), 2 * j).and((byte) 3)
                                    .or(shl(shr(loadBytes(w, p + Q3_KCodec.HMASK + l), 4 * n + j).and((byte) 1), 2)).sub((byte) 4);
                            bytesToFloats(q).mul(bc(dd * (byteAt(sc, k) - 32)))
                                    .intoArray(d.q, qo + 256 * blk + 128 * n + 32 * j + l);
                        }
                    }
                }
            }
        }
    };
}
