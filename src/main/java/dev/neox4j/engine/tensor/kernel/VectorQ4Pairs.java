package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.BS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.IS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.LE;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.NEG_ZERO;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bytesToFloats;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.loadBytesAsShorts;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.reduce;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.sum;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.Q4_0Pairs;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0 kernels over the {@link Q4_0Pairs} layout (repacked at load), two blocks A, B at a time in 512-bit vectors:
 * one 32-byte load zero-extended to 32 shorts {@code q} (lane {@code 2i} = quant byte {@code i} of A, lane
 * {@code 2i + 1} that of B). With the activations prepared once per matmul in the matching order
 * ({@link Activations#q4Pairs()}: {@code g0, g1, g2}), {@code q * g0 + (q >>> 4) * g1 - g2} is, per short lane,
 * exactly the integer {@code (lo - 8) * y[i] + (hi - 8) * y[16 + i]} of the one-block kernel
 * ({@link VectorLegacyDots#q4Sum}); two shifts split the even and odd shorts into A's and B's 16 int lanes. The
 * block scales are read as a vector and multiplied by the activation scales once per row, into {@code red} from
 * {@link Decoded#BLOCK_SCALES}. Each block then takes one FMA {@code acc += lanes * (dx * dy)}, the even blocks
 * in one chain, the odd blocks in a second ({@link DecodedDots#NO_MIN_PAIRED}): one chain of dependent FMAs (4
 * cycles each) would bound a row at about 11 GB/s whatever the instruction count. The chains are added lane-wise
 * before the fixed-order lane sum. The single-row, multi-row and decoded-tile paths of this layout do exactly
 * that, so results stay batch and thread-count invariant; they differ from the GGUF-layout kernels' single chain
 * by float rounding only (the block sums are the same exact integers). About 10 vector operations per block
 * instead of 17-20, and no byte permutation.
 *
 * <p>Needs 16 float lanes ({@link #ENABLED}); the layout is only produced when it is.
 */
final class VectorQ4Pairs {

    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    /** Start of the per-block scale products in the kernels' scratch. */
    private static final int SC = Decoded.BLOCK_SCALES;

    /** Whether these kernels can run here: 16 float lanes (AVX-512). */
    static final boolean AVAILABLE = F == 16;
    /**
     * Whether {@link VectorKernels#prepare} repacks Q4_0 into this layout at load: only with
     * {@code -Dneox4j.kernels.q4-pairs=true}. Off by default since session 15: in one thread the kernels read the pair
     * layout at 15-20 GB/s against 8.3-9.2 for the file's layout, but the repacked copy lives in fresh anonymous
     * memory, and in the server's decode on the development VM it streamed at a quarter of that (a 1.4b step 91-101 ms
     * against 69-74 ms with the file's layout mapped in 2 MiB pages; in-process decode 12.8-15.0 against 16.5-18.6
     * tok/s; 1.3-1.9 s more to ready), BENCHMARKS.md.
     */
    static final boolean ENABLED = AVAILABLE && "true".equals(System.getProperty("neox4j.kernels.q4-pairs"));

    private VectorQ4Pairs() {
    }

    /** The 32 quant bytes of pair {@code p} as zero-extended shorts (decode only: the dot kernels inline it). */
    private static ShortVector pairQuants(MemorySegment w, long off, int p) {
        return (ShortVector) ByteVector.fromMemorySegment(B256, w, off + 32L * p, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
    }

    /** {@code red[SC + blk] = dx[blk] * dy[so + blk]} for the {@code nb} blocks of the row at {@code off}. */
    private static void scaleProducts(MemorySegment w, long off, int nb, float[] dy, int so, float[] red) {
        scaleProductsAt(w, off, nb, dy, so, red, SC);
    }

    /** {@link #scaleProducts} into {@code red} from {@code at}. */
    private static void scaleProductsAt(MemorySegment w, long off, int nb, float[] dy, int so, float[] red, int at) {
        long s = off + Q4_0Pairs.scale(nb, 0);
        int blk = 0;
        for (; blk + F <= nb; blk += F) {
            // VectorShapes.loadF16 written out, JDK vector calls only: a helper C2 compiled on its own first may
            // not be inlined here, and would return boxed vectors
            IntVector h = (IntVector) ShortVector.fromMemorySegment(VectorShapes.SS, w, s + 2L * blk, LE)
                    .convertShape(VectorOperators.S2I, VectorShapes.IS, 0);
            IntVector em = h.and(0x7FFF);
            IntVector sh = em.lanewise(VectorOperators.LSHL, 13);
            IntVector bits = ((IntVector) ((FloatVector) sh.reinterpretShape(FS, 0)).mul(VectorShapes.TWO_POW_112).reinterpretShape(IS, 0))
                    .blend(sh.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00));
            ((FloatVector) bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretShape(FS, 0))
                    .mul(FloatVector.fromArray(FS, dy, so + blk)).intoArray(red, at + blk);
        }
        for (; blk < nb; blk++) {
            red[at + blk] = Float.float16ToFloat(w.get(LE_SHORT, s + 2L * blk)) * dy[so + blk];
        }
    }

    /**
     * The single-row dot product ({@link RowDot#dot1}); {@code red} holds {@code SC + cols / 32} floats. Written
     * with JDK vector calls only (no helper taking or returning a vector), so C2 inlines all of it.
     */
    static float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
        int nb = cols / 32;
        scaleProducts(w, off, nb, a.scales(), a.scalesOffset(b), red);
        short[] g = a.q4Pairs();
        int go = a.q4PairsOffset(b);
        FloatVector acc = FloatVector.zero(FS);
        FloatVector odd = acc;
        int pairs = nb / 2;
        for (int p = 0; p < pairs; p++) {
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B256, w, off + 32L * p, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            int gp = go + 96 * p;
            IntVector s = (IntVector) q.mul(ShortVector.fromArray(S512, g, gp))
                    .add(q.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S512, g, gp + 32)))
                    .sub(ShortVector.fromArray(S512, g, gp + 64))
                    .reinterpretShape(IS, 0);
            FloatVector fa = (FloatVector) s.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FS, 0);
            FloatVector fb = (FloatVector) s.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FS, 0);
            acc = FloatVector.broadcast(FS, red[SC + 2 * p]).fma(fa, acc);
            odd = FloatVector.broadcast(FS, red[SC + 2 * p + 1]).fma(fb, odd);
        }
        if ((nb & 1) == 0) {
            return sum(acc.add(odd), red);
        }
        // stored, not passed on: a vector crossing a call C2 does not inline is boxed
        NEG_ZERO.add(acc).intoArray(red, 0);
        NEG_ZERO.add(odd).intoArray(red, F);
        return oddBlock(w, off, nb, a, b, red);
    }

    /**
     * Single-row decode over weight rows {@code [r0, r1)}: {@code out[o + r] = dot1(row r)}, bit for bit, but four
     * weight rows at a time share each activation load ({@link #dot4}). The prepared activations take 192 bytes per
     * 36 bytes of weights; at 20,480 columns (a 12b {@code ffn_down} row) they are 61 KB, past the 48 KB L1, and
     * a row at a time reloads them from L2 for every row. Measured in thread CPU time (session 5): 4 rows per pass
     * +25 % at 20,480 columns in L2, +50-80 % from DRAM, +10-15 % at 2,048.
     */
    static void matvec(MemorySegment w, long rowBytes, int cols, Activations a, int r0, int r1, float[] out, int o,
                       float[] red) {
        int r = r0;
        if ((cols / 32 & 1) == 0) {
            for (; r + 4 <= r1; r += 4) {
                dot4(w, r * rowBytes, rowBytes, cols, a, red, out, o + r);
            }
        }
        for (; r < r1; r++) {
            out[o + r] = dot1(w, r * rowBytes, cols, a, 0, red);
        }
    }

    /**
     * {@link #dot1} of activation row 0 with the four weight rows at {@code off}, {@code off + rb}, ... (an even
     * number of blocks), to {@code out[o .. o + 4)}: per row the same operations in the same order.
     */
    private static void dot4(MemorySegment w, long off, long rb, int cols, Activations a, float[] red, float[] out,
                             int o) {
        int nb = cols / 32;
        scaleProductsAt(w, off, nb, a.scales(), a.scalesOffset(0), red, SC);
        scaleProductsAt(w, off + rb, nb, a.scales(), a.scalesOffset(0), red, SC + nb);
        scaleProductsAt(w, off + 2 * rb, nb, a.scales(), a.scalesOffset(0), red, SC + 2 * nb);
        scaleProductsAt(w, off + 3 * rb, nb, a.scales(), a.scalesOffset(0), red, SC + 3 * nb);
        short[] g = a.q4Pairs();
        int go = a.q4PairsOffset(0);
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z; // even blocks
        FloatVector d0 = z, d1 = z, d2 = z, d3 = z; // odd blocks
        long off1 = off + rb;
        long off2 = off1 + rb;
        long off3 = off2 + rb;
        int sc1 = SC + nb;
        int sc2 = sc1 + nb;
        int sc3 = sc2 + nb;
        int pairs = nb / 2;
        for (int p = 0; p < pairs; p++) {
            int gp = go + 96 * p;
            ShortVector g0 = ShortVector.fromArray(S512, g, gp);
            ShortVector g1 = ShortVector.fromArray(S512, g, gp + 32);
            ShortVector g2 = ShortVector.fromArray(S512, g, gp + 64);
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B256, w, off + 32L * p, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            IntVector t = (IntVector) q.mul(g0).add(q.lanewise(VectorOperators.LSHR, 4).mul(g1)).sub(g2).reinterpretShape(IS, 0);
            c0 = FloatVector.broadcast(FS, red[SC + 2 * p]).fma((FloatVector) t.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FS, 0), c0);
            d0 = FloatVector.broadcast(FS, red[SC + 2 * p + 1]).fma((FloatVector) t.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FS, 0), d0);
            q = (ShortVector) ByteVector.fromMemorySegment(B256, w, off1 + 32L * p, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            t = (IntVector) q.mul(g0).add(q.lanewise(VectorOperators.LSHR, 4).mul(g1)).sub(g2).reinterpretShape(IS, 0);
            c1 = FloatVector.broadcast(FS, red[sc1 + 2 * p]).fma((FloatVector) t.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FS, 0), c1);
            d1 = FloatVector.broadcast(FS, red[sc1 + 2 * p + 1]).fma((FloatVector) t.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FS, 0), d1);
            q = (ShortVector) ByteVector.fromMemorySegment(B256, w, off2 + 32L * p, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            t = (IntVector) q.mul(g0).add(q.lanewise(VectorOperators.LSHR, 4).mul(g1)).sub(g2).reinterpretShape(IS, 0);
            c2 = FloatVector.broadcast(FS, red[sc2 + 2 * p]).fma((FloatVector) t.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FS, 0), c2);
            d2 = FloatVector.broadcast(FS, red[sc2 + 2 * p + 1]).fma((FloatVector) t.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FS, 0), d2);
            q = (ShortVector) ByteVector.fromMemorySegment(B256, w, off3 + 32L * p, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            t = (IntVector) q.mul(g0).add(q.lanewise(VectorOperators.LSHR, 4).mul(g1)).sub(g2).reinterpretShape(IS, 0);
            c3 = FloatVector.broadcast(FS, red[sc3 + 2 * p]).fma((FloatVector) t.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FS, 0), c3);
            d3 = FloatVector.broadcast(FS, red[sc3 + 2 * p + 1]).fma((FloatVector) t.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FS, 0), d3);
        }
        // stored without calling sum(): past C2's node budget a call would box the accumulators
        NEG_ZERO.add(c0.add(d0)).intoArray(red, 0);
        out[o] = reduce(red, 0);
        NEG_ZERO.add(c1.add(d1)).intoArray(red, 0);
        out[o + 1] = reduce(red, 0);
        NEG_ZERO.add(c2.add(d2)).intoArray(red, 0);
        out[o + 2] = reduce(red, 0);
        NEG_ZERO.add(c3.add(d3)).intoArray(red, 0);
        out[o + 3] = reduce(red, 0);
    }

    /**
     * Adds the odd last block (quant bytes in GGUF order) to the even-block chain stored at {@code red[0, F)}, then
     * the odd-block chain stored at {@code red[F, 2F)}; the lane sum.
     */
    private static float oddBlock(MemorySegment w, long off, int nb, Activations a, int b, float[] red) {
        return oddBlockAt(w, off, nb, a, b, red, SC);
    }

    /** {@link #oddBlock} with the row's scale products in {@code red} from {@code at}. */
    private static float oddBlockAt(MemorySegment w, long off, int nb, Activations a, int b, float[] red, int at) {
        ShortVector q = loadBytesAsShorts(w, off + 32L * (nb / 2));
        int yb = a.valuesOffset(b) + 32 * (nb - 1);
        ShortVector p = q.and((short) 0x0F).sub((short) 8).mul(ShortVector.fromArray(VectorShapes.SS, a.shortValues(), yb))
                .add(q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).sub((short) 8)
                        .mul(ShortVector.fromArray(VectorShapes.SS, a.shortValues(), yb + 16)));
        FloatVector acc = FloatVector.broadcast(FS, red[at + nb - 1])
                .fma((FloatVector) p.convertShape(VectorOperators.S2F, FS, 0), FloatVector.fromArray(FS, red, 0));
        return sum(acc.add(FloatVector.fromArray(FS, red, F)), red);
    }

    /**
     * {@link RowDot#dotN}: the weight row with 3-4 activation rows from {@code b}, each exactly {@link #dot1}'s
     * result (the quants are expanded once per pair for all rows; the odd last block's scale products of row
     * {@code k} are written to {@code red} from {@code SC + k * nb}).
     */
    static void dotN(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o, int stride,
                     float[] red) {
        int nb = cols / 32;
        int b3 = b + Math.min(3, n - 1);
        float[] dy = a.scales();
        int s0 = a.scalesOffset(b);
        int s1 = a.scalesOffset(b + 1);
        int s2 = a.scalesOffset(b + 2);
        int s3 = a.scalesOffset(b3);
        long sOff = off + Q4_0Pairs.scale(nb, 0);
        short[] g = a.q4Pairs();
        int g0 = a.q4PairsOffset(b);
        int g1 = a.q4PairsOffset(b + 1);
        int g2 = a.q4PairsOffset(b + 2);
        int g3 = a.q4PairsOffset(b3);
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z; // even blocks
        FloatVector d0 = z, d1 = z, d2 = z, d3 = z; // odd blocks
        int pairs = nb / 2;
        for (int p = 0; p < pairs; p++) {
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B256, w, off + 32L * p, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector hi = q.lanewise(VectorOperators.LSHR, 4);
            // scalar scale products (a vector prepass per row would exceed C2's inlining budget here)
            float da = Float.float16ToFloat(w.get(LE_SHORT, sOff + 4L * p));
            float db = Float.float16ToFloat(w.get(LE_SHORT, sOff + 4L * p + 2));
            int e = 2 * p;
            int gp = g0 + 96 * p;
            IntVector t = (IntVector) q.mul(ShortVector.fromArray(S512, g, gp)).add(hi.mul(ShortVector.fromArray(S512, g, gp + 32)))
                    .sub(ShortVector.fromArray(S512, g, gp + 64)).reinterpretShape(IS, 0);
            c0 = FloatVector.broadcast(FS, da * dy[s0 + e]).fma((FloatVector) t.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FS, 0), c0);
            d0 = FloatVector.broadcast(FS, db * dy[s0 + e + 1]).fma((FloatVector) t.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FS, 0), d0);
            gp = g1 + 96 * p;
            t = (IntVector) q.mul(ShortVector.fromArray(S512, g, gp)).add(hi.mul(ShortVector.fromArray(S512, g, gp + 32)))
                    .sub(ShortVector.fromArray(S512, g, gp + 64)).reinterpretShape(IS, 0);
            c1 = FloatVector.broadcast(FS, da * dy[s1 + e]).fma((FloatVector) t.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FS, 0), c1);
            d1 = FloatVector.broadcast(FS, db * dy[s1 + e + 1]).fma((FloatVector) t.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FS, 0), d1);
            gp = g2 + 96 * p;
            t = (IntVector) q.mul(ShortVector.fromArray(S512, g, gp)).add(hi.mul(ShortVector.fromArray(S512, g, gp + 32)))
                    .sub(ShortVector.fromArray(S512, g, gp + 64)).reinterpretShape(IS, 0);
            c2 = FloatVector.broadcast(FS, da * dy[s2 + e]).fma((FloatVector) t.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FS, 0), c2);
            d2 = FloatVector.broadcast(FS, db * dy[s2 + e + 1]).fma((FloatVector) t.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FS, 0), d2);
            gp = g3 + 96 * p;
            t = (IntVector) q.mul(ShortVector.fromArray(S512, g, gp)).add(hi.mul(ShortVector.fromArray(S512, g, gp + 32)))
                    .sub(ShortVector.fromArray(S512, g, gp + 64)).reinterpretShape(IS, 0);
            c3 = FloatVector.broadcast(FS, da * dy[s3 + e]).fma((FloatVector) t.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FS, 0), c3);
            d3 = FloatVector.broadcast(FS, db * dy[s3 + e + 1]).fma((FloatVector) t.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FS, 0), d3);
        }
        if ((nb & 1) == 0) {
            // stored without calling sum(): past C2's node budget a call would box the accumulators
            NEG_ZERO.add(c0.add(d0)).intoArray(red, 0);
            out[o] = reduce(red, 0);
            NEG_ZERO.add(c1.add(d1)).intoArray(red, 0);
            out[o + stride] = reduce(red, 0);
            NEG_ZERO.add(c2.add(d2)).intoArray(red, 0);
            out[o + 2 * stride] = reduce(red, 0);
            NEG_ZERO.add(c3.add(d3)).intoArray(red, 0);
            float r3 = reduce(red, 0);
            if (n > 3) {
                out[o + 3 * stride] = r3;
            }
            return;
        }
        float dx = Float.float16ToFloat(w.get(LE_SHORT, sOff + 2L * (nb - 1)));
        red[SC + nb - 1] = dx * dy[s0 + nb - 1];
        red[SC + 2 * nb - 1] = dx * dy[s1 + nb - 1];
        red[SC + 3 * nb - 1] = dx * dy[s2 + nb - 1];
        red[SC + 4 * nb - 1] = dx * dy[s3 + nb - 1];
        NEG_ZERO.add(c0).intoArray(red, 0);
        NEG_ZERO.add(d0).intoArray(red, F);
        out[o] = oddBlockAt(w, off, nb, a, b, red, SC);
        NEG_ZERO.add(c1).intoArray(red, 0);
        NEG_ZERO.add(d1).intoArray(red, F);
        out[o + stride] = oddBlockAt(w, off, nb, a, b + 1, red, SC + nb);
        NEG_ZERO.add(c2).intoArray(red, 0);
        NEG_ZERO.add(d2).intoArray(red, F);
        out[o + 2 * stride] = oddBlockAt(w, off, nb, a, b + 2, red, SC + 2 * nb);
        NEG_ZERO.add(c3).intoArray(red, 0);
        NEG_ZERO.add(d3).intoArray(red, F);
        float r3 = oddBlockAt(w, off, nb, a, b3, red, SC + 3 * nb);
        if (n > 3) {
            out[o + 3 * stride] = r3;
        }
    }

    /** {@link RowDot#decode}: the row's exact quants minus 8 and its scales, in element order. */
    static void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
        int nb = cols / 32;
        int qo = slot * cols;
        int bo = slot * d.nb;
        for (int blk = 0; blk < nb; blk++) {
            d.scale[bo + blk] = Float.float16ToFloat(w.get(LE_SHORT, off + Q4_0Pairs.scale(nb, blk)));
        }
        int pairs = nb / 2;
        for (int p = 0; p < pairs; p++) {
            // int lane i: quant byte i of A in bits 0-7, that of B in bits 16-23
            IntVector v = (IntVector) pairQuants(w, off, p).reinterpretShape(IS, 0);
            int e = qo + 64 * p;
            nibble(v, 0).intoArray(d.q, e);
            nibble(v, 4).intoArray(d.q, e + 16);
            nibble(v, 16).intoArray(d.q, e + 32);
            nibble(v, 20).intoArray(d.q, e + 48);
        }
        if ((nb & 1) != 0) {
            ByteVector q = ByteVector.fromMemorySegment(BS, w, off + 32L * pairs, LE);
            int e = qo + 32 * (nb - 1);
            bytesToFloats(VectorLegacyDots.lo(q).sub((byte) 8)).intoArray(d.q, e);
            bytesToFloats(VectorLegacyDots.hi(q).sub((byte) 8)).intoArray(d.q, e + 16);
        }
    }

    /** The 4-bit field at bit {@code shift} of every int lane, minus 8, as floats. */
    private static FloatVector nibble(IntVector v, int shift) {
        return (FloatVector) v.lanewise(VectorOperators.LSHR, shift).and(0x0F).sub(8).convertShape(VectorOperators.I2F, FS, 0);
    }

    /** The kernels of a {@link dev.neox4j.engine.tensor.WeightLayout#Q4_0_PAIRS} matrix. */
    static final RowDot ROW_DOT = new RowDot() {
        @Override
        public int kind() {
            return DecodedDots.NO_MIN_PAIRED;
        }

        @Override
        public int blockElems() {
            return 32;
        }

        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            return VectorQ4Pairs.dot1(w, off, cols, a, b, red);
        }

        @Override
        public boolean multiRow() {
            return true;
        }

        @Override
        public void dotN(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o,
                         int stride, float[] red) {
            VectorQ4Pairs.dotN(w, off, cols, a, b, n, out, o, stride, red);
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            VectorQ4Pairs.decode(w, off, cols, d, slot);
        }

        @Override
        public void matvec(MemorySegment w, long rowBytes, int cols, Activations a, int r0, int r1, float[] out,
                           int o, float[] red) {
            VectorQ4Pairs.matvec(w, rowBytes, cols, a, r0, r1, out, o, red);
        }
    };
}
