package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K (docs/quantization.md, "K-quants"): 256 elements in 210 bytes. Signed 6-bit quants ({@code -32..31}): low 4 bits
 * in {@code ql[64n + 32(t%2) + l]} (low nibble for quarters 0-1, high for 2-3), high 2 bits in
 * {@code qh[32n + l]} bit pair {@code t}; sixteen signed 8-bit scales; {@code x = (d * scales[e/16]) * q}.
 */
public final class Q6_KCodec implements TensorCodec {

    /** Elements per super-block. */
    public static final int BLOCK_ELEMS = 256;
    /** Bytes per super-block. */
    public static final int BLOCK_BYTES = 210;
    /** Offset of the 128 low-nibble bytes. */
    public static final int QL = 0;
    /** Offset of the 64 high-bit bytes. */
    public static final int QH = 128;
    /** Offset of the 16 signed scale bytes. */
    public static final int SCALES = 192;
    /** Offset of the f16 super-scale. */
    public static final int D = 208;

    /** Shared instance. */
    public static final Q6_KCodec INSTANCE = new Q6_KCodec();

    private Q6_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    /** Quant of element {@code e} (0..255) of the block at {@code o}, in {@code -32..31}. */
    public static int quant(MemorySegment src, long o, int e) {
        int n = e / 128;
        int t = (e % 128) / 32;
        int l = e % 32;
        int v = src.get(BYTE, o + QL + 64 * n + 32 * (t % 2) + l) & 0xFF;
        int lo4 = t < 2 ? (v & 0x0F) : (v >>> 4);
        int hi2 = ((src.get(BYTE, o + QH + 32 * n + l) & 0xFF) >>> (2 * t)) & 3;
        return (lo4 | (hi2 << 4)) - 32;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q6_K");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            long o = byteOffset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMS;
            float d = Float.float16ToFloat(src.get(LE_SHORT, o + D));
            for (int k = 0; k < 16; k++) {
                float dl = d * src.get(BYTE, o + SCALES + k);
                for (int i = 0; i < 16; i++) {
                    int e = 16 * k + i;
                    dst[y + e] = dl * quant(src, o, e);
                }
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q6_K");
        float[] scales = new float[16];
        byte[] block = new byte[BLOCK_BYTES];
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            int x = srcOffset + b * BLOCK_ELEMS;
            java.util.Arrays.fill(block, (byte) 0);
            KQuantizer.fitSymmetric(src, x, 16, 16, 31, scales);
            short dh = FloatFormats.f32ToF16(KQuantizer.signedMaxAbs(scales, 16) / -128f);
            float d = Float.float16ToFloat(dh);
            for (int k = 0; k < 16; k++) {
                int s = KQuantizer.grid(scales[k], d, -128, 127);
                block[SCALES + k] = (byte) s;
                float dl = d * s;
                for (int i = 0; i < 16; i++) {
                    int e = 16 * k + i;
                    int q = KQuantizer.grid(src[x + e], dl, -32, 31) + 32;
                    int nn = e / 128;
                    int t = (e % 128) / 32;
                    int l = e % 32;
                    block[QL + 64 * nn + 32 * (t % 2) + l] |= (byte) ((q & 0x0F) << (t < 2 ? 0 : 4));
                    block[QH + 32 * nn + l] |= (byte) ((q >>> 4) << (2 * t));
                }
            }
            block[D] = (byte) dh;
            block[D + 1] = (byte) (dh >>> 8);
            MemorySegment.copy(block, 0, dst, BYTE, dstOffset + (long) b * BLOCK_BYTES, BLOCK_BYTES);
        }
    }
}
