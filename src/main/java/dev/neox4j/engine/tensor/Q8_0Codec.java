package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q8_0 (docs/quantization.md, "32-element block types"): 32 elements in 34 bytes, {@code x = qs[e] * d} with signed
 * 8-bit qs.
 */
public final class Q8_0Codec implements TensorCodec {

    /** Elements per block. */
    public static final int BLOCK_ELEMS = 32;
    /** Bytes per block. */
    public static final int BLOCK_BYTES = 34;
    /** Offset of the f16 scale {@code d}. */
    public static final int D = 0;
    /** Offset of the 32 signed quant bytes. */
    public static final int QS = 2;

    /** Shared instance. */
    public static final Q8_0Codec INSTANCE = new Q8_0Codec();

    private Q8_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q8_0");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            long o = byteOffset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMS;
            float d = Float.float16ToFloat(src.get(LE_SHORT, o + D));
            for (int j = 0; j < BLOCK_ELEMS; j++) {
                dst[y + j] = src.get(BYTE, o + QS + j) * d;
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q8_0_ref}: {@code d = amax/127}, {@code q = roundf(x / d)}. */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q8_0");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            int x = srcOffset + b * BLOCK_ELEMS;
            long o = dstOffset + (long) b * BLOCK_BYTES;
            float amax = 0f;
            for (int j = 0; j < BLOCK_ELEMS; j++) {
                amax = Math.max(amax, Math.abs(src[x + j]));
            }
            float d = amax / 127f;
            float id = d != 0f ? 1.0f / d : 0f;
            dst.set(LE_SHORT, o + D, FloatFormats.f32ToF16(d));
            for (int j = 0; j < BLOCK_ELEMS; j++) {
                dst.set(BYTE, o + QS + j, (byte) QuantMath.roundAway(src[x + j] * id));
            }
        }
    }
}
