package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.BS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.IB;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.LE;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.Q2_KCodec;
import dev.neox4j.engine.tensor.Q3_KCodec;
import dev.neox4j.engine.tensor.Q4_KCodec;
import dev.neox4j.engine.tensor.Q6_KCodec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * The scalar half of the K-quant single-row kernels of {@link VectorKQuantDots}: before the vector loop over a
 * row, its super-blocks' sub-block scales and {@code d * dy} products (and, for the types with mins, the whole
 * min term) are unpacked from the weight row into the kernels' scratch, from {@link #AT}, {@link #STRIDE} floats
 * per super-block: the scales (exact small integers) first, {@code d * dy} at index {@link #D}.
 *
 * <p>Why a separate pass: every scalar read of a {@code MemorySegment} costs C2 600-900 IR nodes while it
 * inlines (the var handle and its checks), the SWAR unpacking and the min sums as many again. In the vector
 * kernel they pushed its parse past C2's inlining node cutoff (18,000 nodes), after which C2 delays the remaining
 * Vector API calls, some of their intrinsics then see non-constant arguments, and the kernel runs with boxed
 * vectors — allocating on every call, 5-50 times slower. Here they cost nothing of the kernel's budget; the
 * wrappers in {@code VectorKQuantDots} call the prologue, then the kernel (package-info, "Why the vector kernels
 * repeat per weight type"). The values and the order of every float operation are those the kernels computed
 * inline before, so results are unchanged.
 */
final class KQuantPrologues {

    /** Where the unpacked scales start in the scratch (after the lane sums and the decoded-path scales). */
    static final int AT = Decoded.BLOCK_SCALES;
    /** Floats per super-block: up to sixteen sub-block scales and {@code d * dy}. */
    static final int STRIDE = 17;
    /** Index of {@code d * dy} within a super-block's floats. */
    static final int D = 16;

    private KQuantPrologues() {
    }

    /**
     * Q4_K/Q5_K (same header layout, {@code blockBytes} apart): the eight 6-bit scales and {@code d * dy} per
     * super-block; returns the min term {@code sum_blk (dmin * dy) * sum_k m_k * pairSum_k}, in block order.
     */
    static float q45(MemorySegment w, long off, int cols, long blockBytes, Activations a, int b, float[] red) {
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float[] ps = a.pairSums();
        int po = a.pairSumsOffset(b);
        float msum = 0f;
        for (int blk = 0; blk < cols / 256; blk++) {
            long o = off + blk * blockBytes;
            long sc = VectorKQuantDots.scales45(w, o + Q4_KCodec.SCALES);
            int r = AT + STRIDE * blk;
            for (int k = 0; k < 8; k++) {
                red[r + k] = VectorKQuantDots.byteAt(sc, k);
            }
            float dyb = dy[so + blk];
            red[r + D] = Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.D)) * dyb;
            msum += (Float.float16ToFloat(w.get(LE_SHORT, o + Q4_KCodec.DMIN)) * dyb)
                    * VectorKQuantDots.minSum45(VectorKQuantDots.mins45(w, o + Q4_KCodec.SCALES), ps, po + 8 * blk);
        }
        return msum;
    }

    /** Q6_K: the sixteen int8 scales and {@code d * dy} per super-block. */
    static void q6(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        for (int blk = 0; blk < cols / 256; blk++) {
            long o = off + (long) blk * Q6_KCodec.BLOCK_BYTES;
            int r = AT + STRIDE * blk;
            for (int k = 0; k < 16; k++) {
                red[r + k] = w.get(BYTE, o + Q6_KCodec.SCALES + k);
            }
            red[r + D] = Float.float16ToFloat(w.get(LE_SHORT, o + Q6_KCodec.D)) * dy[so + blk];
        }
    }

    /** Q3_K: the sixteen signed 6-bit scales (minus 32; scale {@code 8n + k} of half {@code n}) and {@code d * dy}. */
    static void q3(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        for (int blk = 0; blk < cols / 256; blk++) {
            long o = off + (long) blk * Q3_KCodec.BLOCK_BYTES;
            int r = AT + STRIDE * blk;
            for (int n = 0; n < 2; n++) {
                long sc = VectorKQuantDots.scales3(w, o + Q3_KCodec.SCALES, n);
                for (int k = 0; k < 8; k++) {
                    red[r + 8 * n + k] = VectorKQuantDots.byteAt(sc, k) - 32;
                }
            }
            red[r + D] = Float.float16ToFloat(w.get(LE_SHORT, o + Q3_KCodec.D)) * dy[so + blk];
        }
    }

    /**
     * Q2_K: the sixteen 4-bit scales (low nibbles) and {@code d * dy} per super-block; returns the min term
     * {@code sum_blk (dmin * dy) * sum_k m_k * bsum_k} in block order (each inner sum an exact integer below 2^24,
     * so its lane reduction gives the same value in any order).
     */
    static float q2(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float[] bs = a.sums();
        int bo = a.sumsOffset(b);
        float msum = 0f;
        for (int blk = 0; blk < cols / 256; blk++) {
            long o = off + (long) blk * Q2_KCodec.BLOCK_BYTES;
            int r = AT + STRIDE * blk;
            float summs = 0f;
            for (int k = 0; k < 16; k += F) {
                ByteVector sb = ByteVector.fromMemorySegment(BS, w, o + Q2_KCodec.SCALES + k, LE);
                ((FloatVector) sb.and((byte) 0x0F).convertShape(VectorOperators.B2F, FS, 0)).intoArray(red, r + k);
                summs += ((FloatVector) ((ByteVector) ((IntVector) sb.reinterpretShape(IB, 0))
                        .lanewise(VectorOperators.LSHR, 4).reinterpretShape(BS, 0))
                        .and((byte) 0x0F).convertShape(VectorOperators.B2F, FS, 0))
                        .mul(FloatVector.fromArray(FS, bs, bo + 16 * blk + k)).reduceLanes(VectorOperators.ADD);
            }
            float dyb = dy[so + blk];
            red[r + D] = Float.float16ToFloat(w.get(LE_SHORT, o + Q2_KCodec.D)) * dyb;
            msum += (Float.float16ToFloat(w.get(LE_SHORT, o + Q2_KCodec.DMIN)) * dyb) * summs;
        }
        return msum;
    }
}
