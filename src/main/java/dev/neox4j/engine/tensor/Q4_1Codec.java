package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_1 (docs/quantization.md, "32-element block types"): 32 elements in 20 bytes, {@code x = q * d + m}, nibbles packed
 * as in Q4_0.
 */
public final class Q4_1Codec implements TensorCodec {

    /** Elements per block. */
    public static final int BLOCK_ELEMS = 32;
    /** Bytes per block. */
    public static final int BLOCK_BYTES = 20;
    /** Offset of the f16 scale {@code d}. */
    public static final int D = 0;
    /** Offset of the f16 minimum {@code m}. */
    public static final int M = 2;
    /** Offset of the 16 quant bytes. */
    public static final int QS = 4;

    /** Shared instance. */
    public static final Q4_1Codec INSTANCE = new Q4_1Codec();

    private Q4_1Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q4_1");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            long o = byteOffset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMS;
            float d = Float.float16ToFloat(src.get(LE_SHORT, o + D));
            float m = Float.float16ToFloat(src.get(LE_SHORT, o + M));
            for (int j = 0; j < 16; j++) {
                int v = src.get(BYTE, o + QS + j) & 0xFF;
                dst[y + j] = (v & 0x0F) * d + m;
                dst[y + j + 16] = (v >>> 4) * d + m;
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q4_1_ref}: min/max range split into 15 steps. */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q4_1");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            int x = srcOffset + b * BLOCK_ELEMS;
            long o = dstOffset + (long) b * BLOCK_BYTES;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < BLOCK_ELEMS; j++) {
                float v = src[x + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / 15f;
            float id = d != 0f ? 1.0f / d : 0f;
            dst.set(LE_SHORT, o + D, FloatFormats.f32ToF16(d));
            dst.set(LE_SHORT, o + M, FloatFormats.f32ToF16(min));
            for (int j = 0; j < 16; j++) {
                float x0 = (src[x + j] - min) * id;
                float x1 = (src[x + 16 + j] - min) * id;
                int xi0 = Math.min(15, (byte) (int) (x0 + 0.5f));
                int xi1 = Math.min(15, (byte) (int) (x1 + 0.5f));
                dst.set(BYTE, o + QS + j, (byte) (xi0 | (xi1 << 4)));
            }
        }
    }
}
