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

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.Q4_KCodec;
import dev.neox4j.engine.tensor.Q5_KCodec;
import dev.neox4j.engine.tensor.Q6_KCodec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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

    /** The species of the eight-lane min sums (written out in the Q4_K/Q5_K single-row kernels). */
    static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    static final VectorSpecies<Long> L2 = LongVector.SPECIES_128;
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;

    private static void decodeMins45(long mins, float[] coef, int co) {
        for (int k = 0; k < 8; k++) {
            coef[co + 2 * k] = byteAt(mins, k);
            coef[co + 2 * k + 1] = byteAt(mins, k);
        }
    }

    /**
     * The Q4_K single-row kernel: per 32-byte chunk {@code c} the quant bytes widened once to {@code 2F} shorts,
     * low nibbles times the activations of sub-block {@code 2c}, high nibbles those of {@code 2c + 1} (16-bit
     * products, |q * y| <= 15 * 127), each folded to {@code F} lanes ({@link VectorShapes#SWAP}), widened to ints
     * and multiplied by the sub-block's scale into one integer accumulator per super-block: the exact lane sums
     * {@code sum_k scale_k * (q . y)_k} (lane {@code i} = elements {@code e mod F = i}) that the decoded path also
     * computes, then one FMA per super-block. JDK vector calls only, so C2 inlines all of it whatever it compiled
     * before (a helper compiled on its own past {@code InlineSmallCode} would no longer be inlined, and box).
     */
    static float dot1Q4K(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
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
            long sc = scales45(w, o + Q4_KCodec.SCALES);
            int yb = yo + 256 * blk;
            IntVector isum = IntVector.zero(IS);
            if (F == 8) {
                for (int c = 0; c < 4; c++) {
                    int slo = (int) (sc >>> (16 * c)) & 0xFF;
                    int shi = (int) (sc >>> (16 * c + 8)) & 0xFF;
                    // AVX2: both 16-byte halves of the chunk multiplied and added as shorts first (lane l: elements
                    // l and l + 16 of the sub-block, |sum| <= 2 * 15 * 127), then one fold through 32-bit lanes
                    // (vpermd; AVX2 has no cross-lane 16-bit permute) per sub-block: the same integers per lane
                    ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q4_KCodec.QS + 32 * c, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    long q1o = o + Q4_KCodec.QS + 32 * c + 16;
                    ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, q1o, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    int e = yb + 64 * c;
                    ShortVector lo = q0.and((short) 0x0F).mul(ShortVector.fromArray(SS2, ys, e))
                            .add(q1.and((short) 0x0F).mul(ShortVector.fromArray(SS2, ys, e + 16)));
                    ShortVector hi = q0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(SS2, ys, e + 32))
                            .add(q1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(SS2, ys, e + 48)));
                    lo = lo.add((ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP)
                            .reinterpretShape(SS2, 0));
                    hi = hi.add((ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP)
                            .reinterpretShape(SS2, 0));
                    isum = isum
                            .add(((IntVector) lo.convertShape(VectorOperators.S2I, IS, 0)).mul(slo))
                            .add(((IntVector) hi.convertShape(VectorOperators.S2I, IS, 0)).mul(shi));
                }
            } else {
                // the chunk loop counts the activation index itself (chunk c = (e - yb) / 64), so that C2 hoists the
                // activation loads' range checks out of it: +7-9 % at 16 lanes against a chunk counter c with
                // index yb + 64 * c (BENCHMARKS.md, session 14)
                for (int e = yb; e < yb + 256; e += 64) {
                    int c = (e - yb) >>> 6;
                    int slo = (int) (sc >>> (16 * c)) & 0xFF;
                    int shi = (int) (sc >>> (16 * c + 8)) & 0xFF;
                    long qo = o + Q4_KCodec.QS + ((e - yb) >>> 1);
                    for (int j = 0; j < 32; j += 2 * F) {
                        ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BS2, w, qo + j, LE)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                        ShortVector lo = q.and((short) 0x0F).mul(ShortVector.fromArray(SS2, ys, e + j));
                        ShortVector hi = q.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(SS2, ys, e + 32 + j));
                        ShortVector loUp = (ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP)
                                .reinterpretShape(SS2, 0); // lanes [F, 2F) moved down (VectorShapes.SWAP)
                        ShortVector hiUp = (ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP)
                                .reinterpretShape(SS2, 0);
                        isum = isum
                                .add(((IntVector) lo.add(loUp).convertShape(VectorOperators.S2I, IS, 0)).mul(slo))
                                .add(((IntVector) hi.add(hiUp).convertShape(VectorOperators.S2I, IS, 0)).mul(shi));
                    }
                }
            }
            float dyb = dy[so + blk];
            acc = FloatVector.broadcast(FS, Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.D)) * dyb)
                    .fma((FloatVector) isum.convertShape(VectorOperators.I2F, FS, 0), acc);
            float ms;
            // sum_k m_k * pairSum_k, the eight 6-bit mins unpacked (mins45 written out) into one 8-lane float
            // vector: products and sums are integers below 2^24, so the lane reduction is exact in any order.
            // Written out, at every vector width: as calls per super-block they took ~40 % of this kernel with
            // AVX2 and cost Q5_K 22 % with AVX-512 (9.1 vs 7.1 GB/s; a call saves every live vector register);
            // one vector beats eight scalar products (BENCHMARKS.md, sessions 12 and 14). Not a helper: C2
            // inlined one only where the call site was hot when compiled ("callee is too large" otherwise), and
            // dot1Q5K repeats these lines for the same reason
            int u1 = w.get(LE_INT, o + Q4_KCodec.SCALES + 4);
            int u2 = w.get(LE_INT, o + Q4_KCodec.SCALES + 8);
            int mlo = u1 & 0x3F3F3F3F;
            int mhi = ((u2 >>> 4) & 0x0F0F0F0F) | ((u1 >>> 2) & 0x30303030);
            long mins = (mlo & 0xFFFFFFFFL) | ((long) mhi << 32);
            ms = ((FloatVector) ((ByteVector) LongVector.broadcast(L2, mins).reinterpretShape(B128, 0))
                    .convertShape(VectorOperators.B2F, F8, 0)).mul(FloatVector.fromArray(F8, ps, po + 8 * blk))
                    .reduceLanes(VectorOperators.ADD);
            msum += (Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.DMIN)) * dyb) * ms;
        }
        NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
        return reduce(red, 0) - msum;
    }

    /**
     * The Q5_K single-row kernel: {@link #dot1Q4K} with the fifth bit of every quant from {@code qh} (bit {@code k}
     * of byte {@code l} for element {@code l} of sub-block {@code k}), widened once per super-block and shifted so
     * that bit {@code k} lands on bit 4 (|q * y| <= 31 * 127 still fits 16 bits).
     */
    static float dot1Q5K(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
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
            long sc = scales45(w, o + Q5_KCodec.SCALES);
            int yb = yo + 256 * blk;
            IntVector isum = IntVector.zero(IS);
            if (F == 8) {
                // AVX2: as dot1Q4K, both 16-byte halves of a chunk added as shorts (at most 2 * 31 * 127) before
                // the one fold per sub-block; the same integers per lane as the two 16-lane steps below
                ShortVector h0 = ((ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q5_KCodec.QH, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0)).lanewise(VectorOperators.LSHL, 4);
                ShortVector h1 = ((ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q5_KCodec.QH + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0)).lanewise(VectorOperators.LSHL, 4);
                for (int c = 0; c < 4; c++) {
                    ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q5_KCodec.QS + 32 * c, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    long q1o = o + Q5_KCodec.QS + 32 * c + 16;
                    ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, q1o, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    int e = yb + 64 * c;
                    ShortVector lo = q0.and((short) 0x0F).or(h0.lanewise(VectorOperators.LSHR, 2 * c).and((short) 0x10))
                            .mul(ShortVector.fromArray(SS2, ys, e))
                            .add(q1.and((short) 0x0F).or(h1.lanewise(VectorOperators.LSHR, 2 * c).and((short) 0x10))
                                    .mul(ShortVector.fromArray(SS2, ys, e + 16)));
                    ShortVector hi = q0.lanewise(VectorOperators.LSHR, 4)
                            .or(h0.lanewise(VectorOperators.LSHR, 2 * c + 1).and((short) 0x10))
                            .mul(ShortVector.fromArray(SS2, ys, e + 32))
                            .add(q1.lanewise(VectorOperators.LSHR, 4)
                                    .or(h1.lanewise(VectorOperators.LSHR, 2 * c + 1).and((short) 0x10))
                                    .mul(ShortVector.fromArray(SS2, ys, e + 48)));
                    lo = lo.add((ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP)
                            .reinterpretShape(SS2, 0));
                    hi = hi.add((ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP)
                            .reinterpretShape(SS2, 0));
                    isum = isum
                            .add(((IntVector) lo.convertShape(VectorOperators.S2I, IS, 0)).mul((int) (sc >>> (16 * c)) & 0xFF))
                            .add(((IntVector) hi.convertShape(VectorOperators.S2I, IS, 0))
                                    .mul((int) (sc >>> (16 * c + 8)) & 0xFF));
                }
            }
            for (int j = 0; F != 8 && j < 32; j += 2 * F) {
                ShortVector h = ((ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q5_KCodec.QH + j, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0)).lanewise(VectorOperators.LSHL, 4);
                for (int c = 0; c < 4; c++) {
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q5_KCodec.QS + 32 * c + j, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    ShortVector lo = q.and((short) 0x0F).or(h.lanewise(VectorOperators.LSHR, 2 * c).and((short) 0x10))
                            .mul(ShortVector.fromArray(SS2, ys, yb + 64 * c + j));
                    ShortVector hi = q.lanewise(VectorOperators.LSHR, 4)
                            .or(h.lanewise(VectorOperators.LSHR, 2 * c + 1).and((short) 0x10))
                            .mul(ShortVector.fromArray(SS2, ys, yb + 64 * c + 32 + j));
                    ShortVector loUp = (ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP)
                            .reinterpretShape(SS2, 0); // lanes [F, 2F) moved down (VectorShapes.SWAP)
                    ShortVector hiUp = (ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP)
                            .reinterpretShape(SS2, 0);
                    isum = isum
                            .add(((IntVector) lo.add(loUp).convertShape(VectorOperators.S2I, IS, 0))
                                    .mul((int) (sc >>> (16 * c)) & 0xFF))
                            .add(((IntVector) hi.add(hiUp).convertShape(VectorOperators.S2I, IS, 0))
                                    .mul((int) (sc >>> (16 * c + 8)) & 0xFF));
                }
            }
            float dyb = dy[so + blk];
            acc = FloatVector.broadcast(FS, Float.float16ToFloat(w.get(LE_SHORT, o + Q5_KCodec.D)) * dyb)
                    .fma((FloatVector) isum.convertShape(VectorOperators.I2F, FS, 0), acc);
            float ms;
            // sum_k m_k * pairSum_k, the eight 6-bit mins unpacked (mins45 written out) into one 8-lane float
            // vector: products and sums are integers below 2^24, so the lane reduction is exact in any order.
            // Written out, at every vector width: as calls per super-block they took ~40 % of this kernel with
            // AVX2 and cost Q5_K 22 % with AVX-512 (9.1 vs 7.1 GB/s; a call saves every live vector register);
            // one vector beats eight scalar products (BENCHMARKS.md, sessions 12 and 14). Not a helper: C2
            // inlined one only where the call site was hot when compiled ("callee is too large" otherwise), and
            // dot1Q4K repeats these lines for the same reason
            int u1 = w.get(LE_INT, o + Q5_KCodec.SCALES + 4);
            int u2 = w.get(LE_INT, o + Q5_KCodec.SCALES + 8);
            int mlo = u1 & 0x3F3F3F3F;
            int mhi = ((u2 >>> 4) & 0x0F0F0F0F) | ((u1 >>> 2) & 0x30303030);
            long mins = (mlo & 0xFFFFFFFFL) | ((long) mhi << 32);
            ms = ((FloatVector) ((ByteVector) LongVector.broadcast(L2, mins).reinterpretShape(B128, 0))
                    .convertShape(VectorOperators.B2F, F8, 0)).mul(FloatVector.fromArray(F8, ps, po + 8 * blk))
                    .reduceLanes(VectorOperators.ADD);
            msum += (Float.float16ToFloat(w.get(LE_SHORT, o + Q5_KCodec.DMIN)) * dyb) * ms;
        }
        NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
        return reduce(red, 0) - msum;
    }

    /**
     * The Q6_K single-row kernel: per half {@code n} and lane step {@code j}, one widening load each of the two
     * {@code ql} rows and of {@code qh} gives the four quarters {@code t} (elements {@code 128n + 32t + j ..}, 6-bit
     * quants minus 32); their 16-bit products with the activations (|q * y| <= 32 * 127) are widened to ints half
     * by half (lanes {@code [0, F)} and, through {@link VectorShapes#SWAP}, {@code [F, 2F)}: sub-blocks of 16
     * elements) and multiplied by their int8 scale into one integer accumulator per super-block, the exact lane sums
     * of the decoded path. JDK vector calls only (see {@link #dot1Q4K}).
     */
    static float dot1Q6K(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
        short[] ys = a.shortValues();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        FloatVector acc = FloatVector.zero(FS);
        for (int blk = 0; blk < cols / 256; blk++) {
            long o = off + (long) blk * Q6_KCodec.BLOCK_BYTES;
            long s = o + Q6_KCodec.SCALES;
            IntVector isum = IntVector.zero(IS);
            for (int n = 0; n < 2; n++) {
                for (int j = 0; j < 32; j += 2 * F) {
                    ShortVector l0 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q6_KCodec.QL + 64 * n + j, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    ShortVector l1 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q6_KCodec.QL + 64 * n + 32 + j, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    ShortVector h = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q6_KCodec.QH + 32 * n + j, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    int p = yo + 256 * blk + 128 * n + j;
                    int k = 8 * n + j / 16; // scale of lanes [0, F) of quarter 0; + 2t for quarter t
                    int k2 = 8 * n + (j + F) / 16; // of lanes [F, 2F)
                    ShortVector p0 = l0.and((short) 0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and((short) 0x30))
                            .sub((short) 32).mul(ShortVector.fromArray(SS2, ys, p));
                    ShortVector p1 = l1.and((short) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and((short) 0x30))
                            .sub((short) 32).mul(ShortVector.fromArray(SS2, ys, p + 32));
                    ShortVector p2 = l0.lanewise(VectorOperators.LSHR, 4).or(h.and((short) 0x30))
                            .sub((short) 32).mul(ShortVector.fromArray(SS2, ys, p + 64));
                    ShortVector p3 = l1.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and((short) 0x30))
                            .sub((short) 32).mul(ShortVector.fromArray(SS2, ys, p + 96));
                    // lanes [F, 2F) moved down (VectorShapes.SWAP)
                    ShortVector p0Up = (ShortVector) ((IntVector) p0.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0);
                    ShortVector p1Up = (ShortVector) ((IntVector) p1.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0);
                    ShortVector p2Up = (ShortVector) ((IntVector) p2.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0);
                    ShortVector p3Up = (ShortVector) ((IntVector) p3.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0);
                    if (F == 8) {
                        // 16 lanes are one 16-element sub-block (k == k2): the halves are added as shorts (at most
                        // 2 * 32 * 127), then widened and multiplied by the scale once, the same integer per lane
                        isum = isum
                                .add(((IntVector) p0.add(p0Up).convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k)))
                                .add(((IntVector) p1.add(p1Up).convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k + 2)))
                                .add(((IntVector) p2.add(p2Up).convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k + 4)))
                                .add(((IntVector) p3.add(p3Up).convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k + 6)));
                        continue;
                    }
                    isum = isum
                            .add(((IntVector) p0.convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k)))
                            .add(((IntVector) p0Up.convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k2)))
                            .add(((IntVector) p1.convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k + 2)))
                            .add(((IntVector) p1Up.convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k2 + 2)))
                            .add(((IntVector) p2.convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k + 4)))
                            .add(((IntVector) p2Up.convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k2 + 4)))
                            .add(((IntVector) p3.convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k + 6)))
                            .add(((IntVector) p3Up.convertShape(VectorOperators.S2I, IS, 0)).mul(w.get(BYTE, s + k2 + 6)));
                }
            }
            acc = FloatVector.broadcast(FS, Float.float16ToFloat(w.get(LE_SHORT, o + Q6_KCodec.D)) * dy[so + blk])
                    .fma((FloatVector) isum.convertShape(VectorOperators.I2F, FS, 0), acc);
        }
        NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
        return reduce(red, 0);
    }

    /**
     * Dots of one Q4_K (or, with {@code five}, Q5_K) weight row with 3-4 consecutive activation rows from {@code b}
     * (with 3 rows the third is computed twice and written once): each chunk of {@code F} quants is
     * expanded once to floats times its sub-block scale (exact, at most 31 * 63) and multiplied into every row's
     * float activations, two chains per row (low and high nibbles). Every lane sum is an exact integer below 2^24,
     * so each row's result is bit-identical to {@link #dot1Q4K} / {@link #dot1Q5K} and to the decoded path.
     */
    static void dot4Q45K(MemorySegment w, long off, int cols, Activations a, int b, int n, boolean five, float[] out,
                         int o, int stride, float[] red) {
        float[] y = a.values();
        float[] dy = a.scales();
        float[] ps = a.pairSums();
        int b3 = b + Math.min(3, n - 1);
        int y0 = a.valuesOffset(b);
        int y1 = a.valuesOffset(b + 1);
        int y2 = a.valuesOffset(b + 2);
        int y3 = a.valuesOffset(b3);
        int s0 = a.scalesOffset(b);
        int s1 = a.scalesOffset(b + 1);
        int s2 = a.scalesOffset(b + 2);
        int s3 = a.scalesOffset(b3);
        int p0 = a.pairSumsOffset(b);
        int p1 = a.pairSumsOffset(b + 1);
        int p2 = a.pairSumsOffset(b + 2);
        int p3 = a.pairSumsOffset(b3);
        int blockBytes = five ? Q5_KCodec.BLOCK_BYTES : Q4_KCodec.BLOCK_BYTES;
        int qs = five ? Q5_KCodec.QS : Q4_KCodec.QS;
        byte hbit = five ? (byte) 0x10 : 0;
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
        float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
        for (int blk = 0; blk < cols / 256; blk++) {
            long bo = off + (long) blk * blockBytes;
            long sc = scales45(w, bo + Q4_KCodec.SCALES);
            FloatVector l00 = z, l01 = z, l10 = z, l11 = z, l20 = z, l21 = z, l30 = z, l31 = z;
            for (int c = 0; c < 4; c++) {
                FloatVector slo = FloatVector.broadcast(FS, (float) ((int) (sc >>> (16 * c)) & 0xFF));
                FloatVector shi = FloatVector.broadcast(FS, (float) ((int) (sc >>> (16 * c + 8)) & 0xFF));
                for (int j = 0; j < 32; j += F) {
                    // JDK calls only (force-inlined): own helpers could fail C2's inlining cutoff here
                    ByteVector q = ByteVector.fromMemorySegment(BS, w, bo + qs + 32 * c + j, LE);
                    // Q5_K: bits 2c and 2c + 1 of qh moved to bit 4 (hbit = 0 masks them away for Q4_K)
                    ByteVector h = (ByteVector) ((IntVector) ByteVector.fromMemorySegment(BS, w, bo + Q5_KCodec.QH + j, LE).reinterpretShape(IB, 0))
                            .lanewise(VectorOperators.LSHR, 2 * c).lanewise(VectorOperators.LSHL, 4).reinterpretShape(BS, 0);
                    ByteVector qlo = q.and((byte) 0x0F).or(h.and(hbit));
                    ByteVector qhi = ((ByteVector) ((IntVector) q.reinterpretShape(IB, 0)).lanewise(VectorOperators.LSHR, 4).reinterpretShape(BS, 0))
                            .and((byte) 0x0F).or(((ByteVector) ((IntVector) h.reinterpretShape(IB, 0)).lanewise(VectorOperators.LSHR, 1)
                                    .reinterpretShape(BS, 0)).and(hbit));
                    FloatVector wl = ((FloatVector) qlo.convertShape(VectorOperators.B2F, FS, 0)).mul(slo);
                    FloatVector wh = ((FloatVector) qhi.convertShape(VectorOperators.B2F, FS, 0)).mul(shi);
                    int e = 256 * blk + 64 * c + j;
                    l00 = wl.fma(FloatVector.fromArray(FS, y, y0 + e), l00);
                    l01 = wh.fma(FloatVector.fromArray(FS, y, y0 + e + 32), l01);
                    l10 = wl.fma(FloatVector.fromArray(FS, y, y1 + e), l10);
                    l11 = wh.fma(FloatVector.fromArray(FS, y, y1 + e + 32), l11);
                    l20 = wl.fma(FloatVector.fromArray(FS, y, y2 + e), l20);
                    l21 = wh.fma(FloatVector.fromArray(FS, y, y2 + e + 32), l21);
                    l30 = wl.fma(FloatVector.fromArray(FS, y, y3 + e), l30);
                    l31 = wh.fma(FloatVector.fromArray(FS, y, y3 + e + 32), l31);
                }
            }
            float d = Float.float16ToFloat(w.get(LE_SHORT, bo + Q4_KCodec.D));
            float dmin = Float.float16ToFloat(w.get(LE_SHORT, bo + Q4_KCodec.DMIN));
            c0 = FloatVector.broadcast(FS, d * dy[s0 + blk]).fma(l00.add(l01), c0);
            c1 = FloatVector.broadcast(FS, d * dy[s1 + blk]).fma(l10.add(l11), c1);
            c2 = FloatVector.broadcast(FS, d * dy[s2 + blk]).fma(l20.add(l21), c2);
            c3 = FloatVector.broadcast(FS, d * dy[s3 + blk]).fma(l30.add(l31), c3);
            // the min sums are exact integers below 2^24: any lane order gives the same value
            // mins45 written out: not inlined here, its call per super-block saved the four accumulators
            int u1 = w.get(LE_INT, bo + Q4_KCodec.SCALES + 4);
            int u2 = w.get(LE_INT, bo + Q4_KCodec.SCALES + 8);
            long minBytes = (u1 & 0x3F3F3F3FL) | ((long) (((u2 >>> 4) & 0x0F0F0F0F) | ((u1 >>> 2) & 0x30303030)) << 32);
            FloatVector mins = (FloatVector) ((ByteVector) LongVector.broadcast(L2, minBytes)
                    .reinterpretShape(B128, 0)).convertShape(VectorOperators.B2F, F8, 0);
            m0 += (dmin * dy[s0 + blk]) * mins.mul(FloatVector.fromArray(F8, ps, p0 + 8 * blk)).reduceLanes(VectorOperators.ADD);
            m1 += (dmin * dy[s1 + blk]) * mins.mul(FloatVector.fromArray(F8, ps, p1 + 8 * blk)).reduceLanes(VectorOperators.ADD);
            m2 += (dmin * dy[s2 + blk]) * mins.mul(FloatVector.fromArray(F8, ps, p2 + 8 * blk)).reduceLanes(VectorOperators.ADD);
            m3 += (dmin * dy[s3 + blk]) * mins.mul(FloatVector.fromArray(F8, ps, p3 + 8 * blk)).reduceLanes(VectorOperators.ADD);
        }
        // stored without calling sum(): past C2's node budget a call would box the accumulators
        NEG_ZERO.add(c0).intoArray(red, 0);
        out[o] = reduce(red, 0) - m0;
        NEG_ZERO.add(c1).intoArray(red, 0);
        out[o + stride] = reduce(red, 0) - m1;
        NEG_ZERO.add(c2).intoArray(red, 0);
        out[o + 2 * stride] = reduce(red, 0) - m2;
        NEG_ZERO.add(c3).intoArray(red, 0);
        float r3 = reduce(red, 0) - m3;
        if (n > 3) {
            out[o + 3 * stride] = r3;
        }
    }

    /** The K-quant row kernels' common part: 256-element super-blocks (also {@link VectorLowBitKQuantDots}). */
    abstract static class KDot implements RowDot {
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
            return dot1Q4K(w, off, cols, a, b, red);
        }

        @Override
        public boolean multiRow() {
            return true;
        }

        @Override
        public void dotN(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                         int stride, float[] red) {
            if (F == 8) {
                NarrowRowDots.dot4Q4K(w, off, cols, a, b, n, out, o, stride, red);
            } else {
                dot4Q45K(w, off, cols, a, b, n, false, out, o, stride, red);
            }
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
            return dot1Q5K(w, off, cols, a, b, red);
        }

        @Override
        public boolean multiRow() {
            return true;
        }

        @Override
        public void dotN(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                         int stride, float[] red) {
            if (F == 8) {
                NarrowRowDots.dot4Q5K(w, off, cols, a, b, n, out, o, stride, red);
            } else {
                dot4Q45K(w, off, cols, a, b, n, true, out, o, stride, red);
            }
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
     * Dots of one Q6_K weight row with 3-4 consecutive activation rows from {@code b} (with 3
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
            for (int k = 0; k < 16; k += F) { // the sixteen int8 scales as floats
                ((FloatVector) ByteVector.fromMemorySegment(BS, w, bo + Q6_KCodec.SCALES + k, LE)
                        .convertShape(VectorOperators.B2F, FS, 0)).intoArray(red, Decoded.SCALES + k);
            }
            FloatVector l00 = z, l01 = z, l10 = z, l11 = z, l20 = z, l21 = z, l30 = z, l31 = z;
            for (int h2 = 0; h2 < 2; h2++) {
                for (int u = 0; u < 2; u++) {
                    for (int l = 0; l < 32; l += F) {
                        // JDK calls only (force-inlined): own helpers could fail C2's inlining cutoff here
                        long qlOff = bo + Q6_KCodec.QL + 64 * h2 + 32 * u + l;
                        ByteVector ql = ByteVector.fromMemorySegment(BS, w, qlOff, LE);
                        ByteVector h = (ByteVector) ((IntVector) ByteVector.fromMemorySegment(BS, w, bo + Q6_KCodec.QH + 32 * h2 + l, LE)
                                .reinterpretShape(IB, 0)).lanewise(VectorOperators.LSHR, 2 * u).reinterpretShape(BS, 0);
                        ByteVector hl = (ByteVector) ((IntVector) h.reinterpretShape(IB, 0)).lanewise(VectorOperators.LSHL, 4).reinterpretShape(BS, 0);
                        ByteVector qlo = ql.and((byte) 0x0F).or(hl.and((byte) 0x30)).sub((byte) 32);
                        ByteVector qhi = ((ByteVector) ((IntVector) ql.reinterpretShape(IB, 0)).lanewise(VectorOperators.LSHR, 4).reinterpretShape(BS, 0))
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
            return dot1Q6K(w, off, cols, a, b, red);
        }

        @Override
        public boolean multiRow() {
            return true;
        }

        @Override
        public void dotN(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                         int stride, float[] red) {
            if (F == 8) {
                NarrowRowDots.dot4Q6K(w, off, cols, a, b, n, out, o, stride, red);
            } else {
                dot4Q6K(w, off, cols, a, b, n, out, o, stride, red);
            }
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

}
