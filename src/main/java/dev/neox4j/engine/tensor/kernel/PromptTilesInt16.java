package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bc;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.loadBytes;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.PromptPanels;
import dev.neox4j.engine.tensor.Q4_0Codec;
import dev.neox4j.engine.tensor.QuantMath;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Q4_0 prompt rows in 16-bit integer lanes: the weight quants ({@code -8..7}) times the 8-bit activation quants
 * ({@code -127..127}) summed over a 32-element block never leave a short ({@code 32 * 8 * 127 = 32512}), so a
 * 512-bit multiply and add serve 32 prompt rows at once, twice the products of a float FMA. As in
 * {@link PromptTiles}, the prompt rows are transposed into panels ({@link PromptPanels#quants()}: element {@code k}
 * of panel {@code P}'s 32 rows at {@code (P * cols + k) * 32}, one vector) and a tile of {@value #ROWS} broadcast
 * weight rows x {@value #PANELS} panels keeps 24 short accumulators in registers. After each block the exact
 * integer sums are split into even and odd prompt rows (two shifts of the int lanes), converted to float and
 * accumulated as {@code acc = (dw * dy) * isum + acc}, llama.cpp's per-block step, in {@link Decoded#accumulators}
 * (even rows in the first 16 floats of a panel's 32, odd rows in the last 16; the block scale panels
 * {@link PromptPanels#scales()} follow the same order).
 *
 * <p>Every result is the same chain of float steps in block order whatever panel, tile, column block or thread
 * computes it, so a prompt row's result never depends on the other rows of the batch or on the row split;
 * {@link #scalarDot} is the scalar twin (bit for bit). Needs 16 float lanes ({@link #ENABLED}).
 */
final class PromptTilesInt16 {

    /** 512-bit shorts: one panel of prompt rows per vector. */
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    /** Prompt rows per panel. */
    static final int LANES = 32;
    /** Weight rows per register tile. */
    static final int ROWS = 6;
    /** Panels per register tile. */
    static final int PANELS = 4;
    /** Blocks per column block: the four panels' 128 columns (32 KB of shorts) stay in L1. */
    static final int KB = 4;
    /** Whether Q4_0 prompt rows take this path: 16 float lanes (AVX-512). */
    static final boolean ENABLED = F == 16;

    private PromptTilesInt16() {
    }

    /** Where prompt row {@code j}'s scale (and result) sits among its panel's 32 floats: even rows first. */
    static int lane(int j) {
        int i = j % LANES;
        return (i & 1) == 0 ? i >> 1 : 16 + (i >> 1);
    }

    /**
     * {@code out[o + s + promptRow(j) * stride] = sum_blk (dw * dy) * sum_k q[s][k] * y[j][k]} for the {@code n}
     * decoded (not dequantized) Q4_0 weight rows {@code s} of {@code d}, their quants as shorts in
     * {@link Decoded#shortQuants} ({@link #decodeQ4_0} or {@link #quantsFromFloats}), and the {@code prompts} prompt
     * rows {@code j} of {@code a}, whose panels are in {@code a.promptPanels()}.
     */
    static void multiply(Decoded d, int n, Activations a, int prompts, float[] out, int o, int stride) {
        int cols = d.cols;
        int nb = d.nb;
        short[] qs = d.shortQuants(n * cols);
        PromptPanels pp = a.promptPanels();
        short[] xq = pp.quants();
        float[] xs = pp.scales();
        int panels = (prompts + LANES - 1) / LANES;
        int paddedRows = (n + ROWS - 1) / ROWS * ROWS;
        int as = PANELS * LANES; // accumulator floats per weight row
        float[] acc = d.accumulators(paddedRows * as);
        short[] tmp = d.shortScratch(ROWS * PANELS * LANES);
        for (int p0 = 0; p0 < panels; p0 += PANELS) {
            int np = Math.min(PANELS, panels - p0);
            Arrays.fill(acc, 0, paddedRows * as, 0f);
            for (int b0 = 0; b0 < nb; b0 += KB) {
                int b1 = Math.min(nb, b0 + KB);
                for (int s = 0; s < n; s += ROWS) {
                    int last = Math.min(ROWS, n - s) - 1; // rows past the tile repeat its last row, unwritten
                    for (int blk = b0; blk < b1; blk++) {
                        if (np == PANELS) {
                            block6x4(qs, cols, s, last, xq, p0 * cols * LANES, cols * LANES, blk, tmp);
                            flush4(tmp, d.scale, nb, s, last, xs, p0 * nb * LANES, nb * LANES, blk, acc, s * as);
                        } else {
                            for (int pi = 0; pi < np; pi++) {
                                block6x1(qs, cols, s, last, xq, (p0 + pi) * cols * LANES, blk, tmp);
                                flush(tmp, d.scale, nb, s, last, xs, (p0 + pi) * nb * LANES, blk, acc,
                                        s * as + pi * LANES);
                            }
                        }
                    }
                }
            }
            PromptTiles.toOutput(acc, as, n, p0 * LANES, Math.min(prompts, (p0 + np) * LANES), true, a,
                    out, o, stride);
        }
    }

    /**
     * The quants {@link #multiply} reads, from the float quants {@link RowDot#decode} left in {@code d.q} for the
     * {@code n} weight rows of the tile (when generated rows of the batch need those too).
     */
    static void quantsFromFloats(Decoded d, int n) {
        int m = n * d.cols;
        short[] qs = d.shortQuants(m);
        float[] q = d.q;
        for (int i = 0; i < m; i += F) {
            ((ShortVector) ld(q, i).convertShape(VectorOperators.F2S, SS, 0)).intoArray(qs, i);
        }
    }

    /**
     * Decodes the Q4_0 weight row at byte {@code off} of {@code w} (the file's layout) straight into the quants
     * {@link #multiply} reads ({@code q - 8} as shorts) and its block scales, for row slot {@code slot} of
     * {@code d}: the same values as {@link RowDot#decode} then {@link #quantsFromFloats}, without the float pass.
     * The caller grows {@code d}'s quants to the whole tile first ({@link Decoded#shortQuants} does not copy).
     */
    static void decodeQ4_0(MemorySegment w, long off, int cols, Decoded d, int slot) {
        short[] qs = d.shortQuants((slot + 1) * cols);
        int qo = slot * cols;
        int bo = slot * d.nb;
        for (int blk = 0; blk < cols / 32; blk++) {
            long b = off + (long) blk * Q4_0Codec.BLOCK_BYTES;
            d.scale[bo + blk] = Float.float16ToFloat(w.get(QuantMath.LE_SHORT, b));
            ByteVector q = loadBytes(w, b + Q4_0Codec.QS); // 16 bytes: ENABLED means 16 float lanes
            ((ShortVector) VectorLegacyDots.lo(q).sub((byte) 8).convertShape(VectorOperators.B2S, SS, 0))
                    .intoArray(qs, qo + 32 * blk);
            ((ShortVector) VectorLegacyDots.hi(q).sub((byte) 8).convertShape(VectorOperators.B2S, SS, 0))
                    .intoArray(qs, qo + 32 * blk + 16);
        }
    }

    /**
     * The exact block sums of block {@code blk} for weight rows {@code s .. s+5} (offsets clamped at
     * {@code s + last}) and the four panels from {@code x0} (stride {@code xs}), to {@code tmp[(4i + p) * 32]}.
     */
    private static void block6x4(short[] qs, int cols, int s, int last, short[] xq, int x0, int xs, int blk,
                                 short[] tmp) {
        int w0 = s * cols;
        int w1 = (s + Math.min(1, last)) * cols;
        int w2 = (s + Math.min(2, last)) * cols;
        int w3 = (s + Math.min(3, last)) * cols;
        int w4 = (s + Math.min(4, last)) * cols;
        int w5 = (s + Math.min(5, last)) * cols;
        ShortVector z = ShortVector.zero(S);
        ShortVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        ShortVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        ShortVector c40 = z, c41 = z, c42 = z, c43 = z, c50 = z, c51 = z, c52 = z, c53 = z;
        int k0 = blk * 32;
        for (int k = k0; k < k0 + 32; k++) {
            int xo = x0 + k * LANES;
            ShortVector y0 = ShortVector.fromArray(S, xq, xo);
            ShortVector y1 = ShortVector.fromArray(S, xq, xo + xs);
            ShortVector y2 = ShortVector.fromArray(S, xq, xo + 2 * xs);
            ShortVector y3 = ShortVector.fromArray(S, xq, xo + 3 * xs);
            ShortVector w = ShortVector.broadcast(S, qs[w0 + k]);
            c00 = c00.add(w.mul(y0));
            c01 = c01.add(w.mul(y1));
            c02 = c02.add(w.mul(y2));
            c03 = c03.add(w.mul(y3));
            w = ShortVector.broadcast(S, qs[w1 + k]);
            c10 = c10.add(w.mul(y0));
            c11 = c11.add(w.mul(y1));
            c12 = c12.add(w.mul(y2));
            c13 = c13.add(w.mul(y3));
            w = ShortVector.broadcast(S, qs[w2 + k]);
            c20 = c20.add(w.mul(y0));
            c21 = c21.add(w.mul(y1));
            c22 = c22.add(w.mul(y2));
            c23 = c23.add(w.mul(y3));
            w = ShortVector.broadcast(S, qs[w3 + k]);
            c30 = c30.add(w.mul(y0));
            c31 = c31.add(w.mul(y1));
            c32 = c32.add(w.mul(y2));
            c33 = c33.add(w.mul(y3));
            w = ShortVector.broadcast(S, qs[w4 + k]);
            c40 = c40.add(w.mul(y0));
            c41 = c41.add(w.mul(y1));
            c42 = c42.add(w.mul(y2));
            c43 = c43.add(w.mul(y3));
            w = ShortVector.broadcast(S, qs[w5 + k]);
            c50 = c50.add(w.mul(y0));
            c51 = c51.add(w.mul(y1));
            c52 = c52.add(w.mul(y2));
            c53 = c53.add(w.mul(y3));
        }
        c00.intoArray(tmp, 0);
        c01.intoArray(tmp, LANES);
        c02.intoArray(tmp, 2 * LANES);
        c03.intoArray(tmp, 3 * LANES);
        c10.intoArray(tmp, 4 * LANES);
        c11.intoArray(tmp, 5 * LANES);
        c12.intoArray(tmp, 6 * LANES);
        c13.intoArray(tmp, 7 * LANES);
        c20.intoArray(tmp, 8 * LANES);
        c21.intoArray(tmp, 9 * LANES);
        c22.intoArray(tmp, 10 * LANES);
        c23.intoArray(tmp, 11 * LANES);
        c30.intoArray(tmp, 12 * LANES);
        c31.intoArray(tmp, 13 * LANES);
        c32.intoArray(tmp, 14 * LANES);
        c33.intoArray(tmp, 15 * LANES);
        c40.intoArray(tmp, 16 * LANES);
        c41.intoArray(tmp, 17 * LANES);
        c42.intoArray(tmp, 18 * LANES);
        c43.intoArray(tmp, 19 * LANES);
        c50.intoArray(tmp, 20 * LANES);
        c51.intoArray(tmp, 21 * LANES);
        c52.intoArray(tmp, 22 * LANES);
        c53.intoArray(tmp, 23 * LANES);
    }

    /** {@link #block6x4} for one panel from {@code x0}, to {@code tmp[i * 32]}. */
    private static void block6x1(short[] qs, int cols, int s, int last, short[] xq, int x0, int blk, short[] tmp) {
        int w0 = s * cols;
        int w1 = (s + Math.min(1, last)) * cols;
        int w2 = (s + Math.min(2, last)) * cols;
        int w3 = (s + Math.min(3, last)) * cols;
        int w4 = (s + Math.min(4, last)) * cols;
        int w5 = (s + Math.min(5, last)) * cols;
        ShortVector z = ShortVector.zero(S);
        ShortVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z;
        int k0 = blk * 32;
        for (int k = k0; k < k0 + 32; k++) {
            ShortVector y = ShortVector.fromArray(S, xq, x0 + k * LANES);
            c0 = c0.add(ShortVector.broadcast(S, qs[w0 + k]).mul(y));
            c1 = c1.add(ShortVector.broadcast(S, qs[w1 + k]).mul(y));
            c2 = c2.add(ShortVector.broadcast(S, qs[w2 + k]).mul(y));
            c3 = c3.add(ShortVector.broadcast(S, qs[w3 + k]).mul(y));
            c4 = c4.add(ShortVector.broadcast(S, qs[w4 + k]).mul(y));
            c5 = c5.add(ShortVector.broadcast(S, qs[w5 + k]).mul(y));
        }
        c0.intoArray(tmp, 0);
        c1.intoArray(tmp, LANES);
        c2.intoArray(tmp, 2 * LANES);
        c3.intoArray(tmp, 3 * LANES);
        c4.intoArray(tmp, 4 * LANES);
        c5.intoArray(tmp, 5 * LANES);
    }

    /**
     * Adds the block sums of one panel in {@code tmp} (weight row {@code i} at {@code i * 32}, after
     * {@link #block6x1}) to the accumulators from {@code ao}: {@code acc = (dw * dy) * isum + acc}, even prompt rows
     * then odd ones, the panel's block scales from {@code s0}.
     */
    private static void flush(short[] tmp, float[] ws, int nb, int s, int last, float[] xs, int s0, int blk,
                              float[] acc, int ao) {
        int so = s0 + blk * LANES;
        for (int i = 0; i <= last; i++) {
            FloatVector dw = bc(ws[(s + i) * nb + blk]);
            IntVector v = (IntVector) ShortVector.fromArray(S, tmp, i * LANES).reinterpretShape(I512, 0);
            FloatVector even = (FloatVector) v.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, F512, 0);
            FloatVector odd = (FloatVector) v.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F512, 0);
            int ac = ao + i * PANELS * LANES;
            dw.mul(ld(xs, so)).fma(even, ld(acc, ac)).intoArray(acc, ac);
            dw.mul(ld(xs, so + 16)).fma(odd, ld(acc, ac + 16)).intoArray(acc, ac + 16);
        }
    }

    /**
     * {@link #flush} for a full tile's four panels (after {@link #block6x4}), written out with JDK vector calls only
     * (past C2's node budget a helper such as {@code ld} is not inlined and boxes): the panels' activation scales
     * loaded once for the six weight rows, no loop over the panels (as a loop with a variable count it took 30 % of a
     * 128-row Q4_0 matmul against 49 % for the products themselves: BENCHMARKS.md, session 18).
     */
    private static void flush4(short[] tmp, float[] ws, int nb, int s, int last, float[] xs, int s0, int ss, int blk,
                               float[] acc, int ao) {
        int so = s0 + blk * LANES;
        FloatVector x0e = FloatVector.fromArray(F512, xs, so);
        FloatVector x0o = FloatVector.fromArray(F512, xs, so + 16);
        FloatVector x1e = FloatVector.fromArray(F512, xs, so + ss);
        FloatVector x1o = FloatVector.fromArray(F512, xs, so + ss + 16);
        FloatVector x2e = FloatVector.fromArray(F512, xs, so + 2 * ss);
        FloatVector x2o = FloatVector.fromArray(F512, xs, so + 2 * ss + 16);
        FloatVector x3e = FloatVector.fromArray(F512, xs, so + 3 * ss);
        FloatVector x3o = FloatVector.fromArray(F512, xs, so + 3 * ss + 16);
        for (int i = 0; i <= last; i++) {
            FloatVector dw = FloatVector.broadcast(F512, ws[(s + i) * nb + blk]);
            int t = PANELS * i * LANES;
            int ac = ao + i * PANELS * LANES;
            IntVector v = (IntVector) ShortVector.fromArray(S, tmp, t).reinterpretShape(I512, 0);
            dw.mul(x0e).fma((FloatVector) v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F512, 0), FloatVector.fromArray(F512, acc, ac))
                    .intoArray(acc, ac);
            dw.mul(x0o).fma((FloatVector) v.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F512, 0), FloatVector.fromArray(F512, acc, ac + 16))
                    .intoArray(acc, ac + 16);
            v = (IntVector) ShortVector.fromArray(S, tmp, t + LANES).reinterpretShape(I512, 0);
            dw.mul(x1e).fma((FloatVector) v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F512, 0), FloatVector.fromArray(F512, acc, ac + 32))
                    .intoArray(acc, ac + 32);
            dw.mul(x1o).fma((FloatVector) v.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F512, 0), FloatVector.fromArray(F512, acc, ac + 48))
                    .intoArray(acc, ac + 48);
            v = (IntVector) ShortVector.fromArray(S, tmp, t + 2 * LANES).reinterpretShape(I512, 0);
            dw.mul(x2e).fma((FloatVector) v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F512, 0), FloatVector.fromArray(F512, acc, ac + 64))
                    .intoArray(acc, ac + 64);
            dw.mul(x2o).fma((FloatVector) v.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F512, 0), FloatVector.fromArray(F512, acc, ac + 80))
                    .intoArray(acc, ac + 80);
            v = (IntVector) ShortVector.fromArray(S, tmp, t + 3 * LANES).reinterpretShape(I512, 0);
            dw.mul(x3e).fma((FloatVector) v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F512, 0), FloatVector.fromArray(F512, acc, ac + 96))
                    .intoArray(acc, ac + 96);
            dw.mul(x3o).fma((FloatVector) v.lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F512, 0), FloatVector.fromArray(F512, acc, ac + 112))
                    .intoArray(acc, ac + 112);
        }
    }

    /**
     * The scalar twin of one result: weight row at {@code qs[w]} (quants) and {@code ws[sw]} (block scales),
     * prompt row at {@code xq[x + k * 32]} with its block scales at {@code xs[sx + blk * 32]}: per block the exact
     * integer sum, then {@code c = fma(dw * dy, isum, c)} in block order.
     */
    static float scalarDot(short[] qs, int w, float[] ws, int sw, short[] xq, int x, float[] xs, int sx, int cols) {
        float c = 0f;
        for (int blk = 0; blk < cols / 32; blk++) {
            int isum = 0;
            for (int k = 32 * blk; k < 32 * blk + 32; k++) {
                isum += qs[w + k] * xq[x + k * LANES];
            }
            c = Math.fma(ws[sw + blk] * xs[sx + blk * LANES], (float) isum, c);
        }
        return c;
    }
}
