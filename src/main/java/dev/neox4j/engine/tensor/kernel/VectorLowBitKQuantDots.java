package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_INT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.BS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.IB;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.BS2;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.IS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SS2;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SWAP;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.LE;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bc;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bytesToFloats;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.loadBytes;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.shl;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.shr;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.NEG_ZERO;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.reduce;
import static dev.neox4j.engine.tensor.kernel.VectorKQuantDots.byteAt;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.Q2_KCodec;
import dev.neox4j.engine.tensor.Q3_KCodec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Vector API kernels of the 2- and 3-bit K-quants (Q2_K, Q3_K) against Q8_K activations, beside
 * {@link VectorKQuantDots} (Q4_K, Q5_K, Q6_K) and under its rules (docs/quantization.md, "Dot products"): exact integer
 * or float lane sums per super-block, one FMA per super-block, a fixed-order lane sum; JDK vector calls only. Kept in
 * a class of their own so that neither file passes ~800 lines.
 */
final class VectorLowBitKQuantDots {

    private VectorLowBitKQuantDots() {
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

    /**
     * The Q2_K single-row kernel: per half {@code n}, quarter pair {@code u} and lane chunk {@code l}, one load of
     * {@code qs} gives quarters {@code u} and {@code u + 2} (sub-blocks {@code 8n + 2u + l/16} and {@code + 4}, 4-bit
     * scale in the low nibble of {@code scales[k]}, min in the high one), expanded to floats times the scale and
     * multiplied into the float activations (the 2-bit quants make this cheaper than 16-bit products). JDK vector
     * calls only (see {@link VectorKQuantDots#dot1Q4K}).
     */
    static float dot1Q2K(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float[] bs = a.sums();
        int bo = a.sumsOffset(b);
        FloatVector acc = FloatVector.zero(FS);
        float msum = 0f;
        for (int blk = 0; blk < cols / 256; blk++) {
            long o = off + (long) blk * Q2_KCodec.BLOCK_BYTES;
            int yb = yo + 256 * blk;
            // the sixteen 4-bit scales as floats into red[SCALES ..]; the min sum over the sixteen 4-bit mins
            // times the integer bsums is an exact integer (< 2^24), so a lane reduction gives the same value
            float summs = 0f;
            for (int k = 0; k < 16; k += F) {
                ByteVector sb = ByteVector.fromMemorySegment(BS, w, o + Q2_KCodec.SCALES + k, LE);
                ((FloatVector) sb.and((byte) 0x0F).convertShape(VectorOperators.B2F, FS, 0))
                        .intoArray(red, Decoded.SCALES + k);
                summs += ((FloatVector) ((ByteVector) ((IntVector) sb.reinterpretShape(IB, 0)).lanewise(VectorOperators.LSHR, 4).reinterpretShape(BS, 0))
                        .and((byte) 0x0F).convertShape(VectorOperators.B2F, FS, 0))
                        .mul(FloatVector.fromArray(FS, bs, bo + 16 * blk + k)).reduceLanes(VectorOperators.ADD);
            }
            FloatVector lanes0 = FloatVector.zero(FS);
            FloatVector lanes1 = FloatVector.zero(FS);
            for (int n = 0; n < 2; n++) {
                for (int u = 0; u < 2; u++) { // quarters j = u and j = u + 2
                    for (int l = 0; l < 32; l += F) {
                        ByteVector qs = (ByteVector) ((IntVector) ByteVector.fromMemorySegment(BS, w, o + Q2_KCodec.QS + 32 * n + l, LE)
                                .reinterpretShape(IB, 0)).lanewise(VectorOperators.LSHR, 2 * u).reinterpretShape(BS, 0);
                        int sk = Decoded.SCALES + 8 * n + 2 * u + (l >> 4);
                        int p = yb + 128 * n + 32 * u + l;
                        lanes0 = ((FloatVector) qs.and((byte) 3).convertShape(VectorOperators.B2F, FS, 0))
                                .mul(FloatVector.broadcast(FS, red[sk])).fma(FloatVector.fromArray(FS, y, p), lanes0);
                        lanes1 = ((FloatVector) ((ByteVector) ((IntVector) qs.reinterpretShape(IB, 0)).lanewise(VectorOperators.LSHR, 4)
                                .reinterpretShape(BS, 0)).and((byte) 3).convertShape(VectorOperators.B2F, FS, 0))
                                .mul(FloatVector.broadcast(FS, red[sk + 4])).fma(FloatVector.fromArray(FS, y, p + 64), lanes1);
                    }
                }
            }
            float dyb = dy[so + blk];
            acc = FloatVector.broadcast(FS, Float.float16ToFloat(w.get(LE_SHORT, o + Q2_KCodec.D)) * dyb)
                    .fma(lanes0.add(lanes1), acc);
            msum += (Float.float16ToFloat(w.get(LE_SHORT, o + Q2_KCodec.DMIN)) * dyb) * summs;
        }
        NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
        return reduce(red, 0) - msum;
    }

    /**
     * The Q3_K single-row kernel: {@link #dot1Q2K}'s layout for the low two bits, the third from {@code hmask}
     * (bit {@code 4n + u}, set = no subtraction of 4), signed 6-bit scales ({@link #scales3} minus 32). JDK vector
     * calls only (see {@link VectorKQuantDots#dot1Q4K}): the file-layout kernel written with shared helpers was found
     * boxed after other workloads in the same JVM.
     */
    static float dot1Q3K(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
        short[] ys = a.shortValues();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        FloatVector acc = FloatVector.zero(FS);
        for (int blk = 0; blk < cols / 256; blk++) {
            long o = off + (long) blk * Q3_KCodec.BLOCK_BYTES;
            IntVector isum = IntVector.zero(IS);
            for (int n = 0; n < 2; n++) {
                long sc = scales3(w, o + Q3_KCodec.SCALES, n);
                for (int j = 0; j < 32; j += 2 * F) {
                    ShortVector qv = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q3_KCodec.QS + 32 * n + j, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    ShortVector hm = ((ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q3_KCodec.HMASK + j, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0)).lanewise(VectorOperators.LSHL, 2);
                    for (int u = 0; u < 4; u++) {
                        ShortVector p = qv.lanewise(VectorOperators.LSHR, 2 * u).and((short) 3)
                                .or(hm.lanewise(VectorOperators.LSHR, 4 * n + u).and((short) 4)).sub((short) 4)
                                .mul(ShortVector.fromArray(SS2, ys, yo + 256 * blk + 128 * n + 32 * u + j));
                        ShortVector pUp = (ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP)
                                .reinterpretShape(SS2, 0); // lanes [F, 2F) moved down (VectorShapes.SWAP)
                        if (F == 8) { // one sub-block in the 16 lanes: halves added as shorts, as in dot1Q6K
                            isum = isum.add(((IntVector) p.add(pUp).convertShape(VectorOperators.S2I, IS, 0))
                                    .mul(((int) (sc >>> (8 * (2 * u + j / 16))) & 0xFF) - 32));
                            continue;
                        }
                        isum = isum
                                .add(((IntVector) p.convertShape(VectorOperators.S2I, IS, 0))
                                        .mul(((int) (sc >>> (8 * (2 * u + j / 16))) & 0xFF) - 32))
                                .add(((IntVector) pUp.convertShape(VectorOperators.S2I, IS, 0))
                                        .mul(((int) (sc >>> (8 * (2 * u + (j + F) / 16))) & 0xFF) - 32));
                    }
                }
            }
            acc = FloatVector.broadcast(FS, Float.float16ToFloat(w.get(LE_SHORT, o + Q3_KCodec.D)) * dy[so + blk])
                    .fma((FloatVector) isum.convertShape(VectorOperators.I2F, FS, 0), acc);
        }
        NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
        return reduce(red, 0);
    }

    /**
     * Q2_K: per half {@code n} and lane chunk {@code l}, one load of {@code qs} gives the four quarters {@code j}
     * (sub-blocks {@code 8n + 2j + l/16}, 4-bit scale in the low nibble of {@code scales[k]}, min in the high one).
     */
    static final RowDot Q2_K = new VectorKQuantDots.KDot() {
        @Override
        public int kind() {
            return DecodedDots.SUB_KMIN;
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            return dot1Q2K(w, off, cols, a, b, red);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int bo = slot * d.nb;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q2_KCodec.BLOCK_BYTES;
                d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o + Q2_KCodec.D));
                d.min[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o + Q2_KCodec.DMIN));
                for (int k = 0; k < 16; k++) {
                    d.coef[(bo + blk) * 16 + k] = (w.get(BYTE, o + Q2_KCodec.SCALES + k) & 0xFF) >>> 4;
                }
                for (int n = 0; n < 2; n++) {
                    for (int u = 0; u < 2; u++) {
                        for (int l = 0; l < 32; l += F) {
                            ByteVector qs = shr(loadBytes(w, o + Q2_KCodec.QS + 32 * n + l), 2 * u);
                            long sk = o + Q2_KCodec.SCALES + 8 * n + 2 * u + (l >> 4);
                            int e = qo + 256 * blk + 128 * n + 32 * u + l;
                            bytesToFloats(qs.and((byte) 3)).mul(bc(w.get(BYTE, sk) & 0x0F)).intoArray(d.q, e);
                            bytesToFloats(shr(qs, 4).and((byte) 3)).mul(bc(w.get(BYTE, sk + 4) & 0x0F)).intoArray(d.q, e + 64);
                        }
                    }
                }
            }
        }
    };

    /**
     * Q3_K: Q2_K's layout for the low two bits, the third bit in {@code hmask} (bit {@code 4n + j}, set = no
     * subtraction of 4), signed 6-bit scales unpacked with {@link #scales3}.
     */
    static final RowDot Q3_K = new VectorKQuantDots.KDot() {
        @Override
        public int kind() {
            return DecodedDots.NO_MIN;
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            return dot1Q3K(w, off, cols, a, b, red);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int bo = slot * d.nb;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q3_KCodec.BLOCK_BYTES;
                d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o + Q3_KCodec.D));
                for (int n = 0; n < 2; n++) {
                    long scn = scales3(w, o + Q3_KCodec.SCALES, n);
                    for (int j = 0; j < 4; j++) {
                        for (int l = 0; l < 32; l += F) {
                            ByteVector qs = shr(loadBytes(w, o + Q3_KCodec.QS + 32 * n + l), 2 * j).and((byte) 3);
                            ByteVector hm = shl(shr(loadBytes(w, o + Q3_KCodec.HMASK + l), 4 * n + j).and((byte) 1), 2);
                            bytesToFloats(qs.or(hm).sub((byte) 4)).mul(bc(byteAt(scn, 2 * j + (l >> 4)) - 32))
                                    .intoArray(d.q, qo + 256 * blk + 128 * n + 32 * j + l);
                        }
                    }
                }
            }
        }
    };
}
