package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;

import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.ActivationQuantizer;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.FloatFormats;
import dev.neox4j.engine.tensor.PromptPanels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.util.Objects;

/**
 * Vector API version of {@link ActivationQuantizer} for the 8-bit formats, producing exactly the same
 * {@link Activations} (checked by the tests): maxima and integer sums are exact in any order, the products are the
 * same single float multiplications, and round-half-even is done with the exact {@code (t + 1.5 * 2^23) - 1.5 * 2^23}
 * identity (valid because {@code |t| <= 128}). The float formats use the scalar code. One difference: with prompt
 * rows marked, the short copies for the direct kernels ({@link Activations#shortValues()}) are filled for the other
 * rows only (all rows for Q8_1), as no kernel reads a prompt row's; the prompt rows' panels for the prompt tiles
 * ({@link Activations#promptPanels()}) are filled by the first matmul that needs them ({@link #preparePanels}).
 */
final class VectorActivationQuantizer {

    /**
     * {@code t.add(MAGIC).sub(MAGIC)} rounds every lane half to even ({@code |t| <= 2^22}). Written out at each use,
     * like every vector operation of these row loops: a helper taking or returning a vector ({@code VectorShapes.ld},
     * a rounding helper) that C2 did not inline into {@code q8Row} boxed the vectors in about a third of JVMs on an
     * AVX-512 machine (36,864 bytes per 4-sequence decode step, float[] from FloatVector.lanewiseTemplate;
     * BENCHMARKS.md, session 14).
     */
    private static final float MAGIC = 12582912f; // 1.5 * 2^23

    /** {@link PromptPanels#built()} bit of the float panels ({@link #dequantizePromptRows}). */
    static final int FLOAT_PANELS = 1;
    /** {@link PromptPanels#built()} bit of the 16-bit panels ({@link #quantPanels}). */
    static final int QUANT_PANELS = 2;

    private VectorActivationQuantizer() {
    }

    static void quantize(float[] x, int xOffset, int rows, int cols, ActivationFormat format, Activations dst) {
        if (format.blockElems == 1) {
            ActivationQuantizer.quantize(x, xOffset, rows, cols, format, dst);
            return;
        }
        dst.reset(format, rows, cols);
        Objects.checkFromIndexSize(xOffset, Math.multiplyExact(rows, cols), x.length);
        for (int r = 0; r < rows; r++) {
            if (format == ActivationFormat.Q8_K) {
                q8KRow(x, xOffset + r * cols, cols, dst, r);
            } else {
                q8Row(x, xOffset + r * cols, cols, format == ActivationFormat.Q8_1, dst, r);
            }
        }
        if (dst.promptRowCount() == 0 || format == ActivationFormat.Q8_1) {
            // only the direct kernels read them; Q4_1/Q5_1 (Q8_1) ignore the marks
            dst.fillShortValues();
        } else {
            // beside prompt rows the direct kernels read only the generated rows (VectorKernels#matmul, Q4_0)
            dst.fillGeneratedShortValues();
        }
        dst.promptPanels().built(0);
    }

    /**
     * Fills the prompt panels of {@code a} a matmul reads ({@link #FLOAT_PANELS} or {@link #QUANT_PANELS}) unless
     * they are filled already: the first worker thread of a matmul fills them, the others wait for it.
     */
    static void preparePanels(Activations a, int bits) {
        PromptPanels pp = a.promptPanels();
        synchronized (pp) {
            int missing = bits & ~pp.built();
            if ((missing & FLOAT_PANELS) != 0) {
                dequantizePromptRows(a);
            }
            if ((missing & QUANT_PANELS) != 0) {
                quantPanels(a);
            }
            pp.built(pp.built() | bits);
        }
    }

    /**
     * Fills {@link Activations#promptPanels()} with the marked prompt rows, each quant times its block scale, in
     * the transposed panels {@link PromptTiles} reads: prompt row {@code j}'s element {@code k} at
     * {@code ((j / F) * cols + k) * F + j % F}; the lanes of the last panel past the prompt rows are zero.
     */
    private static void dequantizePromptRows(Activations src) {
        int cols = src.cols();
        int be = src.format().blockElems;
        int prompts = src.promptRowCount();
        int panels = (prompts + F - 1) / F;
        float[] v = src.values();
        float[] sc = src.scales();
        float[] out = src.promptPanels().values(panels * F * cols);
        for (int p = 0; p < panels; p++) {
            for (int k0 = 0; k0 < cols; k0 += be) { // one block of F rows at a time: its panel part stays in L1
                for (int i = 0; i < F; i++) {
                    int j = p * F + i;
                    int po = p * cols * F + i;
                    float d = j < prompts ? sc[src.scalesOffset(src.promptRow(j)) + k0 / be] : 0f;
                    int vo = j < prompts ? src.valuesOffset(src.promptRow(j)) : 0;
                    for (int k = k0; k < k0 + be; k++) {
                        out[po + k * F] = j < prompts ? v[vo + k] * d : 0f;
                    }
                }
            }
        }
    }

    /**
     * Fills {@link PromptPanels#quants()} and {@link PromptPanels#scales()} of {@link Activations#promptPanels()}
     * with the marked prompt rows' quants and block scales in the panels {@link PromptTilesInt16} reads: prompt row
     * {@code j}'s quant {@code k} at {@code ((j / 32) * cols + k) * 32 + j % 32}, its block {@code blk}'s scale at
     * {@code ((j / 32) * blocks + blk) * 32 + PromptTilesInt16.lane(j)}; the rows of the last panel past the
     * prompt rows are zero.
     */
    private static void quantPanels(Activations src) {
        int cols = src.cols();
        int nb = cols / 32;
        int prompts = src.promptRowCount();
        int lanes = PromptTilesInt16.LANES;
        int panels = (prompts + lanes - 1) / lanes;
        float[] v = src.values();
        float[] sc = src.scales();
        PromptPanels pp = src.promptPanels();
        short[] q = pp.quants(panels * lanes * cols);
        float[] s = pp.scales(panels * lanes * nb);
        for (int p = 0; p < panels; p++) {
            for (int k0 = 0; k0 < cols; k0 += 64) { // 64 columns of 32 rows at a time: their panel part stays in L1
                int k1 = Math.min(cols, k0 + 64);
                for (int i = 0; i < lanes; i++) {
                    int j = p * lanes + i;
                    boolean pad = j >= prompts;
                    int vo = pad ? 0 : src.valuesOffset(src.promptRow(j));
                    int qo = p * cols * lanes + i;
                    for (int k = k0; k < k1; k++) {
                        q[qo + k * lanes] = pad ? 0 : (short) v[vo + k];
                    }
                }
            }
            for (int i = 0; i < lanes; i++) {
                int j = p * lanes + i;
                boolean pad = j >= prompts;
                int ro = pad ? 0 : src.scalesOffset(src.promptRow(j));
                int so = p * nb * lanes + PromptTilesInt16.lane(j);
                for (int b = 0; b < nb; b++) {
                    s[so + b * lanes] = pad ? 0f : sc[ro + b];
                }
            }
        }
    }

    private static void q8Row(float[] x, int xo, int n, boolean withSum, Activations dst, int row) {
        float[] v = dst.values();
        float[] sc = dst.scales();
        float[] sums = dst.sums();
        int vo = dst.valuesOffset(row);
        int so = dst.scalesOffset(row);
        int ss = withSum ? dst.sumsOffset(row) : 0;
        for (int b = 0; b < n / 32; b++) {
            int e = xo + 32 * b;
            FloatVector m = FloatVector.zero(FS);
            for (int j = 0; j < 32; j += F) {
                m = m.max(FloatVector.fromArray(FS, x, e + j).abs());
            }
            float amax = m.reduceLanes(VectorOperators.MAX);
            float d = amax / 127f;
            float id = amax != 0f ? 127f / amax : 0f;
            float dr = FloatFormats.roundToF16(d);
            sc[so + b] = dr;
            FloatVector qsum = FloatVector.zero(FS);
            for (int j = 0; j < 32; j += F) {
                FloatVector q = FloatVector.fromArray(FS, x, e + j).mul(id).add(MAGIC).sub(MAGIC);
                q.intoArray(v, vo + 32 * b + j);
                qsum = qsum.add(q);
            }
            if (withSum) {
                sums[ss + b] = FloatFormats.roundToF16(d * qsum.reduceLanes(VectorOperators.ADD));
            }
        }
    }

    private static void q8KRow(float[] x, int xo, int n, Activations dst, int row) {
        float[] v = dst.values();
        float[] sc = dst.scales();
        float[] bs = dst.sums();
        float[] ps = dst.pairSums();
        int vo = dst.valuesOffset(row);
        int so = dst.scalesOffset(row);
        int bo = dst.sumsOffset(row);
        int po = dst.pairSumsOffset(row);
        for (int b = 0; b < n / 256; b++) {
            int e = xo + 256 * b;
            FloatVector m = FloatVector.zero(FS);
            for (int j = 0; j < 256; j += F) {
                m = m.max(FloatVector.fromArray(FS, x, e + j).abs());
            }
            float amax = m.reduceLanes(VectorOperators.MAX);
            int out = vo + 256 * b;
            if (amax == 0f) {
                for (int j = 0; j < 256; j++) {
                    v[out + j] = 0f;
                }
                for (int k = 0; k < 16; k++) {
                    bs[bo + 16 * b + k] = 0f;
                }
                for (int k = 0; k < 8; k++) {
                    ps[po + 8 * b + k] = 0f;
                }
                sc[so + b] = 0f;
                continue;
            }
            float max = 0f;
            for (int j = 0; j < 256; j += F) { // the first element of largest magnitude, with its sign
                VectorMask<Float> hit = FloatVector.fromArray(FS, x, e + j).abs().compare(VectorOperators.EQ, amax);
                if (hit.anyTrue()) {
                    max = x[e + j + hit.firstTrue()];
                    break;
                }
            }
            float iscale = -127f / max;
            float d = 1f / iscale;
            sc[so + b] = d;
            for (int j = 0; j < 256; j += F) {
                FloatVector q = FloatVector.fromArray(FS, x, e + j).mul(iscale).add(MAGIC).sub(MAGIC).min(127f);
                q.intoArray(v, out + j);
            }
            for (int k = 0; k < 16; k++) {
                float s = 0f;
                for (int j = 0; j < 16; j += Math.min(F, 16)) {
                    s += FloatVector.fromArray(FS, v, out + 16 * k + j).reduceLanes(VectorOperators.ADD);
                }
                bs[bo + 16 * b + k] = s;
            }
            for (int k = 0; k < 8; k++) {
                ps[po + 8 * b + k] = bs[bo + 16 * b + 2 * k] + bs[bo + 16 * b + 2 * k + 1];
            }
        }
    }
}
