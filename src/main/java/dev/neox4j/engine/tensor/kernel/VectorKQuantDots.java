package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_INT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.BS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.LE;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bc;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bytesToFloats;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.lds;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.loadBytes;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.loadBytesAsShorts;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.shortsToFloats;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.shl;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.shr;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.NEG_ZERO;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.reduce;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.Q2_KCodec;
import dev.neox4j.engine.tensor.Q3_KCodec;
import dev.neox4j.engine.tensor.Q4_KCodec;
import dev.neox4j.engine.tensor.Q5_KCodec;
import dev.neox4j.engine.tensor.Q6_KCodec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Vector API kernels of the K-quants against Q8_K activations (docs/quantization.md, "Dot products").
 *
 * <p>Per super-block the lanes of {@code lanes} hold exact integers {@code sum_k scale_k * (q . qy)_k} (every
 * partial sum stays below 2^24, so any grouping gives the same value); the float part is one FMA per super-block,
 * {@code acc += lanes * (d * dy)}, a fixed-order lane sum at the end, and for Q2_K/Q4_K/Q5_K the min term
 * {@code (dmin * dy) * sum_i m_i * bsum_i} accumulated in block order in a float and subtracted at the end.
 * The decoders store {@code q * scale_k} (exact), which makes the batched generic kernel identical.
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

    /** The eight 6-bit scales packed in {@code sc} ({@link #scales45}) as floats into {@code red[SCALES ..]}. */
    private static void scalesToRed(long sc, float[] red) {
        ((FloatVector) LongVector.broadcast(L2, sc).reinterpretAsBytes().convertShape(VectorOperators.B2F, F8, 0))
                .intoArray(red, Decoded.SCALES);
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

    /** Q4_K: eight 32-element sub-blocks (pairs share the quant bytes: low then high nibbles), 6-bit scales/mins. */
    static final RowDot Q4_K = new KDot() {
        @Override
        public int kind() {
            return DecodedDots.SUB_KMIN;
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            short[] ys = a.shortValues();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            float[] ps = a.pairSums();
            int po = a.pairSumsOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            float msum = 0f;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q4_KCodec.BLOCK_BYTES;
                scalesToRed(scales45(w, o + Q4_KCodec.SCALES), red);
                int yb = yo + 256 * blk;
                FloatVector lanes0 = FloatVector.zero(FS);
                FloatVector lanes1 = FloatVector.zero(FS);
                for (int c = 0; c < 4; c++) {
                    // 16-bit integer lane sums (|q * y| <= 15 * 128, at most 4 per lane), then exact floats
                    ShortVector lo = ShortVector.zero(SS);
                    ShortVector hi = ShortVector.zero(SS);
                    for (int j = 0; j < 32; j += F) {
                        ShortVector q = loadBytesAsShorts(w, o + Q4_KCodec.QS + 32 * c + j);
                        lo = lo.add(q.and((short) 0x0F).mul(lds(ys, yb + 64 * c + j)));
                        hi = hi.add(q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F)
                                .mul(lds(ys, yb + 64 * c + 32 + j)));
                    }
                    lanes0 = bc(red[Decoded.SCALES + 2 * c]).fma(shortsToFloats(lo), lanes0);
                    lanes1 = bc(red[Decoded.SCALES + 2 * c + 1]).fma(shortsToFloats(hi), lanes1);
                }
                float dyb = dy[so + blk];
                acc = bc(Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.D)) * dyb).fma(lanes0.add(lanes1), acc);
                msum += (Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.DMIN)) * dyb)
                        * minSum45(mins45(w, o + Q4_KCodec.SCALES), ps, po + 8 * blk);
            }
            NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
            return reduce(red, 0) - msum;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int bo = slot * d.nb;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q4_KCodec.BLOCK_BYTES;
                long sc = scales45(w, o + Q4_KCodec.SCALES);
                d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.D));
                d.min[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.DMIN));
                decodeMins45(mins45(w, o + Q4_KCodec.SCALES), d.coef, (bo + blk) * 16);
                for (int c = 0; c < 4; c++) {
                    FloatVector sl = bc(byteAt(sc, 2 * c));
                    FloatVector sh = bc(byteAt(sc, 2 * c + 1));
                    for (int j = 0; j < 32; j += F) {
                        ByteVector q = loadBytes(w, o + Q4_KCodec.QS + 32 * c + j);
                        int e = qo + 256 * blk + 64 * c + j;
                        bytesToFloats(VectorLegacyDots.lo(q)).mul(sl).intoArray(d.q, e);
                        bytesToFloats(VectorLegacyDots.hi(q)).mul(sh).intoArray(d.q, e + 32);
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

        /** 5-bit quants of sub-block {@code k}, lanes {@code j ..}. */
        private static ByteVector quant(MemorySegment w, long o, int k, int j) {
            ByteVector q = shr(loadBytes(w, o + Q5_KCodec.QS + 32 * (k >> 1) + j), 4 * (k & 1)).and((byte) 0x0F);
            return q.or(shl(shr(loadBytes(w, o + Q5_KCodec.QH + j), k).and((byte) 1), 4));
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            short[] ys = a.shortValues();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            float[] ps = a.pairSums();
            int po = a.pairSumsOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            float msum = 0f;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q5_KCodec.BLOCK_BYTES;
                scalesToRed(scales45(w, o + Q5_KCodec.SCALES), red);
                int yb = yo + 256 * blk;
                FloatVector lanes0 = FloatVector.zero(FS);
                FloatVector lanes1 = FloatVector.zero(FS);
                for (int k = 0; k < 8; k++) {
                    // 16-bit integer lane sums (|q * y| <= 31 * 128, at most 4 per lane), then exact floats
                    ShortVector isub = ShortVector.zero(SS);
                    for (int j = 0; j < 32; j += F) {
                        isub = isub.add(((ShortVector) quant(w, o, k, j).convertShape(VectorOperators.B2S, SS, 0))
                                .mul(lds(ys, yb + 32 * k + j)));
                    }
                    if ((k & 1) == 0) {
                        lanes0 = bc(red[Decoded.SCALES + k]).fma(shortsToFloats(isub), lanes0);
                    } else {
                        lanes1 = bc(red[Decoded.SCALES + k]).fma(shortsToFloats(isub), lanes1);
                    }
                }
                float dyb = dy[so + blk];
                acc = bc(Float.float16ToFloat(w.get(LE_SHORT, o + Q5_KCodec.D)) * dyb).fma(lanes0.add(lanes1), acc);
                msum += (Float.float16ToFloat(w.get(LE_SHORT, o + Q5_KCodec.DMIN)) * dyb)
                        * minSum45(mins45(w, o + Q5_KCodec.SCALES), ps, po + 8 * blk);
            }
            NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
            return reduce(red, 0) - msum;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int bo = slot * d.nb;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q5_KCodec.BLOCK_BYTES;
                long sc = scales45(w, o + Q5_KCodec.SCALES);
                d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o + Q5_KCodec.D));
                d.min[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o + Q5_KCodec.DMIN));
                decodeMins45(mins45(w, o + Q5_KCodec.SCALES), d.coef, (bo + blk) * 16);
                for (int k = 0; k < 8; k++) {
                    FloatVector s = bc(byteAt(sc, k));
                    for (int j = 0; j < 32; j += F) {
                        bytesToFloats(quant(w, o, k, j)).mul(s).intoArray(d.q, qo + 256 * blk + 32 * k + j);
                    }
                }
            }
        }
    };

    /**
     * Dots of one Q6_K weight row with 3-4 consecutive activation rows from {@code b} ({@code F = 16}; with 3
     * rows the third is computed twice and written once), expanding each 16-quant chunk times its scale once: per
     * row exactly the operations of {@link #Q6_K}'s direct kernel, so the results are bit-identical to it.
     */
    static void dot4Q6K(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                        int stride, float[] red) {
        float[] y = a.values();
        float[] dy = a.scales();
        int y0 = a.valuesOffset(b);
        int y1 = a.valuesOffset(b + 1);
        int y2 = a.valuesOffset(b + 2);
        int y3 = a.valuesOffset(b + Math.min(3, n - 1));
        int s0 = a.scalesOffset(b);
        int s1 = a.scalesOffset(b + 1);
        int s2 = a.scalesOffset(b + 2);
        int s3 = a.scalesOffset(b + Math.min(3, n - 1));
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
        for (int blk = 0; blk < cols / 256; blk++) {
            long bo = off + (long) blk * Q6_KCodec.BLOCK_BYTES;
            ((FloatVector) ByteVector.fromMemorySegment(BS, w, bo + Q6_KCodec.SCALES, LE)
                    .convertShape(VectorOperators.B2F, FS, 0)).intoArray(red, Decoded.SCALES);
            FloatVector l00 = z, l01 = z, l10 = z, l11 = z, l20 = z, l21 = z, l30 = z, l31 = z;
            for (int h2 = 0; h2 < 2; h2++) {
                for (int u = 0; u < 2; u++) {
                    for (int l = 0; l < 32; l += F) {
                        // JDK calls only (force-inlined): own helpers could fail C2's inlining cutoff here
                        long qlOff = bo + Q6_KCodec.QL + 64 * h2 + 32 * u + l;
                        ByteVector ql = ByteVector.fromMemorySegment(BS, w, qlOff, LE);
                        ByteVector h = ByteVector.fromMemorySegment(BS, w, bo + Q6_KCodec.QH + 32 * h2 + l, LE)
                                .reinterpretAsInts().lanewise(VectorOperators.LSHR, 2 * u).reinterpretAsBytes();
                        ByteVector hl = h.reinterpretAsInts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes();
                        ByteVector qlo = ql.and((byte) 0x0F).or(hl.and((byte) 0x30)).sub((byte) 32);
                        ByteVector qhi = ql.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                                .and((byte) 0x0F).or(h.and((byte) 0x30)).sub((byte) 32);
                        int sk = Decoded.SCALES + 8 * h2 + 2 * u + (l >> 4);
                        FloatVector wl = ((FloatVector) qlo.convertShape(VectorOperators.B2F, FS, 0))
                                .mul(FloatVector.broadcast(FS, red[sk]));
                        FloatVector wh = ((FloatVector) qhi.convertShape(VectorOperators.B2F, FS, 0))
                                .mul(FloatVector.broadcast(FS, red[sk + 4]));
                        int p = 256 * blk + 128 * h2 + 32 * u + l;
                        l00 = wl.fma(FloatVector.fromArray(FS, y, y0 + p), l00);
                        l01 = wh.fma(FloatVector.fromArray(FS, y, y0 + p + 64), l01);
                        l10 = wl.fma(FloatVector.fromArray(FS, y, y1 + p), l10);
                        l11 = wh.fma(FloatVector.fromArray(FS, y, y1 + p + 64), l11);
                        l20 = wl.fma(FloatVector.fromArray(FS, y, y2 + p), l20);
                        l21 = wh.fma(FloatVector.fromArray(FS, y, y2 + p + 64), l21);
                        l30 = wl.fma(FloatVector.fromArray(FS, y, y3 + p), l30);
                        l31 = wh.fma(FloatVector.fromArray(FS, y, y3 + p + 64), l31);
                    }
                }
            }
            float d = Float.float16ToFloat(w.get(LE_SHORT, bo + Q6_KCodec.D));
            c0 = FloatVector.broadcast(FS, d * dy[s0 + blk]).fma(l00.add(l01), c0);
            c1 = FloatVector.broadcast(FS, d * dy[s1 + blk]).fma(l10.add(l11), c1);
            c2 = FloatVector.broadcast(FS, d * dy[s2 + blk]).fma(l20.add(l21), c2);
            c3 = FloatVector.broadcast(FS, d * dy[s3 + blk]).fma(l30.add(l31), c3);
        }
        // stored without calling sum(): past C2's node budget a call would box the accumulators
        NEG_ZERO.add(c0).intoArray(red, 0);
        out[o] = reduce(red, 0);
        NEG_ZERO.add(c1).intoArray(red, 0);
        out[o + stride] = reduce(red, 0);
        NEG_ZERO.add(c2).intoArray(red, 0);
        out[o + 2 * stride] = reduce(red, 0);
        NEG_ZERO.add(c3).intoArray(red, 0);
        float r3 = reduce(red, 0);
        if (n > 3) {
            out[o + 3 * stride] = r3;
        }
    }

    /**
     * Q6_K: per half {@code n} and lane chunk {@code l}, one load each of the two {@code ql} rows and {@code qh}
     * gives the four quarters {@code t} (sub-blocks {@code 8n + 2t + l/16}); quants times their int8 scale are
     * exact, so {@code lanes += (q * sc) * y}.
     */
    static final RowDot Q6_K = new KDot() {
        @Override
        public int kind() {
            return DecodedDots.NO_MIN;
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q6_KCodec.BLOCK_BYTES;
                int yb = yo + 256 * blk;
                for (int k = 0; k < 16; k += F) { // the sixteen int8 scales as floats into red[SCALES ..]
                    bytesToFloats(loadBytes(w, o + Q6_KCodec.SCALES + k)).intoArray(red, Decoded.SCALES + k);
                }
                FloatVector lanes0 = FloatVector.zero(FS);
                FloatVector lanes1 = FloatVector.zero(FS);
                for (int n = 0; n < 2; n++) {
                    for (int u = 0; u < 2; u++) { // quarters t = u (low nibbles) and t = u + 2 (high nibbles)
                        for (int l = 0; l < 32; l += F) {
                            ByteVector ql = loadBytes(w, o + Q6_KCodec.QL + 64 * n + 32 * u + l);
                            ByteVector h = shr(loadBytes(w, o + Q6_KCodec.QH + 32 * n + l), 2 * u);
                            ByteVector qlo = VectorLegacyDots.lo(ql).or(shl(h, 4).and((byte) 0x30)).sub((byte) 32);
                            ByteVector qhi = VectorLegacyDots.hi(ql).or(h.and((byte) 0x30)).sub((byte) 32);
                            int sk = Decoded.SCALES + 8 * n + 2 * u + (l >> 4);
                            int p = yb + 128 * n + 32 * u + l;
                            lanes0 = bytesToFloats(qlo).mul(bc(red[sk])).fma(ld(y, p), lanes0);
                            lanes1 = bytesToFloats(qhi).mul(bc(red[sk + 4])).fma(ld(y, p + 64), lanes1);
                        }
                    }
                }
                acc = bc(Float.float16ToFloat(w.get(LE_SHORT, o + Q6_KCodec.D)) * dy[so + blk]).fma(lanes0.add(lanes1), acc);
            }
            NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
            return reduce(red, 0);
        }

        @Override
        public boolean multiRow() {
            return true;
        }

        @Override
        public void dotN(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                         int stride, float[] red) {
            dot4Q6K(w, off, cols, a, b, n, out, o, stride, red);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int bo = slot * d.nb;
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q6_KCodec.BLOCK_BYTES;
                d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o + Q6_KCodec.D));
                for (int n = 0; n < 2; n++) {
                    for (int u = 0; u < 2; u++) {
                        for (int l = 0; l < 32; l += F) {
                            ByteVector ql = loadBytes(w, o + Q6_KCodec.QL + 64 * n + 32 * u + l);
                            ByteVector h = shr(loadBytes(w, o + Q6_KCodec.QH + 32 * n + l), 2 * u);
                            ByteVector qlo = VectorLegacyDots.lo(ql).or(shl(h, 4).and((byte) 0x30)).sub((byte) 32);
                            ByteVector qhi = VectorLegacyDots.hi(ql).or(h.and((byte) 0x30)).sub((byte) 32);
                            long sk = o + Q6_KCodec.SCALES + 8 * n + 2 * u + (l >> 4);
                            int e = qo + 256 * blk + 128 * n + 32 * u + l;
                            bytesToFloats(qlo).mul(bc(w.get(BYTE, sk))).intoArray(d.q, e);
                            bytesToFloats(qhi).mul(bc(w.get(BYTE, sk + 4))).intoArray(d.q, e + 64);
                        }
                    }
                }
            }
        }
    };

    /**
     * Q2_K: per half {@code n} and lane chunk {@code l}, one load of {@code qs} gives the four quarters {@code j}
     * (sub-blocks {@code 8n + 2j + l/16}, 4-bit scale in the low nibble of {@code scales[k]}, min in the high one).
     */
    static final RowDot Q2_K = new KDot() {
        @Override
        public int kind() {
            return DecodedDots.SUB_KMIN;
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
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
                    ByteVector sb = loadBytes(w, o + Q2_KCodec.SCALES + k);
                    bytesToFloats(sb.and((byte) 0x0F)).intoArray(red, Decoded.SCALES + k);
                    summs += bytesToFloats(shr(sb, 4).and((byte) 0x0F)).mul(ld(bs, bo + 16 * blk + k))
                            .reduceLanes(VectorOperators.ADD);
                }
                FloatVector lanes0 = FloatVector.zero(FS);
                FloatVector lanes1 = FloatVector.zero(FS);
                for (int n = 0; n < 2; n++) {
                    for (int u = 0; u < 2; u++) { // quarters j = u and j = u + 2
                        for (int l = 0; l < 32; l += F) {
                            ByteVector qs = shr(loadBytes(w, o + Q2_KCodec.QS + 32 * n + l), 2 * u);
                            int sk = Decoded.SCALES + 8 * n + 2 * u + (l >> 4);
                            int p = yb + 128 * n + 32 * u + l;
                            lanes0 = bytesToFloats(qs.and((byte) 3)).mul(bc(red[sk])).fma(ld(y, p), lanes0);
                            lanes1 = bytesToFloats(shr(qs, 4).and((byte) 3)).mul(bc(red[sk + 4])).fma(ld(y, p + 64), lanes1);
                        }
                    }
                }
                float dyb = dy[so + blk];
                acc = bc(Float.float16ToFloat(w.get(LE_SHORT, o + Q2_KCodec.D)) * dyb).fma(lanes0.add(lanes1), acc);
                msum += (Float.float16ToFloat(w.get(LE_SHORT, o + Q2_KCodec.DMIN)) * dyb) * summs;
            }
            NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
            return reduce(red, 0) - msum;
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
    static final RowDot Q3_K = new KDot() {
        @Override
        public int kind() {
            return DecodedDots.NO_MIN;
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            for (int blk = 0; blk < cols / 256; blk++) {
                long o = off + (long) blk * Q3_KCodec.BLOCK_BYTES;
                int yb = yo + 256 * blk;
                FloatVector lanes0 = FloatVector.zero(FS);
                FloatVector lanes1 = FloatVector.zero(FS);
                for (int n = 0; n < 2; n++) { // the sixteen 6-bit scales minus 32 as floats into red[SCALES ..]
                    ((FloatVector) LongVector.broadcast(L2, scales3(w, o + Q3_KCodec.SCALES, n)).reinterpretAsBytes()
                            .convertShape(VectorOperators.B2F, F8, 0)).sub(32f).intoArray(red, Decoded.SCALES + 8 * n);
                }
                for (int n = 0; n < 2; n++) {
                    for (int j = 0; j < 4; j++) {
                        FloatVector lanes = (j & 1) == 0 ? lanes0 : lanes1;
                        for (int l = 0; l < 32; l += F) {
                            ByteVector qs = shr(loadBytes(w, o + Q3_KCodec.QS + 32 * n + l), 2 * j).and((byte) 3);
                            ByteVector hm = shl(shr(loadBytes(w, o + Q3_KCodec.HMASK + l), 4 * n + j).and((byte) 1), 2);
                            float scale = red[Decoded.SCALES + 8 * n + 2 * j + (l >> 4)];
                            lanes = bytesToFloats(qs.or(hm).sub((byte) 4)).mul(bc(scale))
                                    .fma(ld(y, yb + 128 * n + 32 * j + l), lanes);
                        }
                        if ((j & 1) == 0) {
                            lanes0 = lanes;
                        } else {
                            lanes1 = lanes;
                        }
                    }
                }
                acc = bc(Float.float16ToFloat(w.get(LE_SHORT, o + Q3_KCodec.D)) * dy[so + blk]).fma(lanes0.add(lanes1), acc);
            }
            NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
            return reduce(red, 0);
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
