package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0 (docs/quantization.md, "32-element block types"): 32 elements in 18 bytes, {@code x = (q - 8) * d}. Byte
 * {@code j} of {@code qs} holds element {@code j} in its low nibble and element {@code j + 16} in its high nibble.
 */
public final class Q4_0Codec implements TensorCodec {

    /** Elements per block. */
    public static final int BLOCK_ELEMS = 32;
    /** Bytes per block. */
    public static final int BLOCK_BYTES = 18;
    /** Offset of the f16 scale {@code d}. */
    public static final int D = 0;
    /** Offset of the 16 quant bytes. */
    public static final int QS = 2;

    /** Shared instance. */
    public static final Q4_0Codec INSTANCE = new Q4_0Codec();

    private Q4_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q4_0");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            long o = byteOffset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMS;
            float d = Float.float16ToFloat(src.get(LE_SHORT, o + D));
            for (int j = 0; j < 16; j++) {
                int v = src.get(BYTE, o + QS + j) & 0xFF;
                dst[y + j] = ((v & 0x0F) - 8) * d;
                dst[y + j + 16] = ((v >>> 4) - 8) * d;
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q4_0_ref}: the largest-magnitude element maps to -8. */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q4_0");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            int x = srcOffset + b * BLOCK_ELEMS;
            long o = dstOffset + (long) b * BLOCK_BYTES;
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < BLOCK_ELEMS; j++) {
                float v = src[x + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1.0f / d : 0f;
            dst.set(LE_SHORT, o + D, FloatFormats.f32ToF16(d));
            for (int j = 0; j < 16; j++) {
                float x0 = src[x + j] * id;
                float x1 = src[x + 16 + j] * id;
                int xi0 = Math.min(15, (byte) (int) (x0 + 8.5f));
                int xi1 = Math.min(15, (byte) (int) (x1 + 8.5f));
                dst.set(BYTE, o + QS + j, (byte) (xi0 | (xi1 << 4)));
            }
        }
    }
}
