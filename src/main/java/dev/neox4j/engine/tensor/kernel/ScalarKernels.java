package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_FLOAT;
import static dev.neox4j.engine.tensor.QuantMath.LE_INT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;

import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.ActivationQuantizer;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.FloatFormats;
import dev.neox4j.engine.tensor.Q2_KCodec;
import dev.neox4j.engine.tensor.Q3_KCodec;
import dev.neox4j.engine.tensor.Q4_0Codec;
import dev.neox4j.engine.tensor.Q4_0Pairs;
import dev.neox4j.engine.tensor.Q4_1Codec;
import dev.neox4j.engine.tensor.Q4_KCodec;
import dev.neox4j.engine.tensor.Q5_0Codec;
import dev.neox4j.engine.tensor.Q5_1Codec;
import dev.neox4j.engine.tensor.Q5_KCodec;
import dev.neox4j.engine.tensor.Q6_KCodec;
import dev.neox4j.engine.tensor.Q8_0Codec;
import dev.neox4j.engine.tensor.WeightMatrix;

import java.lang.foreign.MemorySegment;

/**
 * The scalar reference kernels: one dot product per (weight type, activation format) pair with llama.cpp's
 * semantics (docs/quantization.md, "Dot products"). Block sums are exact integers; blocks are accumulated in float in
 * element order (F32/F16/BF16 accumulate in double, as ggml's scalar code does). Slow; the reference for
 * {@link VectorKernels}.
 */
public final class ScalarKernels implements MatmulKernels {

    /** Creates the scalar kernels. */
    public ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public AttentionDots newAttentionDots() {
        return new ScalarAttentionDots(16);
    }

    @Override
    public Activations newActivations() {
        return new Activations();
    }

    @Override
    public void quantize(float[] x, int xOffset, int rows, int cols, ActivationFormat format, Activations dst) {
        ActivationQuantizer.quantize(x, xOffset, rows, cols, format, dst);
    }

    @Override
    public void matmul(WeightMatrix w, Activations a, int rowStart, int rowEnd, float[] out, int outOffset,
                       int outStride) {
        KernelChecks.check(w, a, rowStart, rowEnd, out, outOffset, outStride);
        for (int r = rowStart; r < rowEnd; r++) {
            for (int b = 0; b < a.rows(); b++) {
                out[outOffset + b * outStride + r] = dot(w, r, a, b);
            }
        }
    }

    /** Dot product of weight row {@code r} with activation row {@code b}. */
    public static float dot(WeightMatrix w, int r, Activations a, int b) {
        return KernelTable.of(w.type()).scalar().dot(w, w.rowOffset(r), a, b, w.cols());
    }

    static float dotF32(MemorySegment s, long o, Activations a, int b, int n) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += s.get(LE_FLOAT, o + 4L * i) * y[yo + i];
        }
        return (float) sum;
    }

    static float dotF16(MemorySegment s, long o, Activations a, int b, int n) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Float.float16ToFloat(s.get(LE_SHORT, o + 2L * i)) * y[yo + i];
        }
        return (float) sum;
    }

    static float dotBF16(MemorySegment s, long o, Activations a, int b, int n) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += FloatFormats.bf16ToF32(s.get(LE_SHORT, o + 2L * i)) * y[yo + i];
        }
        return (float) sum;
    }

    /** Q4_0 in the GGUF layout or, with {@code pairs}, the {@link Q4_0Pairs} layout (same arithmetic). */
    static float dotQ4_0(MemorySegment s, long o, Activations a, int b, int n, boolean pairs) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        int nb = n / 32;
        float sum = 0f;
        for (int blk = 0; blk < nb; blk++, yo += 32) {
            long bo = o + (long) blk * Q4_0Codec.BLOCK_BYTES;
            float dx = Float.float16ToFloat(s.get(LE_SHORT, pairs ? o + Q4_0Pairs.scale(nb, blk) : bo + Q4_0Codec.D));
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int v = s.get(BYTE, pairs ? o + Q4_0Pairs.quantByte(nb, blk, j) : bo + Q4_0Codec.QS + j) & 0xFF;
                sumi += ((v & 0x0F) - 8) * (int) y[yo + j] + ((v >>> 4) - 8) * (int) y[yo + j + 16];
            }
            sum += sumi * dx * dy[so + blk];
        }
        return sum;
    }

    static float dotQ4_1(MemorySegment s, long o, Activations a, int b, int n) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float[] sy = a.sums();
        int sso = a.sumsOffset(b);
        float sum = 0f;
        for (int blk = 0; blk < n / 32; blk++, o += Q4_1Codec.BLOCK_BYTES, yo += 32) {
            float dx = Float.float16ToFloat(s.get(LE_SHORT, o + Q4_1Codec.D));
            float mx = Float.float16ToFloat(s.get(LE_SHORT, o + Q4_1Codec.M));
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int v = s.get(BYTE, o + Q4_1Codec.QS + j) & 0xFF;
                sumi += (v & 0x0F) * (int) y[yo + j] + (v >>> 4) * (int) y[yo + j + 16];
            }
            sum += (dx * dy[so + blk]) * sumi + mx * sy[sso + blk];
        }
        return sum;
    }

    static float dotQ5_0(MemorySegment s, long o, Activations a, int b, int n) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float sum = 0f;
        for (int blk = 0; blk < n / 32; blk++, o += Q5_0Codec.BLOCK_BYTES, yo += 32) {
            float dx = Float.float16ToFloat(s.get(LE_SHORT, o + Q5_0Codec.D));
            int qh = s.get(LE_INT, o + Q5_0Codec.QH);
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int v = s.get(BYTE, o + Q5_0Codec.QS + j) & 0xFF;
                int q0 = ((v & 0x0F) | (((qh >>> j) & 1) << 4)) - 16;
                int q1 = ((v >>> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16;
                sumi += q0 * (int) y[yo + j] + q1 * (int) y[yo + j + 16];
            }
            sum += sumi * dx * dy[so + blk];
        }
        return sum;
    }

    static float dotQ5_1(MemorySegment s, long o, Activations a, int b, int n) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float[] sy = a.sums();
        int sso = a.sumsOffset(b);
        float sum = 0f;
        for (int blk = 0; blk < n / 32; blk++, o += Q5_1Codec.BLOCK_BYTES, yo += 32) {
            float dx = Float.float16ToFloat(s.get(LE_SHORT, o + Q5_1Codec.D));
            float mx = Float.float16ToFloat(s.get(LE_SHORT, o + Q5_1Codec.M));
            int qh = s.get(LE_INT, o + Q5_1Codec.QH);
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int v = s.get(BYTE, o + Q5_1Codec.QS + j) & 0xFF;
                int q0 = (v & 0x0F) | (((qh >>> j) & 1) << 4);
                int q1 = (v >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
                sumi += q0 * (int) y[yo + j] + q1 * (int) y[yo + j + 16];
            }
            sum += (dx * dy[so + blk]) * sumi + mx * sy[sso + blk];
        }
        return sum;
    }

    static float dotQ8_0(MemorySegment s, long o, Activations a, int b, int n) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float sum = 0f;
        for (int blk = 0; blk < n / 32; blk++, o += Q8_0Codec.BLOCK_BYTES, yo += 32) {
            float dx = Float.float16ToFloat(s.get(LE_SHORT, o + Q8_0Codec.D));
            int sumi = 0;
            for (int j = 0; j < 32; j++) {
                sumi += s.get(BYTE, o + Q8_0Codec.QS + j) * (int) y[yo + j];
            }
            sum += sumi * dx * dy[so + blk];
        }
        return sum;
    }

    static float dotQ2_K(MemorySegment s, long o, Activations a, int b, int n) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float[] bs = a.sums();
        int bo = a.sumsOffset(b);
        float sum = 0f;
        for (int blk = 0; blk < n / 256; blk++, o += Q2_KCodec.BLOCK_BYTES, yo += 256, bo += 16) {
            float d = Float.float16ToFloat(s.get(LE_SHORT, o + Q2_KCodec.D));
            float dmin = Float.float16ToFloat(s.get(LE_SHORT, o + Q2_KCodec.DMIN));
            int isum = 0;
            int summs = 0;
            for (int k = 0; k < 16; k++) {
                int sc = s.get(BYTE, o + Q2_KCodec.SCALES + k) & 0xFF;
                int sub = 0;
                for (int i = 0; i < 16; i++) {
                    int e = 16 * k + i;
                    int q = ((s.get(BYTE, o + Q2_KCodec.QS + 32 * (e / 128) + e % 32) & 0xFF)
                            >>> (2 * ((e % 128) / 32))) & 3;
                    sub += q * (int) y[yo + e];
                }
                isum += (sc & 0xF) * sub;
                summs += (int) bs[bo + k] * (sc >>> 4);
            }
            float dyb = dy[so + blk];
            sum += (dyb * d) * isum - (dyb * dmin) * summs;
        }
        return sum;
    }

    static float dotQ3_K(MemorySegment s, long o, Activations a, int b, int n) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float sum = 0f;
        for (int blk = 0; blk < n / 256; blk++, o += Q3_KCodec.BLOCK_BYTES, yo += 256) {
            float d = Float.float16ToFloat(s.get(LE_SHORT, o + Q3_KCodec.D));
            int isum = 0;
            for (int k = 0; k < 16; k++) {
                int sc = Q3_KCodec.scale(s, o + Q3_KCodec.SCALES, k);
                int sub = 0;
                for (int i = 0; i < 16; i++) {
                    int e = 16 * k + i;
                    int low2 = ((s.get(BYTE, o + Q3_KCodec.QS + 32 * (e / 128) + e % 32) & 0xFF)
                            >>> (2 * ((e % 128) / 32))) & 3;
                    int hbit = ((s.get(BYTE, o + Q3_KCodec.HMASK + e % 32) & 0xFF) >>> (e / 32)) & 1;
                    sub += (low2 - (hbit != 0 ? 0 : 4)) * (int) y[yo + e];
                }
                isum += sc * sub;
            }
            sum += (d * dy[so + blk]) * isum;
        }
        return sum;
    }

    static float dotQ4_K(MemorySegment s, long o, Activations a, int b, int n) {
        return dotQ45_K(s, o, a, b, n, false);
    }

    static float dotQ5_K(MemorySegment s, long o, Activations a, int b, int n) {
        return dotQ45_K(s, o, a, b, n, true);
    }

    private static float dotQ45_K(MemorySegment s, long o, Activations a, int b, int n, boolean five) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float[] bs = a.sums();
        int bo = a.sumsOffset(b);
        int blockBytes = five ? Q5_KCodec.BLOCK_BYTES : Q4_KCodec.BLOCK_BYTES;
        int qsOff = five ? Q5_KCodec.QS : Q4_KCodec.QS;
        float sum = 0f;
        for (int blk = 0; blk < n / 256; blk++, o += blockBytes, yo += 256, bo += 16) {
            float d = Float.float16ToFloat(s.get(LE_SHORT, o + Q4_KCodec.D));
            float dmin = Float.float16ToFloat(s.get(LE_SHORT, o + Q4_KCodec.DMIN));
            int isum = 0;
            int summs = 0;
            for (int k = 0; k < 8; k++) {
                int sc = Q4_KCodec.scale(s, o + Q4_KCodec.SCALES, k);
                int m = Q4_KCodec.min(s, o + Q4_KCodec.SCALES, k);
                int sub = 0;
                for (int l = 0; l < 32; l++) {
                    int v = s.get(BYTE, o + qsOff + 32 * (k / 2) + l) & 0xFF;
                    int q = (k % 2 == 0) ? (v & 0x0F) : (v >>> 4);
                    if (five) {
                        q += 16 * (((s.get(BYTE, o + Q5_KCodec.QH + l) & 0xFF) >>> k) & 1);
                    }
                    sub += q * (int) y[yo + 32 * k + l];
                }
                isum += sc * sub;
                summs += m * ((int) bs[bo + 2 * k] + (int) bs[bo + 2 * k + 1]);
            }
            float dyb = dy[so + blk];
            sum += (d * dyb) * isum - (dmin * dyb) * summs;
        }
        return sum;
    }

    static float dotQ6_K(MemorySegment s, long o, Activations a, int b, int n) {
        float[] y = a.values();
        int yo = a.valuesOffset(b);
        float[] dy = a.scales();
        int so = a.scalesOffset(b);
        float sum = 0f;
        for (int blk = 0; blk < n / 256; blk++, o += Q6_KCodec.BLOCK_BYTES, yo += 256) {
            float d = Float.float16ToFloat(s.get(LE_SHORT, o + Q6_KCodec.D));
            int isum = 0;
            for (int k = 0; k < 16; k++) {
                int sc = s.get(BYTE, o + Q6_KCodec.SCALES + k);
                int sub = 0;
                for (int i = 0; i < 16; i++) {
                    int e = 16 * k + i;
                    sub += Q6_KCodec.quant(s, o, e) * (int) y[yo + e];
                }
                isum += sc * sub;
            }
            sum += (d * dy[so + blk]) * isum;
        }
        return sum;
    }
}
