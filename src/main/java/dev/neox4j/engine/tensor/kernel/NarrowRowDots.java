package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_INT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.BS2;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.IS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.LE;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.NEG_ZERO;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SS2;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SWAP;
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

import java.lang.foreign.MemorySegment;

/**
 * Multi-row kernels ({@link RowDot#dotN}) of the K-quants for 8 float lanes (AVX2), where the float form of the
 * 16-lane kernels ({@code VectorKQuantDots.dot4Q45K}, {@code dot4Q6K}: quants widened to floats, one FMA per row and
 * 8 weights) spends more on widening than it saves (for Q5_K, 1.65 against 2.0-2.4 GB/s for its 16-bit form
 * here, BENCHMARKS.md, session 13). These are the single-row kernels' 16-bit form ({@code dot1Q4K},
 * {@code dot1Q5K}, {@code dot1Q6K} with {@code F == 8}) with the quants
 * loaded and split into nibbles once for the four rows: per row the same 16-bit products, folds and integer sums,
 * so each result is bit-identical to the single-row kernel's. Four rows written out, JDK vector calls only (a
 * helper per row could miss C2's inlining and box its vectors); {@code dot4Q5K} repeats {@code dot4Q4K} with the
 * fifth bits added, one kernel per type as the package documentation explains, and
 * {@code VectorKernelAllocationTest} checks each stays unboxed.
 */
final class NarrowRowDots {

    private NarrowRowDots() {
    }

    /** {@code dot1Q4K}'s 8-lane path for 3-4 activation rows from {@code b} (with 3, the third twice, written once). */
    static void dot4Q4K(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                        int stride, float[] red) {
        short[] ys = a.shortValues();
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
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
        float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
        for (int blk = 0; blk < cols / 256; blk++) {
            long o0 = off + (long) blk * Q4_KCodec.BLOCK_BYTES;
            long sc = VectorKQuantDots.scales45(w, o0 + Q4_KCodec.SCALES);
            IntVector i0 = IntVector.zero(IS), i1 = i0, i2 = i0, i3 = i0;
            for (int c = 0; c < 4; c++) {
                int slo = (int) (sc >>> (16 * c)) & 0xFF;
                int shi = (int) (sc >>> (16 * c + 8)) & 0xFF;
                ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o0 + Q4_KCodec.QS + 32 * c, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o0 + Q4_KCodec.QS + 32 * c + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                ShortVector q0l = q0.and((short) 0x0F);
                ShortVector q1l = q1.and((short) 0x0F);
                ShortVector q0h = q0.lanewise(VectorOperators.LSHR, 4);
                ShortVector q1h = q1.lanewise(VectorOperators.LSHR, 4);
                int e = 256 * blk + 64 * c;
                // row 0
                ShortVector lo = q0l.mul(ShortVector.fromArray(SS2, ys, y0 + e)).add(q1l.mul(ShortVector.fromArray(SS2, ys, y0 + e + 16)));
                ShortVector hi = q0h.mul(ShortVector.fromArray(SS2, ys, y0 + e + 32)).add(q1h.mul(ShortVector.fromArray(SS2, ys, y0 + e + 48)));
                lo = lo.add((ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                hi = hi.add((ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                i0 = i0.add(((IntVector) lo.convertShape(VectorOperators.S2I, IS, 0)).mul(slo))
                        .add(((IntVector) hi.convertShape(VectorOperators.S2I, IS, 0)).mul(shi));
                // row 1
                lo = q0l.mul(ShortVector.fromArray(SS2, ys, y1 + e)).add(q1l.mul(ShortVector.fromArray(SS2, ys, y1 + e + 16)));
                hi = q0h.mul(ShortVector.fromArray(SS2, ys, y1 + e + 32)).add(q1h.mul(ShortVector.fromArray(SS2, ys, y1 + e + 48)));
                lo = lo.add((ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                hi = hi.add((ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                i1 = i1.add(((IntVector) lo.convertShape(VectorOperators.S2I, IS, 0)).mul(slo))
                        .add(((IntVector) hi.convertShape(VectorOperators.S2I, IS, 0)).mul(shi));
                // row 2
                lo = q0l.mul(ShortVector.fromArray(SS2, ys, y2 + e)).add(q1l.mul(ShortVector.fromArray(SS2, ys, y2 + e + 16)));
                hi = q0h.mul(ShortVector.fromArray(SS2, ys, y2 + e + 32)).add(q1h.mul(ShortVector.fromArray(SS2, ys, y2 + e + 48)));
                lo = lo.add((ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                hi = hi.add((ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                i2 = i2.add(((IntVector) lo.convertShape(VectorOperators.S2I, IS, 0)).mul(slo))
                        .add(((IntVector) hi.convertShape(VectorOperators.S2I, IS, 0)).mul(shi));
                // row 3
                lo = q0l.mul(ShortVector.fromArray(SS2, ys, y3 + e)).add(q1l.mul(ShortVector.fromArray(SS2, ys, y3 + e + 16)));
                hi = q0h.mul(ShortVector.fromArray(SS2, ys, y3 + e + 32)).add(q1h.mul(ShortVector.fromArray(SS2, ys, y3 + e + 48)));
                lo = lo.add((ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                hi = hi.add((ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                i3 = i3.add(((IntVector) lo.convertShape(VectorOperators.S2I, IS, 0)).mul(slo))
                        .add(((IntVector) hi.convertShape(VectorOperators.S2I, IS, 0)).mul(shi));
            }
            float d = Float.float16ToFloat(w.get(LE_SHORT, o0 + Q4_KCodec.D));
            float dmin = Float.float16ToFloat(w.get(LE_SHORT, o0 + Q4_KCodec.DMIN));
            c0 = FloatVector.broadcast(FS, d * dy[s0 + blk]).fma((FloatVector) i0.convertShape(VectorOperators.I2F, FS, 0), c0);
            c1 = FloatVector.broadcast(FS, d * dy[s1 + blk]).fma((FloatVector) i1.convertShape(VectorOperators.I2F, FS, 0), c1);
            c2 = FloatVector.broadcast(FS, d * dy[s2 + blk]).fma((FloatVector) i2.convertShape(VectorOperators.I2F, FS, 0), c2);
            c3 = FloatVector.broadcast(FS, d * dy[s3 + blk]).fma((FloatVector) i3.convertShape(VectorOperators.I2F, FS, 0), c3);
            // the min sums as dot1Q4K's 8-lane path writes them out: exact integers below 2^24, any lane order
            int u1 = w.get(LE_INT, o0 + Q4_KCodec.SCALES + 4);
            int u2 = w.get(LE_INT, o0 + Q4_KCodec.SCALES + 8);
            int mlo = u1 & 0x3F3F3F3F;
            int mhi = ((u2 >>> 4) & 0x0F0F0F0F) | ((u1 >>> 2) & 0x30303030);
            long mins = (mlo & 0xFFFFFFFFL) | ((long) mhi << 32);
            FloatVector k = (FloatVector) ((ByteVector) LongVector.broadcast(VectorKQuantDots.L2, mins)
                    .reinterpretShape(VectorKQuantDots.B128, 0)).convertShape(VectorOperators.B2F, FS, 0);
            m0 += (dmin * dy[s0 + blk]) * k.mul(FloatVector.fromArray(FS, ps, p0 + 8 * blk)).reduceLanes(VectorOperators.ADD);
            m1 += (dmin * dy[s1 + blk]) * k.mul(FloatVector.fromArray(FS, ps, p1 + 8 * blk)).reduceLanes(VectorOperators.ADD);
            m2 += (dmin * dy[s2 + blk]) * k.mul(FloatVector.fromArray(FS, ps, p2 + 8 * blk)).reduceLanes(VectorOperators.ADD);
            m3 += (dmin * dy[s3 + blk]) * k.mul(FloatVector.fromArray(FS, ps, p3 + 8 * blk)).reduceLanes(VectorOperators.ADD);
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

    /** {@code dot1Q5K}'s 8-lane path for 3-4 activation rows from {@code b} (with 3, the third twice, written once). */
    static void dot4Q5K(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                        int stride, float[] red) {
        short[] ys = a.shortValues();
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
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
        float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
        for (int blk = 0; blk < cols / 256; blk++) {
            long o0 = off + (long) blk * Q5_KCodec.BLOCK_BYTES;
            long sc = VectorKQuantDots.scales45(w, o0 + Q5_KCodec.SCALES);
            IntVector i0 = IntVector.zero(IS), i1 = i0, i2 = i0, i3 = i0;
            // the fifth bits of the super-block: bit 2c of each byte for chunk c's low nibbles, 2c + 1 for its high
            ShortVector h0 = ((ShortVector) ByteVector.fromMemorySegment(BS2, w, o0 + Q5_KCodec.QH, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0)).lanewise(VectorOperators.LSHL, 4);
            ShortVector h1 = ((ShortVector) ByteVector.fromMemorySegment(BS2, w, o0 + Q5_KCodec.QH + 16, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0)).lanewise(VectorOperators.LSHL, 4);
            for (int c = 0; c < 4; c++) {
                int slo = (int) (sc >>> (16 * c)) & 0xFF;
                int shi = (int) (sc >>> (16 * c + 8)) & 0xFF;
                ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o0 + Q5_KCodec.QS + 32 * c, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o0 + Q5_KCodec.QS + 32 * c + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                ShortVector q0l = q0.and((short) 0x0F).or(h0.lanewise(VectorOperators.LSHR, 2 * c).and((short) 0x10));
                ShortVector q1l = q1.and((short) 0x0F).or(h1.lanewise(VectorOperators.LSHR, 2 * c).and((short) 0x10));
                ShortVector q0h = q0.lanewise(VectorOperators.LSHR, 4)
                        .or(h0.lanewise(VectorOperators.LSHR, 2 * c + 1).and((short) 0x10));
                ShortVector q1h = q1.lanewise(VectorOperators.LSHR, 4)
                        .or(h1.lanewise(VectorOperators.LSHR, 2 * c + 1).and((short) 0x10));
                int e = 256 * blk + 64 * c;
                // row 0
                ShortVector lo = q0l.mul(ShortVector.fromArray(SS2, ys, y0 + e)).add(q1l.mul(ShortVector.fromArray(SS2, ys, y0 + e + 16)));
                ShortVector hi = q0h.mul(ShortVector.fromArray(SS2, ys, y0 + e + 32)).add(q1h.mul(ShortVector.fromArray(SS2, ys, y0 + e + 48)));
                lo = lo.add((ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                hi = hi.add((ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                i0 = i0.add(((IntVector) lo.convertShape(VectorOperators.S2I, IS, 0)).mul(slo))
                        .add(((IntVector) hi.convertShape(VectorOperators.S2I, IS, 0)).mul(shi));
                // row 1
                lo = q0l.mul(ShortVector.fromArray(SS2, ys, y1 + e)).add(q1l.mul(ShortVector.fromArray(SS2, ys, y1 + e + 16)));
                hi = q0h.mul(ShortVector.fromArray(SS2, ys, y1 + e + 32)).add(q1h.mul(ShortVector.fromArray(SS2, ys, y1 + e + 48)));
                lo = lo.add((ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                hi = hi.add((ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                i1 = i1.add(((IntVector) lo.convertShape(VectorOperators.S2I, IS, 0)).mul(slo))
                        .add(((IntVector) hi.convertShape(VectorOperators.S2I, IS, 0)).mul(shi));
                // row 2
                lo = q0l.mul(ShortVector.fromArray(SS2, ys, y2 + e)).add(q1l.mul(ShortVector.fromArray(SS2, ys, y2 + e + 16)));
                hi = q0h.mul(ShortVector.fromArray(SS2, ys, y2 + e + 32)).add(q1h.mul(ShortVector.fromArray(SS2, ys, y2 + e + 48)));
                lo = lo.add((ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                hi = hi.add((ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                i2 = i2.add(((IntVector) lo.convertShape(VectorOperators.S2I, IS, 0)).mul(slo))
                        .add(((IntVector) hi.convertShape(VectorOperators.S2I, IS, 0)).mul(shi));
                // row 3
                lo = q0l.mul(ShortVector.fromArray(SS2, ys, y3 + e)).add(q1l.mul(ShortVector.fromArray(SS2, ys, y3 + e + 16)));
                hi = q0h.mul(ShortVector.fromArray(SS2, ys, y3 + e + 32)).add(q1h.mul(ShortVector.fromArray(SS2, ys, y3 + e + 48)));
                lo = lo.add((ShortVector) ((IntVector) lo.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                hi = hi.add((ShortVector) ((IntVector) hi.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0));
                i3 = i3.add(((IntVector) lo.convertShape(VectorOperators.S2I, IS, 0)).mul(slo))
                        .add(((IntVector) hi.convertShape(VectorOperators.S2I, IS, 0)).mul(shi));
            }
            float d = Float.float16ToFloat(w.get(LE_SHORT, o0 + Q5_KCodec.D));
            float dmin = Float.float16ToFloat(w.get(LE_SHORT, o0 + Q5_KCodec.DMIN));
            c0 = FloatVector.broadcast(FS, d * dy[s0 + blk]).fma((FloatVector) i0.convertShape(VectorOperators.I2F, FS, 0), c0);
            c1 = FloatVector.broadcast(FS, d * dy[s1 + blk]).fma((FloatVector) i1.convertShape(VectorOperators.I2F, FS, 0), c1);
            c2 = FloatVector.broadcast(FS, d * dy[s2 + blk]).fma((FloatVector) i2.convertShape(VectorOperators.I2F, FS, 0), c2);
            c3 = FloatVector.broadcast(FS, d * dy[s3 + blk]).fma((FloatVector) i3.convertShape(VectorOperators.I2F, FS, 0), c3);
            // the min sums as dot1Q5K's 8-lane path writes them out: exact integers below 2^24, any lane order
            int u1 = w.get(LE_INT, o0 + Q5_KCodec.SCALES + 4);
            int u2 = w.get(LE_INT, o0 + Q5_KCodec.SCALES + 8);
            int mlo = u1 & 0x3F3F3F3F;
            int mhi = ((u2 >>> 4) & 0x0F0F0F0F) | ((u1 >>> 2) & 0x30303030);
            long mins = (mlo & 0xFFFFFFFFL) | ((long) mhi << 32);
            FloatVector k = (FloatVector) ((ByteVector) LongVector.broadcast(VectorKQuantDots.L2, mins)
                    .reinterpretShape(VectorKQuantDots.B128, 0)).convertShape(VectorOperators.B2F, FS, 0);
            m0 += (dmin * dy[s0 + blk]) * k.mul(FloatVector.fromArray(FS, ps, p0 + 8 * blk)).reduceLanes(VectorOperators.ADD);
            m1 += (dmin * dy[s1 + blk]) * k.mul(FloatVector.fromArray(FS, ps, p1 + 8 * blk)).reduceLanes(VectorOperators.ADD);
            m2 += (dmin * dy[s2 + blk]) * k.mul(FloatVector.fromArray(FS, ps, p2 + 8 * blk)).reduceLanes(VectorOperators.ADD);
            m3 += (dmin * dy[s3 + blk]) * k.mul(FloatVector.fromArray(FS, ps, p3 + 8 * blk)).reduceLanes(VectorOperators.ADD);
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

    /** {@code dot1Q6K}'s 8-lane path for 3-4 activation rows from {@code b} (with 3, the third twice, written once). */
    static void dot4Q6K(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                        int stride, float[] red) {
        short[] ys = a.shortValues();
        float[] dy = a.scales();
        int b3 = b + Math.min(3, n - 1);
        int y0 = a.valuesOffset(b);
        int y1 = a.valuesOffset(b + 1);
        int y2 = a.valuesOffset(b + 2);
        int y3 = a.valuesOffset(b3);
        int s0 = a.scalesOffset(b);
        int s1 = a.scalesOffset(b + 1);
        int s2 = a.scalesOffset(b + 2);
        int s3 = a.scalesOffset(b3);
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
        for (int blk = 0; blk < cols / 256; blk++) {
            long o0 = off + (long) blk * Q6_KCodec.BLOCK_BYTES;
            long s = o0 + Q6_KCodec.SCALES;
            IntVector i0 = IntVector.zero(IS), i1 = i0, i2 = i0, i3 = i0;
            for (int h2 = 0; h2 < 2; h2++) {
                for (int j = 0; j < 32; j += 16) {
                    ShortVector l0 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o0 + Q6_KCodec.QL + 64 * h2 + j, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    ShortVector l1 = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o0 + Q6_KCodec.QL + 64 * h2 + 32 + j, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    ShortVector h = (ShortVector) ByteVector.fromMemorySegment(BS2, w, o0 + Q6_KCodec.QH + 32 * h2 + j, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SS2, 0);
                    ShortVector q0 = l0.and((short) 0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and((short) 0x30)).sub((short) 32);
                    ShortVector q1 = l1.and((short) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and((short) 0x30)).sub((short) 32);
                    ShortVector q2 = l0.lanewise(VectorOperators.LSHR, 4).or(h.and((short) 0x30)).sub((short) 32);
                    ShortVector q3 = l1.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and((short) 0x30)).sub((short) 32);
                    int k = 8 * h2 + j / 16; // sub-block of quarter 0; + 2t for quarter t
                    int sc0 = w.get(BYTE, s + k);
                    int sc1 = w.get(BYTE, s + k + 2);
                    int sc2 = w.get(BYTE, s + k + 4);
                    int sc3 = w.get(BYTE, s + k + 6);
                    int e = 256 * blk + 128 * h2 + j;
                    ShortVector p;
                    // row 0: the four quarters, each folded once and scaled as an int
                    p = q0.mul(ShortVector.fromArray(SS2, ys, y0 + e));
                    i0 = i0.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc0));
                    p = q1.mul(ShortVector.fromArray(SS2, ys, y0 + e + 32));
                    i0 = i0.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc1));
                    p = q2.mul(ShortVector.fromArray(SS2, ys, y0 + e + 64));
                    i0 = i0.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc2));
                    p = q3.mul(ShortVector.fromArray(SS2, ys, y0 + e + 96));
                    i0 = i0.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc3));
                    // row 1
                    p = q0.mul(ShortVector.fromArray(SS2, ys, y1 + e));
                    i1 = i1.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc0));
                    p = q1.mul(ShortVector.fromArray(SS2, ys, y1 + e + 32));
                    i1 = i1.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc1));
                    p = q2.mul(ShortVector.fromArray(SS2, ys, y1 + e + 64));
                    i1 = i1.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc2));
                    p = q3.mul(ShortVector.fromArray(SS2, ys, y1 + e + 96));
                    i1 = i1.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc3));
                    // row 2
                    p = q0.mul(ShortVector.fromArray(SS2, ys, y2 + e));
                    i2 = i2.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc0));
                    p = q1.mul(ShortVector.fromArray(SS2, ys, y2 + e + 32));
                    i2 = i2.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc1));
                    p = q2.mul(ShortVector.fromArray(SS2, ys, y2 + e + 64));
                    i2 = i2.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc2));
                    p = q3.mul(ShortVector.fromArray(SS2, ys, y2 + e + 96));
                    i2 = i2.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc3));
                    // row 3
                    p = q0.mul(ShortVector.fromArray(SS2, ys, y3 + e));
                    i3 = i3.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc0));
                    p = q1.mul(ShortVector.fromArray(SS2, ys, y3 + e + 32));
                    i3 = i3.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc1));
                    p = q2.mul(ShortVector.fromArray(SS2, ys, y3 + e + 64));
                    i3 = i3.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc2));
                    p = q3.mul(ShortVector.fromArray(SS2, ys, y3 + e + 96));
                    i3 = i3.add(((IntVector) p.add((ShortVector) ((IntVector) p.reinterpretShape(IS, 0)).rearrange(SWAP).reinterpretShape(SS2, 0))
                            .convertShape(VectorOperators.S2I, IS, 0)).mul(sc3));
                }
            }
            float d = Float.float16ToFloat(w.get(LE_SHORT, o0 + Q6_KCodec.D));
            c0 = FloatVector.broadcast(FS, d * dy[s0 + blk]).fma((FloatVector) i0.convertShape(VectorOperators.I2F, FS, 0), c0);
            c1 = FloatVector.broadcast(FS, d * dy[s1 + blk]).fma((FloatVector) i1.convertShape(VectorOperators.I2F, FS, 0), c1);
            c2 = FloatVector.broadcast(FS, d * dy[s2 + blk]).fma((FloatVector) i2.convertShape(VectorOperators.I2F, FS, 0), c2);
            c3 = FloatVector.broadcast(FS, d * dy[s3 + blk]).fma((FloatVector) i3.convertShape(VectorOperators.I2F, FS, 0), c3);
        }
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
}
