package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;

import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.ActivationQuantizer;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.FloatFormats;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.util.Objects;

/**
 * Vector API version of {@link ActivationQuantizer} for the 8-bit formats, producing exactly the same
 * {@link Activations} (checked by the tests): maxima and integer sums are exact in any order, the products are the
 * same single float multiplications, and round-half-even is done with the exact {@code (t + 1.5 * 2^23) - 1.5 * 2^23}
 * identity (valid because {@code |t| <= 128}). The float formats use the scalar code.
 */
final class VectorActivationQuantizer {

    private static final float MAGIC = 12582912f; // 1.5 * 2^23

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
        dst.fillShortValues();
        if (dst.promptRowCount() > 0) {
            dequantizePromptRows(dst);
        }
    }

    /** Fills {@link Activations#dequantized()} for the marked prompt rows: each quant times its block scale. */
    private static void dequantizePromptRows(Activations src) {
        int rows = src.rows();
        int cols = src.cols();
        int be = src.format().blockElems;
        Activations dst = src.dequantized();
        dst.reset(ActivationFormat.F32, rows, cols);
        float[] v = src.values();
        float[] sc = src.scales();
        float[] out = dst.values();
        for (int k = 0; k < src.promptRowCount(); k++) {
            int r = src.promptRow(k);
            int vo = src.valuesOffset(r);
            int so = src.scalesOffset(r);
            for (int b = 0; b < cols / be; b++) {
                FloatVector d = FloatVector.broadcast(FS, sc[so + b]);
                for (int j = 0; j < be; j += F) {
                    ld(v, vo + b * be + j).mul(d).intoArray(out, vo + b * be + j);
                }
            }
        }
    }

    /** Round half to even of every lane ({@code |t| <= 2^22}). */
    private static FloatVector rint(FloatVector t) {
        return t.add(MAGIC).sub(MAGIC);
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
                m = m.max(ld(x, e + j).abs());
            }
            float amax = m.reduceLanes(VectorOperators.MAX);
            float d = amax / 127f;
            float id = amax != 0f ? 127f / amax : 0f;
            float dr = FloatFormats.roundToF16(d);
            sc[so + b] = dr;
            FloatVector qsum = FloatVector.zero(FS);
            for (int j = 0; j < 32; j += F) {
                FloatVector q = rint(ld(x, e + j).mul(id));
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
                m = m.max(ld(x, e + j).abs());
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
                VectorMask<Float> hit = ld(x, e + j).abs().compare(VectorOperators.EQ, amax);
                if (hit.anyTrue()) {
                    max = x[e + j + hit.firstTrue()];
                    break;
                }
            }
            float iscale = -127f / max;
            float d = 1f / iscale;
            sc[so + b] = d;
            for (int j = 0; j < 256; j += F) {
                FloatVector q = rint(ld(x, e + j).mul(iscale)).min(127f);
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
