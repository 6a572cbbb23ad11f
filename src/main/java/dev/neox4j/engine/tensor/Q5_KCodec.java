package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K (docs/quantization.md, "K-quants"): 256 elements in 176 bytes; Q4_K's scales and low nibbles plus {@code qh},
 * where bit {@code e / 32} of {@code qh[e % 32]} is the 5th bit of element {@code e}; {@code q in 0..31}.
 */
public final class Q5_KCodec implements TensorCodec {

    /** Elements per super-block. */
    public static final int BLOCK_ELEMS = 256;
    /** Bytes per super-block. */
    public static final int BLOCK_BYTES = 176;
    /** Offset of the f16 super-scale for the scales. */
    public static final int D = 0;
    /** Offset of the f16 super-scale for the mins. */
    public static final int DMIN = 2;
    /** Offset of the 12 packed scale/min bytes (same packing as Q4_K). */
    public static final int SCALES = 4;
    /** Offset of the 32 high-bit bytes. */
    public static final int QH = 16;
    /** Offset of the 128 low-nibble bytes. */
    public static final int QS = 48;

    /** Shared instance. */
    public static final Q5_KCodec INSTANCE = new Q5_KCodec();

    private Q5_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q5_K");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            long o = byteOffset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMS;
            float d = Float.float16ToFloat(src.get(LE_SHORT, o + D));
            float dmin = Float.float16ToFloat(src.get(LE_SHORT, o + DMIN));
            for (int c = 0; c < 4; c++) {
                float d1 = d * Q4_KCodec.scale(src, o + SCALES, 2 * c);
                float m1 = dmin * Q4_KCodec.min(src, o + SCALES, 2 * c);
                float d2 = d * Q4_KCodec.scale(src, o + SCALES, 2 * c + 1);
                float m2 = dmin * Q4_KCodec.min(src, o + SCALES, 2 * c + 1);
                for (int l = 0; l < 32; l++) {
                    int v = src.get(BYTE, o + QS + 32 * c + l) & 0xFF;
                    int h = src.get(BYTE, o + QH + l) & 0xFF;
                    int q1 = (v & 0x0F) + 16 * ((h >>> (2 * c)) & 1);
                    int q2 = (v >>> 4) + 16 * ((h >>> (2 * c + 1)) & 1);
                    dst[y + 64 * c + l] = d1 * q1 - m1;
                    dst[y + 64 * c + 32 + l] = d2 * q2 - m2;
                }
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        Q4_KCodec.quantizeK(src, srcOffset, n, dst, dstOffset, true);
    }
}
