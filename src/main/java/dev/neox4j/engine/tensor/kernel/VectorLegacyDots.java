package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.LE_INT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.BS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.BS2;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.LE;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SS2;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SWAP;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.IS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bc;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bytesToFloats;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.loadBytes;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.shr;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.NEG_ZERO;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.reduce;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.sum;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.Q4_0Codec;
import dev.neox4j.engine.tensor.Q4_1Codec;
import dev.neox4j.engine.tensor.Q5_0Codec;
import dev.neox4j.engine.tensor.Q5_1Codec;
import dev.neox4j.engine.tensor.Q8_0Codec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

import java.lang.foreign.MemorySegment;

/**
 * Vector API kernels of the 32-element block types against Q8_0/Q8_1 activations (docs/quantization.md, "Dot
 * products").
 *
 * <p>Per block the lanes of {@code isum} hold exact integer partial sums of {@code q * qy} (lane {@code i} takes
 * the elements {@code e = i mod F}); the block's float contribution is one FMA, {@code acc += isum * (dx * dy)};
 * the lanes are summed in a fixed order at the end. Q4_1/Q5_1 add {@code mx * sy} per block in a float, in block
 * order. Each kernel class is kept small so that C2 inlines every vector operation (no boxing).
 */
final class VectorLegacyDots {

    private static final long LANE_BITS = (1L << F) - 1;
    /** Byte lane {@code j} of a {@link VectorShapes#BS2} vector takes lane {@code j mod 16}: 16 bytes twice. */
    private static final VectorShuffle<Byte> TWICE = VectorShuffle.fromOp(BS2, j -> j % 16);
    /** Shift count per {@link VectorShapes#SS2} lane: 0 in the first 16 lanes, 4 in the rest (16 float lanes). */
    private static final ShortVector NIBBLE_SHIFT = ShortVector.fromArray(SS2, nibbleShifts(), 0);

    private static short[] nibbleShifts() {
        short[] s = new short[2 * F];
        for (int i = 16; i < s.length; i++) {
            s[i] = 4;
        }
        return s;
    }

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

    /** Sets bit 4 in the lanes whose bit is set in {@code bits} (lane i ↔ bit i). */
    static ByteVector bit4(ByteVector v, int bits) {
        VectorMask<Byte> m = VectorMask.fromLong(BS, bits & LANE_BITS);
        return v.blend(v.or((byte) 0x10), m);
    }

    /**
     * Dots of one Q4_0 weight row with 3-4 consecutive activation rows from {@code b} (with 3 rows the third is
     * computed twice and written once), expanding each block to shorts once: per row exactly the
     * direct kernel's operations, so the results are bit-identical to it. (One method per type: a shared one
     * exceeds C2's inlining budget and boxes vectors.)
     */
    static void dot4Q4(MemorySegment w, long off, int cols, Activations a, int b, int n,
                     float[] out, int o, int stride, float[] red) {
        short[] ys = a.shortValues();
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
        for (int blk = 0; blk < cols / 32; blk++) {
            long bo = off + (long) blk * Q4_0Codec.BLOCK_BYTES;
            float dx = Float.float16ToFloat(w.get(LE_SHORT, bo));
            // loadBytesAsShorts, q4Lo, q4Hi and halvesAcc written out: JDK vector calls only (a helper C2 compiled
            // on its own first may be refused inlining here and box its vectors; it did in a long-running JVM)
            int e = 32 * blk;
            if (F == 8) {
                // AVX2: dot1's 8-lane steps (16 quants widened at once, one fold through 32-bit lanes per row), the
                // quants expanded once for the four rows: per row the same integers and the same FMA
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BS2, w, bo + Q4_0Codec.QS, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                ShortVector lo = q.and((short) 0x0F).sub((short) 8);
                ShortVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((short) 8);
                ShortVector p = lo.mul(ShortVector.fromArray(SS2, ys, y0 + e)).add(hi.mul(ShortVector.fromArray(SS2, ys, y0 + e + 16)));
                p = p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                c0 = FloatVector.broadcast(FS, dx * dy[s0 + blk])
                        .fma((FloatVector) ((ShortVector) p.reinterpretShape(SS, 0)).convertShape(VectorOperators.S2F, FS, 0), c0);
                p = lo.mul(ShortVector.fromArray(SS2, ys, y1 + e)).add(hi.mul(ShortVector.fromArray(SS2, ys, y1 + e + 16)));
                p = p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                c1 = FloatVector.broadcast(FS, dx * dy[s1 + blk])
                        .fma((FloatVector) ((ShortVector) p.reinterpretShape(SS, 0)).convertShape(VectorOperators.S2F, FS, 0), c1);
                p = lo.mul(ShortVector.fromArray(SS2, ys, y2 + e)).add(hi.mul(ShortVector.fromArray(SS2, ys, y2 + e + 16)));
                p = p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                c2 = FloatVector.broadcast(FS, dx * dy[s2 + blk])
                        .fma((FloatVector) ((ShortVector) p.reinterpretShape(SS, 0)).convertShape(VectorOperators.S2F, FS, 0), c2);
                p = lo.mul(ShortVector.fromArray(SS2, ys, y3 + e)).add(hi.mul(ShortVector.fromArray(SS2, ys, y3 + e + 16)));
                p = p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                c3 = FloatVector.broadcast(FS, dx * dy[s3 + blk])
                        .fma((FloatVector) ((ShortVector) p.reinterpretShape(SS, 0)).convertShape(VectorOperators.S2F, FS, 0), c3);
                continue;
            }
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BS, w, bo + Q4_0Codec.QS, LE)
                    .convertShape(VectorOperators.B2S, SS, 0);
            ShortVector lo = q.and((short) 0x0F).sub((short) 8);
            ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).sub((short) 8);
            ShortVector p0 = lo.mul(ShortVector.fromArray(SS, ys, y0 + e)).add(hi.mul(ShortVector.fromArray(SS, ys, y0 + e + 16)));
            ShortVector p1 = lo.mul(ShortVector.fromArray(SS, ys, y1 + e)).add(hi.mul(ShortVector.fromArray(SS, ys, y1 + e + 16)));
            ShortVector p2 = lo.mul(ShortVector.fromArray(SS, ys, y2 + e)).add(hi.mul(ShortVector.fromArray(SS, ys, y2 + e + 16)));
            ShortVector p3 = lo.mul(ShortVector.fromArray(SS, ys, y3 + e)).add(hi.mul(ShortVector.fromArray(SS, ys, y3 + e + 16)));
            c0 = FloatVector.broadcast(FS, dx * dy[s0 + blk])
                    .fma((FloatVector) p0.convertShape(VectorOperators.S2F, FS, 0), c0);
            c1 = FloatVector.broadcast(FS, dx * dy[s1 + blk])
                    .fma((FloatVector) p1.convertShape(VectorOperators.S2F, FS, 0), c1);
            c2 = FloatVector.broadcast(FS, dx * dy[s2 + blk])
                    .fma((FloatVector) p2.convertShape(VectorOperators.S2F, FS, 0), c2);
            c3 = FloatVector.broadcast(FS, dx * dy[s3 + blk])
                    .fma((FloatVector) p3.convertShape(VectorOperators.S2F, FS, 0), c3);
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
     * The Q8_0 single-row kernel: per block the 32 quants sign-extended to {@code 2F} shorts in one load, their
     * 16-bit products with the activations (|q * y| <= 128 * 127) folded to {@code F} lanes
     * ({@link VectorShapes#SWAP}: lane {@code i} holds elements {@code i} and {@code i + 16}, the decoded path's
     * lanes), converted exactly to floats and added with one FMA, {@code acc += lanes * (dx * dy)}. JDK vector calls
     * only, so C2 inlines all of it whatever it compiled before.
     */
    static float dot1Q8(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
        short[] ys = a.shortValues();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        FloatVector acc = FloatVector.zero(FS);
        for (int blk = 0; blk < cols / 32; blk++) {
            long o = off + (long) blk * Q8_0Codec.BLOCK_BYTES;
            ShortVector p = ((ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q8_0Codec.QS, LE)
                    .convertShape(VectorOperators.B2S, SS2, 0)).mul(ShortVector.fromArray(SS2, ys, yo + 32 * blk));
            ShortVector pUp = (ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP)
                    .reinterpretShape(SS2, 0); // lanes [F, 2F) moved down (VectorShapes.SWAP)
            FloatVector lanes = (FloatVector) p.add(pUp).convertShape(VectorOperators.S2F, FS, 0);
            for (int j = 2 * F; j < 32; j += 2 * F) { // fewer than 16 lanes only
                p = ((ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q8_0Codec.QS + j, LE)
                        .convertShape(VectorOperators.B2S, SS2, 0)).mul(ShortVector.fromArray(SS2, ys, yo + 32 * blk + j));
                pUp = (ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0);
                lanes = lanes.add((FloatVector) p.add(pUp).convertShape(VectorOperators.S2F, FS, 0));
            }
            acc = FloatVector.broadcast(FS, Float.float16ToFloat(w.get(LE_SHORT, o)) * dy[so + blk]).fma(lanes, acc);
        }
        NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): a call here may be past C2's inlining budget
        return reduce(red, 0);
    }

    /**
     * {@link #dot1Q8} for 3-4 consecutive activation rows from {@code b} (with 3 rows the third is computed twice
     * and written once), the quants sign-extended once per block: per row exactly the single-row
     * kernel's operations, so the results are bit-identical to it.
     */
    static void dot4Q8(MemorySegment w, long off, int cols, Activations a, int b, int n,
                     float[] out, int o, int stride, float[] red) {
        short[] ys = a.shortValues();
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
        for (int blk = 0; blk < cols / 32; blk++) {
            long bo = off + (long) blk * Q8_0Codec.BLOCK_BYTES;
            float dx = Float.float16ToFloat(w.get(LE_SHORT, bo));
            // JDK calls only (force-inlined): own helpers could fail C2's inlining cutoff here
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BS2, w, bo + Q8_0Codec.QS, LE)
                    .convertShape(VectorOperators.B2S, SS2, 0);
            int e = 32 * blk;
            if (F == 8) {
                // AVX2: dot1Q8's two 16-quant steps per block, each widened once for the four rows: per row the
                // same two folded, converted and added halves and the same FMA
                ShortVector q2 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, bo + Q8_0Codec.QS + 16, LE)
                        .convertShape(VectorOperators.B2S, SS2, 0);
                ShortVector p = q.mul(ShortVector.fromArray(SS2, ys, y0 + e));
                ShortVector r = q2.mul(ShortVector.fromArray(SS2, ys, y0 + e + 16));
                c0 = FloatVector.broadcast(FS, dx * dy[s0 + blk]).fma(((FloatVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0))
                        .rearrange(SWAP).reinterpretShape(SS2, 0)).convertShape(VectorOperators.S2F, FS, 0))
                        .add((FloatVector) r.add((ShortVector) ((IntVector) r.reinterpretShape(IS, 0)).rearrange(SWAP)
                                .reinterpretShape(SS2, 0)).convertShape(VectorOperators.S2F, FS, 0)), c0);
                p = q.mul(ShortVector.fromArray(SS2, ys, y1 + e));
                r = q2.mul(ShortVector.fromArray(SS2, ys, y1 + e + 16));
                c1 = FloatVector.broadcast(FS, dx * dy[s1 + blk]).fma(((FloatVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0))
                        .rearrange(SWAP).reinterpretShape(SS2, 0)).convertShape(VectorOperators.S2F, FS, 0))
                        .add((FloatVector) r.add((ShortVector) ((IntVector) r.reinterpretShape(IS, 0)).rearrange(SWAP)
                                .reinterpretShape(SS2, 0)).convertShape(VectorOperators.S2F, FS, 0)), c1);
                p = q.mul(ShortVector.fromArray(SS2, ys, y2 + e));
                r = q2.mul(ShortVector.fromArray(SS2, ys, y2 + e + 16));
                c2 = FloatVector.broadcast(FS, dx * dy[s2 + blk]).fma(((FloatVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0))
                        .rearrange(SWAP).reinterpretShape(SS2, 0)).convertShape(VectorOperators.S2F, FS, 0))
                        .add((FloatVector) r.add((ShortVector) ((IntVector) r.reinterpretShape(IS, 0)).rearrange(SWAP)
                                .reinterpretShape(SS2, 0)).convertShape(VectorOperators.S2F, FS, 0)), c2);
                p = q.mul(ShortVector.fromArray(SS2, ys, y3 + e));
                r = q2.mul(ShortVector.fromArray(SS2, ys, y3 + e + 16));
                c3 = FloatVector.broadcast(FS, dx * dy[s3 + blk]).fma(((FloatVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0))
                        .rearrange(SWAP).reinterpretShape(SS2, 0)).convertShape(VectorOperators.S2F, FS, 0))
                        .add((FloatVector) r.add((ShortVector) ((IntVector) r.reinterpretShape(IS, 0)).rearrange(SWAP)
                                .reinterpretShape(SS2, 0)).convertShape(VectorOperators.S2F, FS, 0)), c3);
                continue;
            }
            ShortVector p = q.mul(ShortVector.fromArray(SS2, ys, y0 + e));
            ShortVector pUp = (ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0);
            c0 = FloatVector.broadcast(FS, dx * dy[s0 + blk])
                    .fma((FloatVector) p.add(pUp).convertShape(VectorOperators.S2F, FS, 0), c0);
            p = q.mul(ShortVector.fromArray(SS2, ys, y1 + e));
            pUp = (ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0);
            c1 = FloatVector.broadcast(FS, dx * dy[s1 + blk])
                    .fma((FloatVector) p.add(pUp).convertShape(VectorOperators.S2F, FS, 0), c1);
            p = q.mul(ShortVector.fromArray(SS2, ys, y2 + e));
            pUp = (ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0);
            c2 = FloatVector.broadcast(FS, dx * dy[s2 + blk])
                    .fma((FloatVector) p.add(pUp).convertShape(VectorOperators.S2F, FS, 0), c2);
            p = q.mul(ShortVector.fromArray(SS2, ys, y3 + e));
            pUp = (ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0);
            c3 = FloatVector.broadcast(FS, dx * dy[s3 + blk])
                    .fma((FloatVector) p.add(pUp).convertShape(VectorOperators.S2F, FS, 0), c3);
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
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            short[] ys = a.shortValues();
            FloatVector acc = FloatVector.zero(FS);
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = off + (long) blk * Q4_0Codec.BLOCK_BYTES;
                float scale = Float.float16ToFloat(w.get(LE_SHORT, o)) * dy[so + blk];
                int yb = yo + 32 * blk;
                ShortVector p; // integer lane sums of the block, JDK vector calls only
                if (F == 8) {
                    // AVX2: all 16 bytes widened to 16 shorts at once (lane l: elements l and 16 + l), the halves
                    // folded through 32-bit lanes (one vpermd): lane i gets elements i, i + 8, i + 16, i + 24, the
                    // same integers as two 8-byte steps, in half the instructions
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o + Q4_0Codec.QS, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    ShortVector p2 = q.and((short) 0x0F).sub((short) 8).mul(ShortVector.fromArray(SS2, ys, yb))
                            .add(q.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(ShortVector.fromArray(SS2, ys, yb + 16)));
                    p = (ShortVector) p2.add((ShortVector) ((IntVector) p2.reinterpretShape(IS, 0)).rearrange(SWAP)
                            .reinterpretShape(SS2, 0)).reinterpretShape(SS, 0);
                } else if (F == 16) {
                    // AVX-512: the 16 quant bytes twice in one 32-byte vector (one vpermb), widened to 32 shorts, the
                    // second copy shifted by 4 (one vpsrlvw): lanes 0-15 the low nibbles (elements 0-15), 16-31 the
                    // high ones (16-31); one 32-lane multiply with the activations in element order, then the F=8
                    // path's fold (lane i: elements i and 16 + i). The same integers as masking each half apart in
                    // 16-lane steps, in fewer and wider operations: 9.5-10.7 against 8.4-9.0 GB/s in cache, 8.6-10.0
                    // against 7.4-8.8 from memory (BENCHMARKS.md, session 17)
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BS, w, o + Q4_0Codec.QS, LE)
                            .reinterpretShape(BS2, 0).rearrange(TWICE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    ShortVector p2 = q.lanewise(VectorOperators.LSHR, NIBBLE_SHIFT).and((short) 0x0F).sub((short) 8)
                            .mul(ShortVector.fromArray(SS2, ys, yb));
                    p = (ShortVector) p2.add((ShortVector) ((IntVector) p2.reinterpretShape(IS, 0)).rearrange(SWAP)
                            .reinterpretShape(SS2, 0)).reinterpretShape(SS, 0);
                } else {
                    p = ShortVector.zero(SS);
                    for (int j = 0; j < 16; j += F) {
                        ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BS, w, o + Q4_0Codec.QS + j, LE)
                                .convertShape(VectorOperators.B2S, SS, 0);
                        p = p.add(q.and((short) 0x0F).sub((short) 8).mul(ShortVector.fromArray(SS, ys, yb + j)))
                                .add(q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).sub((short) 8)
                                        .mul(ShortVector.fromArray(SS, ys, yb + 16 + j)));
                    }
                }
                acc = FloatVector.broadcast(FS, scale).fma((FloatVector) p.convertShape(VectorOperators.S2F, FS, 0), acc);
            }
            NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): JDK vector calls only
            return reduce(red, 0);
        }

        @Override
        public boolean multiRow() {
            return true;
        }

        @Override
        public void dotN(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                         int stride, float[] red) {
            dot4Q4(w, off, cols, a, b, n, out, o, stride, red);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int bo = slot * d.nb;
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = off + (long) blk * Q4_0Codec.BLOCK_BYTES;
                d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o));
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q4_0Codec.QS + j);
                    bytesToFloats(lo(q).sub((byte) 8)).intoArray(d.q, qo + 32 * blk + j);
                    bytesToFloats(hi(q).sub((byte) 8)).intoArray(d.q, qo + 32 * blk + 16 + j);
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
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = off + (long) blk * Q5_0Codec.BLOCK_BYTES;
                int qh = w.get(LE_INT, o + Q5_0Codec.QH);
                int yb = yo + 32 * blk;
                FloatVector isum = FloatVector.zero(FS);
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q5_0Codec.QS + j);
                    isum = bytesToFloats(bit4(lo(q), qh >>> j).sub((byte) 16)).fma(ld(y, yb + j), isum);
                    isum = bytesToFloats(bit4(hi(q), qh >>> (16 + j)).sub((byte) 16)).fma(ld(y, yb + 16 + j), isum);
                }
                acc = bc(Float.float16ToFloat(w.get(LE_SHORT, o)) * dy[so + blk]).fma(isum, acc);
            }
            return sum(acc, red);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int bo = slot * d.nb;
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = off + (long) blk * Q5_0Codec.BLOCK_BYTES;
                d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o));
                int qh = w.get(LE_INT, o + Q5_0Codec.QH);
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q5_0Codec.QS + j);
                    bytesToFloats(bit4(lo(q), qh >>> j).sub((byte) 16)).intoArray(d.q, qo + 32 * blk + j);
                    bytesToFloats(bit4(hi(q), qh >>> (16 + j)).sub((byte) 16)).intoArray(d.q, qo + 32 * blk + 16 + j);
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
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            return dot1Q8(w, off, cols, a, b, red);
        }

        @Override
        public boolean multiRow() {
            return true;
        }

        @Override
        public void dotN(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                         int stride, float[] red) {
            dot4Q8(w, off, cols, a, b, n, out, o, stride, red);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int bo = slot * d.nb;
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = off + (long) blk * Q8_0Codec.BLOCK_BYTES;
                d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o));
                for (int j = 0; j < 32; j += F) {
                    bytesToFloats(loadBytes(w, o + Q8_0Codec.QS + j)).intoArray(d.q, qo + 32 * blk + j);
                }
            }
        }
    };

    /** Q4_1: {@code q * d + m}, min term {@code mx * sy}. */
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
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            float[] sy = a.sums();
            int ss = a.sumsOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            float msum = 0f;
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = off + (long) blk * Q4_1Codec.BLOCK_BYTES;
                int yb = yo + 32 * blk;
                FloatVector isum = FloatVector.zero(FS);
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q4_1Codec.QS + j);
                    isum = bytesToFloats(lo(q)).fma(ld(y, yb + j), isum);
                    isum = bytesToFloats(hi(q)).fma(ld(y, yb + 16 + j), isum);
                }
                acc = bc(Float.float16ToFloat(w.get(LE_SHORT, o)) * dy[so + blk]).fma(isum, acc);
                msum += Float.float16ToFloat(w.get(LE_SHORT, o + Q4_1Codec.M)) * sy[ss + blk];
            }
            return sum(acc, red) + msum;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int bo = slot * d.nb;
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = off + (long) blk * Q4_1Codec.BLOCK_BYTES;
                d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o));
                d.min[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o + Q4_1Codec.M));
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q4_1Codec.QS + j);
                    bytesToFloats(lo(q)).intoArray(d.q, qo + 32 * blk + j);
                    bytesToFloats(hi(q)).intoArray(d.q, qo + 32 * blk + 16 + j);
                }
            }
        }
    };

    /** Q5_1: {@code q * d + m} with 5-bit q, min term {@code mx * sy}. */
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
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            float[] dy = a.scales();
            int so = a.scalesOffset(b);
            float[] sy = a.sums();
            int ss = a.sumsOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            float msum = 0f;
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = off + (long) blk * Q5_1Codec.BLOCK_BYTES;
                int qh = w.get(LE_INT, o + Q5_1Codec.QH);
                int yb = yo + 32 * blk;
                FloatVector isum = FloatVector.zero(FS);
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q5_1Codec.QS + j);
                    isum = bytesToFloats(bit4(lo(q), qh >>> j)).fma(ld(y, yb + j), isum);
                    isum = bytesToFloats(bit4(hi(q), qh >>> (16 + j))).fma(ld(y, yb + 16 + j), isum);
                }
                acc = bc(Float.float16ToFloat(w.get(LE_SHORT, o)) * dy[so + blk]).fma(isum, acc);
                msum += Float.float16ToFloat(w.get(LE_SHORT, o + Q5_1Codec.M)) * sy[ss + blk];
            }
            return sum(acc, red) + msum;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int bo = slot * d.nb;
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = off + (long) blk * Q5_1Codec.BLOCK_BYTES;
                d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o));
                d.min[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, o + Q5_1Codec.M));
                int qh = w.get(LE_INT, o + Q5_1Codec.QH);
                for (int j = 0; j < 16; j += F) {
                    ByteVector q = loadBytes(w, o + Q5_1Codec.QS + j);
                    bytesToFloats(bit4(lo(q), qh >>> j)).intoArray(d.q, qo + 32 * blk + j);
                    bytesToFloats(bit4(hi(q), qh >>> (16 + j))).intoArray(d.q, qo + 32 * blk + 16 + j);
                }
            }
        }
    };
}
