package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_INT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0 (docs/quantization.md, "32-element block types"): 32 elements in 22 bytes, {@code x = (q - 16) * d}; the low 4
 * bits are packed as in Q4_0 and bit {@code e} of the little-endian u32 {@code qh} is the 5th bit of element {@code e}.
 */
public final class Q5_0Codec implements TensorCodec {

    /** Elements per block. */
    public static final int BLOCK_ELEMS = 32;
    /** Bytes per block. */
    public static final int BLOCK_BYTES = 22;
    /** Offset of the f16 scale {@code d}. */
    public static final int D = 0;
    /** Offset of the u32 high bits. */
    public static final int QH = 2;
    /** Offset of the 16 low-nibble bytes. */
    public static final int QS = 6;

    /** Shared instance. */
    public static final Q5_0Codec INSTANCE = new Q5_0Codec();

    private Q5_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q5_0");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            long o = byteOffset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMS;
            float d = Float.float16ToFloat(src.get(LE_SHORT, o + D));
            int qh = src.get(LE_INT, o + QH);
            for (int j = 0; j < 16; j++) {
                int v = src.get(BYTE, o + QS + j) & 0xFF;
                int q0 = (v & 0x0F) | (((qh >>> j) & 1) << 4);
                int q1 = (v >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
                dst[y + j] = (q0 - 16) * d;
                dst[y + j + 16] = (q1 - 16) * d;
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q5_0_ref}: the largest-magnitude element maps to -16. */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q5_0");
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
            float d = max / -16f;
            float id = d != 0f ? 1.0f / d : 0f;
            dst.set(LE_SHORT, o + D, FloatFormats.f32ToF16(d));
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                float x0 = src[x + j] * id;
                float x1 = src[x + 16 + j] * id;
                int xi0 = Math.min(31, (byte) (int) (x0 + 16.5f));
                int xi1 = Math.min(31, (byte) (int) (x1 + 16.5f));
                dst.set(BYTE, o + QS + j, (byte) ((xi0 & 0x0F) | ((xi1 & 0x0F) << 4)));
                qh |= ((xi0 & 0x10) >>> 4) << j;
                qh |= ((xi1 & 0x10) >>> 4) << (j + 16);
            }
            dst.set(LE_INT, o + QH, qh);
        }
    }
}
