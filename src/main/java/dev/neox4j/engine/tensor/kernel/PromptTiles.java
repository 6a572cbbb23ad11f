package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.bc;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;

import dev.neox4j.engine.tensor.Activations;
import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

/**
 * Prompt rows times a dequantized tile of weight rows ({@link Decoded#dequantize}) as a register-blocked matrix
 * product, the way BLAS micro-kernels do it: the prompt rows' dequantized activations are stored transposed in
 * panels of {@code F} rows ({@link Activations#promptPanels()}: element {@code k} of the {@code F} rows of a panel
 * is one vector), so one vector load serves {@code F} prompt rows and one broadcast weight serves four panels.
 * The tile of {@value #ROWS} weight rows x {@value #PANELS} panels keeps 24 accumulators in registers (AVX-512 has
 * 32) and needs 4 vector loads and 6 broadcasts per 24 FMAs, against 8 loads per 16 FMAs of a 4x4 dot-product
 * tile whose rows outgrow L1. The columns run in blocks of {@value #KC} so that the panels' block stays in L1
 * while the tile's weight rows pass over it; each block's chains start from {@code +0.0} and are added to the
 * accumulators ({@link Decoded#accumulators}) after the block (a kernel that continued its chains from memory
 * would need 24 more vector loads, past what C2 inlines into one kernel: it then boxes every vector).
 *
 * <p>Every result is the same sum in the same order, one FMA chain {@code p = fma(w[k], x[k], p)} per column
 * block from {@code +0.0}, the blocks' {@code p} added in column order: the same operations whatever panel lane,
 * tile position or thread computes it, so a prompt row's result never
 * depends on the other rows of the batch or on the row split. {@link #scalarDot} is the scalar twin (bit for bit).
 */
final class PromptTiles {

    /** Weight rows per register tile. */
    static final int ROWS = 6;
    /** Weight rows whose results go to the output rows together ({@link #toOutput}): 16 floats, a cache line. */
    private static final int OUTPUT_ROWS = 16;
    /** Activation panels ({@code F} prompt rows each) per register tile. */
    static final int PANELS = 4;
    /** Columns per block: {@code PANELS * F} rows of this many floats (32 KB with AVX-512) stay in L1. */
    static final int KC = 128;

    private PromptTiles() {
    }

    /**
     * {@code out[o + s + promptRow(j) * stride] = sum_k q[s][k] * x[j][k]} for the {@code n} dequantized weight
     * rows {@code s} of {@code d} and the {@code prompts} prompt rows {@code j} of {@code a}, whose panels are in
     * {@code a.promptPanels()}.
     */
    static void multiply(Decoded d, int n, Activations a, int prompts, float[] out, int o, int stride) {
        int cols = d.cols;
        float[] q = d.q;
        float[] xp = a.promptPanels().values();
        int panels = (prompts + F - 1) / F;
        int ps = cols * F; // floats per panel
        int paddedRows = (n + ROWS - 1) / ROWS * ROWS;
        float[] acc = d.accumulators(paddedRows * PANELS * F);
        float[] tmp = d.floatScratch(ROWS * PANELS * F);
        float[] blockPanels = F == 8 ? d.panelBlock(KC * PANELS * F) : null;
        int as = PANELS * F; // accumulator floats per weight row
        for (int p0 = 0; p0 < panels; p0 += PANELS) {
            int np = Math.min(PANELS, panels - p0);
            Arrays.fill(acc, 0, paddedRows * as, 0f);
            for (int k0 = 0; k0 < cols; k0 += KC) {
                int k1 = Math.min(cols, k0 + KC);
                if (F == 8 && np == PANELS) {
                    // the four panels' column block side by side (column k at (k - k0) * 4F, panel p at + pF):
                    // one index for the tile's four loads, so C2 checks their bounds once instead of four times
                    for (int k = k0; k < k1; k++) {
                        for (int p = 0; p < PANELS; p++) {
                            ld(xp, (p0 + p) * ps + k * F).intoArray(blockPanels, (k - k0) * PANELS * F + p * F);
                        }
                    }
                }
                for (int s = 0; s < n; s += ROWS) {
                    int last = Math.min(ROWS, n - s) - 1; // rows past the tile repeat its last row, unwritten
                    int w0 = s * cols;
                    int w1 = (s + Math.min(1, last)) * cols;
                    int w2 = (s + Math.min(2, last)) * cols;
                    int w3 = (s + Math.min(3, last)) * cols;
                    int w4 = (s + Math.min(4, last)) * cols;
                    int w5 = (s + Math.min(5, last)) * cols;
                    int ao = s * as;
                    if (np == PANELS && F == 16) {
                        tile6x4(q, w0, w1, w2, w3, w4, w5, xp, p0 * ps, ps, k0, k1, tmp);
                        flush(tmp, PANELS, last, acc, ao);
                    } else if (np == PANELS) { // 8 lanes, 16 registers: three 2 x 4 tiles (see tile2x4)
                        tile2x4(q, w0, w1, blockPanels, k0, k1, tmp, 0);
                        tile2x4(q, w2, w3, blockPanels, k0, k1, tmp, 8 * F);
                        tile2x4(q, w4, w5, blockPanels, k0, k1, tmp, 16 * F);
                        flush(tmp, PANELS, last, acc, ao);
                    } else {
                        for (int pi = 0; pi < np; pi++) {
                            tile6x1(q, w0, w1, w2, w3, w4, w5, xp, (p0 + pi) * ps, k0, k1, tmp);
                            flush(tmp, 1, last, acc, ao + pi * F);
                        }
                    }
                }
            }
            toOutput(acc, as, n, p0 * F, Math.min(prompts, (p0 + np) * F), false, a, out, o, stride);
        }
    }

    /**
     * {@code out[o + s + promptRow(j) * stride] = acc[s * as + c]} for the weight rows {@code [0, n)} and the prompt
     * rows {@code [j0, j1)} of a panel group ({@code j0} its first row), where {@code c = j - j0} in this class's
     * panels and, with {@code evenOdd} ({@link PromptTilesInt16}'s panels of 32 rows, even rows in lanes 0-15, odd
     * ones in 16-31), {@code c = i - i % 32 + PromptTilesInt16.lane(i)} for {@code i = j - j0}. {@value #OUTPUT_ROWS}
     * weight rows at a time, so that each output row gets a cache line's worth at once. Row by row it wrote one float
     * to each of up to 128 output rows; those lie a multiple of 4 KiB apart at every pythia width, i.e. in the same
     * few L1 sets, and lost their line before the next float: the prompt matmul at 3072 x 1024 took 7.6-7.9 ms
     * instead of 4.8-5.3 (BENCHMARKS.md, session 17). The column is computed here, not by a function passed in: a
     * call per prompt row that C2 did not inline held 4.5 % of a 410m prompt's samples (session 19).
     */
    static void toOutput(float[] acc, int as, int n, int j0, int j1, boolean evenOdd, Activations a, float[] out,
                         int o, int stride) {
        for (int s0 = 0; s0 < n; s0 += OUTPUT_ROWS) {
            int s1 = Math.min(n, s0 + OUTPUT_ROWS);
            for (int j = j0; j < j1; j++) {
                int i = j - j0;
                int src = evenOdd ? i - i % PromptTilesInt16.LANES + PromptTilesInt16.lane(i) : i;
                int dst = o + a.promptRow(j) * stride;
                for (int s = s0; s < s1; s++) {
                    out[dst + s] = acc[s * as + src];
                }
            }
        }
    }

    /**
     * Six weight rows (offsets {@code w0..w5} in {@code q}) times the four panels from {@code x0} (panel stride
     * {@code xs}) over columns {@code [k0, k1)}, each chain from {@code +0.0}, to {@code tmp[(4i + p) * F]} (row
     * {@code i}, panel {@code p}).
     */
    private static void tile6x4(float[] q, int w0, int w1, int w2, int w3, int w4, int w5, float[] xp, int x0,
                                int xs, int k0, int k1, float[] tmp) {
        FloatVector z = FloatVector.zero(FS);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c43 = z, c50 = z, c51 = z, c52 = z, c53 = z;
        for (int k = k0; k < k1; k++) {
            int xo = x0 + k * F;
            FloatVector y0 = ld(xp, xo);
            FloatVector y1 = ld(xp, xo + xs);
            FloatVector y2 = ld(xp, xo + 2 * xs);
            FloatVector y3 = ld(xp, xo + 3 * xs);
            FloatVector w = bc(q[w0 + k]);
            c00 = w.fma(y0, c00);
            c01 = w.fma(y1, c01);
            c02 = w.fma(y2, c02);
            c03 = w.fma(y3, c03);
            w = bc(q[w1 + k]);
            c10 = w.fma(y0, c10);
            c11 = w.fma(y1, c11);
            c12 = w.fma(y2, c12);
            c13 = w.fma(y3, c13);
            w = bc(q[w2 + k]);
            c20 = w.fma(y0, c20);
            c21 = w.fma(y1, c21);
            c22 = w.fma(y2, c22);
            c23 = w.fma(y3, c23);
            w = bc(q[w3 + k]);
            c30 = w.fma(y0, c30);
            c31 = w.fma(y1, c31);
            c32 = w.fma(y2, c32);
            c33 = w.fma(y3, c33);
            w = bc(q[w4 + k]);
            c40 = w.fma(y0, c40);
            c41 = w.fma(y1, c41);
            c42 = w.fma(y2, c42);
            c43 = w.fma(y3, c43);
            w = bc(q[w5 + k]);
            c50 = w.fma(y0, c50);
            c51 = w.fma(y1, c51);
            c52 = w.fma(y2, c52);
            c53 = w.fma(y3, c53);
        }
        c00.intoArray(tmp, 0);
        c01.intoArray(tmp, F);
        c02.intoArray(tmp, 2 * F);
        c03.intoArray(tmp, 3 * F);
        c10.intoArray(tmp, 4 * F);
        c11.intoArray(tmp, 5 * F);
        c12.intoArray(tmp, 6 * F);
        c13.intoArray(tmp, 7 * F);
        c20.intoArray(tmp, 8 * F);
        c21.intoArray(tmp, 9 * F);
        c22.intoArray(tmp, 10 * F);
        c23.intoArray(tmp, 11 * F);
        c30.intoArray(tmp, 12 * F);
        c31.intoArray(tmp, 13 * F);
        c32.intoArray(tmp, 14 * F);
        c33.intoArray(tmp, 15 * F);
        c40.intoArray(tmp, 16 * F);
        c41.intoArray(tmp, 17 * F);
        c42.intoArray(tmp, 18 * F);
        c43.intoArray(tmp, 19 * F);
        c50.intoArray(tmp, 20 * F);
        c51.intoArray(tmp, 21 * F);
        c52.intoArray(tmp, 22 * F);
        c53.intoArray(tmp, 23 * F);
    }

    /**
     * {@link #tile6x4} for two weight rows ({@code wa}, {@code wb}) and the four panels' column block {@code bp}
     * (copied side by side), to {@code tmp[to + (4i + p) * F]}: the tile for 8 float lanes. AVX2 has 16 vector
     * registers and C2 loads a tile's panels and broadcasts before its FMAs, so a tile needs
     * {@code rows * panels + rows + panels} registers: 2 x 4 takes 14, while 6 x 2 (20) kept 4 of its accumulators
     * on the stack and 6 x 4 (34) most of them. Its own method, like every tile shape: C2 keeps a tile's
     * accumulators in registers only within one small kernel (see the package comment).
     */
    private static void tile2x4(float[] q, int wa, int wb, float[] bp, int k0, int k1, float[] tmp, int to) {
        FloatVector z = FloatVector.zero(FS);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        for (int k = k0; k < k1; k++) {
            int xo = (k - k0) * PANELS * F;
            FloatVector y0 = ld(bp, xo);
            FloatVector y1 = ld(bp, xo + F);
            FloatVector y2 = ld(bp, xo + 2 * F);
            FloatVector y3 = ld(bp, xo + 3 * F);
            FloatVector w = bc(q[wa + k]);
            c00 = w.fma(y0, c00);
            c01 = w.fma(y1, c01);
            c02 = w.fma(y2, c02);
            c03 = w.fma(y3, c03);
            w = bc(q[wb + k]);
            c10 = w.fma(y0, c10);
            c11 = w.fma(y1, c11);
            c12 = w.fma(y2, c12);
            c13 = w.fma(y3, c13);
        }
        c00.intoArray(tmp, to);
        c01.intoArray(tmp, to + F);
        c02.intoArray(tmp, to + 2 * F);
        c03.intoArray(tmp, to + 3 * F);
        c10.intoArray(tmp, to + 4 * F);
        c11.intoArray(tmp, to + 5 * F);
        c12.intoArray(tmp, to + 6 * F);
        c13.intoArray(tmp, to + 7 * F);
    }

    /** {@link #tile6x4} for one panel from {@code x0}, to {@code tmp[i * F]}. */
    private static void tile6x1(float[] q, int w0, int w1, int w2, int w3, int w4, int w5, float[] xp, int x0,
                                int k0, int k1, float[] tmp) {
        FloatVector z = FloatVector.zero(FS);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z;
        for (int k = k0; k < k1; k++) {
            FloatVector y = ld(xp, x0 + k * F);
            c0 = bc(q[w0 + k]).fma(y, c0);
            c1 = bc(q[w1 + k]).fma(y, c1);
            c2 = bc(q[w2 + k]).fma(y, c2);
            c3 = bc(q[w3 + k]).fma(y, c3);
            c4 = bc(q[w4 + k]).fma(y, c4);
            c5 = bc(q[w5 + k]).fma(y, c5);
        }
        c0.intoArray(tmp, 0);
        c1.intoArray(tmp, F);
        c2.intoArray(tmp, 2 * F);
        c3.intoArray(tmp, 3 * F);
        c4.intoArray(tmp, 4 * F);
        c5.intoArray(tmp, 5 * F);
    }

    /**
     * Adds the column block's chains in {@code tmp} (row {@code i}, panel {@code p} at {@code (np * i + p) * F})
     * to the accumulators of rows {@code 0..last} at {@code acc[ao + i * PANELS * F + p * F]}.
     */
    private static void flush(float[] tmp, int np, int last, float[] acc, int ao) {
        for (int i = 0; i <= last; i++) {
            for (int p = 0; p < np; p++) {
                int ac = ao + i * PANELS * F + p * F;
                ld(acc, ac).add(ld(tmp, (np * i + p) * F)).intoArray(acc, ac);
            }
        }
    }

    /**
     * The scalar twin of one result: {@code sum_k q[w + k] * xp[x + k * F]} over {@code cols} columns, one FMA
     * chain per column block, the blocks' sums added in order ({@code x}: the panel's first float plus the prompt
     * row's lane).
     */
    static float scalarDot(float[] q, int w, float[] xp, int x, int cols) {
        float c = 0f;
        for (int k0 = 0; k0 < cols; k0 += KC) {
            float p = 0f;
            for (int k = k0; k < Math.min(cols, k0 + KC); k++) {
                p = Math.fma(q[w + k], xp[x + k * F], p);
            }
            c += p;
        }
        return c;
    }
}
