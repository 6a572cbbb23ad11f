package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q3_K (docs/quantization.md, "K-quants"): 256 elements in 110 bytes. Signed 3-bit quants ({@code -4..3}): the low two
 * bits packed as in Q2_K, the third bit in {@code hmask} (bit set = no subtraction of 4); sixteen signed 6-bit scales
 * ({@code scale6 - 32}) packed into 12 bytes; {@code x = (d * s) * q}.
 */
public final class Q3_KCodec implements TensorCodec {

    /** Elements per super-block. */
    public static final int BLOCK_ELEMS = 256;
    /** Bytes per super-block. */
    public static final int BLOCK_BYTES = 110;
    /** Offset of the 32 high-bit bytes. */
    public static final int HMASK = 0;
    /** Offset of the 64 low-bit bytes. */
    public static final int QS = 32;
    /** Offset of the 12 packed scale bytes. */
    public static final int SCALES = 96;
    /** Offset of the f16 super-scale. */
    public static final int D = 108;

    /** Shared instance. */
    public static final Q3_KCodec INSTANCE = new Q3_KCodec();

    private Q3_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    /** The signed scale {@code scale6(i) - 32} of sub-block {@code i} (0..15) from the 12 scale bytes at {@code s}. */
    public static int scale(MemorySegment seg, long s, int i) {
        int low4 = i < 8 ? (seg.get(BYTE, s + i) & 0x0F) : ((seg.get(BYTE, s + i - 8) & 0xFF) >>> 4);
        int high2 = ((seg.get(BYTE, s + 8 + (i % 4)) & 0xFF) >>> (2 * (i / 4))) & 3;
        return (low4 | (high2 << 4)) - 32;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q3_K");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            long o = byteOffset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMS;
            float d = Float.float16ToFloat(src.get(LE_SHORT, o + D));
            for (int k = 0; k < 16; k++) {
                float dl = d * scale(src, o + SCALES, k);
                for (int i = 0; i < 16; i++) {
                    int e = 16 * k + i;
                    int low2 = ((src.get(BYTE, o + QS + 32 * (e / 128) + e % 32) & 0xFF) >>> (2 * ((e % 128) / 32))) & 3;
                    int hbit = ((src.get(BYTE, o + HMASK + e % 32) & 0xFF) >>> (e / 32)) & 1;
                    dst[y + e] = dl * (low2 - (hbit != 0 ? 0 : 4));
                }
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q3_K");
        float[] scales = new float[16];
        byte[] block = new byte[BLOCK_BYTES];
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            int x = srcOffset + b * BLOCK_ELEMS;
            java.util.Arrays.fill(block, (byte) 0);
            KQuantizer.fitSymmetric(src, x, 16, 16, 3, scales);
            short dh = FloatFormats.f32ToF16(KQuantizer.signedMaxAbs(scales, 16) / -32f);
            float d = Float.float16ToFloat(dh);
            for (int k = 0; k < 16; k++) {
                int s = KQuantizer.grid(scales[k], d, -32, 31);
                int s6 = s + 32;
                if (k < 8) {
                    block[SCALES + k] |= (byte) (s6 & 0x0F);
                } else {
                    block[SCALES + k - 8] |= (byte) ((s6 & 0x0F) << 4);
                }
                block[SCALES + 8 + (k % 4)] |= (byte) ((s6 >>> 4) << (2 * (k / 4)));
                float dl = d * s;
                for (int i = 0; i < 16; i++) {
                    int e = 16 * k + i;
                    int q = KQuantizer.grid(src[x + e], dl, -4, 3) + 4;
                    block[QS + 32 * (e / 128) + e % 32] |= (byte) ((q & 3) << (2 * ((e % 128) / 32)));
                    block[HMASK + e % 32] |= (byte) ((q >>> 2) << (e / 32));
                }
            }
            MemorySegment.copy(block, 0, dst, BYTE, dstOffset + (long) b * BLOCK_BYTES, BLOCK_BYTES);
            dst.set(LE_SHORT, dstOffset + (long) b * BLOCK_BYTES + D, dh);
        }
    }
}
