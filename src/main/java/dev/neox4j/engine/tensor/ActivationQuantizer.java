package dev.neox4j.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Converts f32 activation rows into an {@link ActivationFormat} exactly as llama.cpp's x86 CPU backend does
 * (docs/quantization.md, "Activation formats"): Q8_0 and Q8_1 with {@code id = 127 / amax} and round-half-even, Q8_1's
 * block sum from the unrounded {@code d}, Q8_K with the first-max rule and {@code -127 / max}, F16/BF16 round to
 * nearest even.
 */
public final class ActivationQuantizer {

    private ActivationQuantizer() {
    }

    /**
     * Converts {@code rows} rows of {@code cols} floats, back to back in {@code x} from {@code xOffset}, into
     * {@code dst} (which is reset to that shape and format).
     */
    public static void quantize(float[] x, int xOffset, int rows, int cols, ActivationFormat format, Activations dst) {
        dst.reset(format, rows, cols);
        Objects.checkFromIndexSize(xOffset, Math.multiplyExact(rows, cols), x.length);
        for (int r = 0; r < rows; r++) {
            quantizeRow(x, xOffset + r * cols, cols, format, dst, r);
        }
        dst.fillShortValues();
    }

    /** Converts one row of {@code dst.cols()} floats into row {@code row} of {@code dst}. */
    public static void quantizeRow(float[] x, int xOffset, int n, ActivationFormat format, Activations dst, int row) {
        float[] v = dst.values();
        int vo = dst.valuesOffset(row);
        switch (format) {
            case F32 -> System.arraycopy(x, xOffset, v, vo, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    v[vo + i] = FloatFormats.roundToF16(x[xOffset + i]);
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    v[vo + i] = FloatFormats.roundToBf16(x[xOffset + i]);
                }
            }
            case Q8_0, Q8_1 -> {
                float[] sc = dst.scales();
                int so = dst.scalesOffset(row);
                for (int b = 0; b < n / 32; b++) {
                    float d = q8Block(x, xOffset + 32 * b, v, vo + 32 * b);
                    sc[so + b] = FloatFormats.roundToF16(d);
                    if (format == ActivationFormat.Q8_1) {
                        dst.sums()[dst.sumsOffset(row) + b] = FloatFormats.roundToF16(d * blockSum(v, vo + 32 * b, 32));
                    }
                }
            }
            case Q8_K -> {
                float[] sc = dst.scales();
                int so = dst.scalesOffset(row);
                float[] bs = dst.sums();
                int bo = dst.sumsOffset(row);
                for (int b = 0; b < n / 256; b++) {
                    sc[so + b] = q8KBlock(x, xOffset + 256 * b, v, vo + 256 * b);
                    for (int k = 0; k < 16; k++) {
                        bs[bo + 16 * b + k] = blockSum(v, vo + 256 * b + 16 * k, 16);
                    }
                    for (int k = 0; k < 8; k++) {
                        dst.pairSums()[dst.pairSumsOffset(row) + 8 * b + k] = bs[bo + 16 * b + 2 * k] + bs[bo + 16 * b + 2 * k + 1];
                    }
                }
            }
        }
    }

    /** Integer sum of {@code n} quant values held as floats (exact). */
    private static int blockSum(float[] q, int off, int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            s += (int) q[off + i];
        }
        return s;
    }

    /** One Q8_0 block (x86 rounding): writes 32 quants, returns the unrounded f32 {@code d = amax / 127}. */
    static float q8Block(float[] x, int xo, float[] q, int qo) {
        float amax = 0f;
        for (int i = 0; i < 32; i++) {
            amax = Math.max(amax, Math.abs(x[xo + i]));
        }
        float d = amax / 127f;
        float id = amax != 0f ? 127f / amax : 0f;
        for (int i = 0; i < 32; i++) {
            q[qo + i] = (int) Math.rint(x[xo + i] * id); // through int: a quant is never -0.0
        }
        return d;
    }

    /** One Q8_K block: writes 256 quants, returns the f32 {@code d}. */
    static float q8KBlock(float[] x, int xo, float[] q, int qo) {
        float amax = 0f;
        float max = 0f;
        for (int i = 0; i < 256; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax == 0f) {
            for (int i = 0; i < 256; i++) {
                q[qo + i] = 0f;
            }
            return 0f;
        }
        float iscale = -127f / max;
        for (int i = 0; i < 256; i++) {
            q[qo + i] = Math.min(127, QuantMath.nearestInt(iscale * x[xo + i]));
        }
        return 1f / iscale;
    }

    /**
     * The activation block bytes llama.cpp would produce for {@code n} floats ({@code block_q8_0}, {@code block_q8_1},
     * {@code block_q8_K}, or little-endian f32/f16/bf16 values), for tests and interchange.
     */
    public static byte[] toGgmlBytes(ActivationFormat format, float[] x, int xOffset, int n) {
        if (n % format.blockElems != 0) {
            throw new IllegalArgumentException(n + " is not a multiple of the " + format + " block size");
        }
        float[] q = new float[n];
        return switch (format) {
            case F32 -> {
                byte[] out = new byte[4 * n];
                F32Codec.INSTANCE.quantize(x, xOffset, n, MemorySegment.ofArray(out), 0);
                yield out;
            }
            case F16 -> {
                byte[] out = new byte[2 * n];
                F16Codec.INSTANCE.quantize(x, xOffset, n, MemorySegment.ofArray(out), 0);
                yield out;
            }
            case BF16 -> {
                byte[] out = new byte[2 * n];
                BF16Codec.INSTANCE.quantize(x, xOffset, n, MemorySegment.ofArray(out), 0);
                yield out;
            }
            case Q8_0, Q8_1 -> {
                int bb = format == ActivationFormat.Q8_0 ? 34 : 36;
                int qs = format == ActivationFormat.Q8_0 ? 2 : 4;
                byte[] out = new byte[n / 32 * bb];
                MemorySegment seg = MemorySegment.ofArray(out);
                for (int b = 0; b < n / 32; b++) {
                    float d = q8Block(x, xOffset + 32 * b, q, 32 * b);
                    seg.set(QuantMath.LE_SHORT, (long) b * bb, FloatFormats.f32ToF16(d));
                    if (format == ActivationFormat.Q8_1) {
                        seg.set(QuantMath.LE_SHORT, (long) b * bb + 2,
                                FloatFormats.f32ToF16(d * blockSum(q, 32 * b, 32)));
                    }
                    for (int i = 0; i < 32; i++) {
                        out[b * bb + qs + i] = (byte) (int) q[32 * b + i];
                    }
                }
                yield out;
            }
            case Q8_K -> {
                byte[] out = new byte[n / 256 * 292];
                MemorySegment seg = MemorySegment.ofArray(out);
                for (int b = 0; b < n / 256; b++) {
                    float d = q8KBlock(x, xOffset + 256 * b, q, 256 * b);
                    seg.set(QuantMath.LE_FLOAT, (long) b * 292, d);
                    for (int i = 0; i < 256; i++) {
                        out[b * 292 + 4 + i] = (byte) (int) q[256 * b + i];
                    }
                    for (int k = 0; k < 16; k++) {
                        seg.set(QuantMath.LE_SHORT, (long) b * 292 + 260 + 2 * k,
                                (short) blockSum(q, 256 * b + 16 * k, 16));
                    }
                }
                yield out;
            }
        };
    }
}
