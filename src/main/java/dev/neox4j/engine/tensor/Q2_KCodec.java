package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q2_K (docs/quantization.md, "K-quants"): 256 elements in 84 bytes. Sixteen 16-element sub-blocks, each with a 4-bit
 * scale (low nibble of {@code scales[k]}) and a 4-bit min (high nibble); {@code x = (d * sc) * q - (dmin * m)} with
 * {@code q in 0..3}. Byte {@code qs[32n + l]} holds elements {@code 128n + 32j + l} in bit pair {@code j}.
 */
public final class Q2_KCodec implements TensorCodec {

    /** Elements per super-block. */
    public static final int BLOCK_ELEMS = 256;
    /** Bytes per super-block. */
    public static final int BLOCK_BYTES = 84;
    /** Offset of the 16 scale/min bytes. */
    public static final int SCALES = 0;
    /** Offset of the 64 quant bytes. */
    public static final int QS = 16;
    /** Offset of the f16 super-scale for the scales. */
    public static final int D = 80;
    /** Offset of the f16 super-scale for the mins. */
    public static final int DMIN = 82;

    /** Shared instance. */
    public static final Q2_KCodec INSTANCE = new Q2_KCodec();

    private Q2_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q2_K");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            long o = byteOffset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMS;
            float d = Float.float16ToFloat(src.get(LE_SHORT, o + D));
            float dmin = Float.float16ToFloat(src.get(LE_SHORT, o + DMIN));
            for (int k = 0; k < 16; k++) {
                int sc = src.get(BYTE, o + SCALES + k) & 0xFF;
                float dl = d * (sc & 0xF);
                float ml = dmin * (sc >>> 4);
                for (int i = 0; i < 16; i++) {
                    int e = 16 * k + i;
                    int q = ((src.get(BYTE, o + QS + 32 * (e / 128) + e % 32) & 0xFF) >>> (2 * ((e % 128) / 32))) & 3;
                    dst[y + e] = dl * q - ml;
                }
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q2_K");
        float[] scales = new float[16];
        float[] mins = new float[16];
        byte[] qs = new byte[64];
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            int x = srcOffset + b * BLOCK_ELEMS;
            long o = dstOffset + (long) b * BLOCK_BYTES;
            KQuantizer.fitAsymmetric(src, x, 16, 16, 3, scales, mins);
            short dh = FloatFormats.f32ToF16(KQuantizer.max(scales, 16) / 15f);
            short dminh = FloatFormats.f32ToF16(KQuantizer.max(mins, 16) / 15f);
            float d = Float.float16ToFloat(dh);
            float dmin = Float.float16ToFloat(dminh);
            java.util.Arrays.fill(qs, (byte) 0);
            for (int k = 0; k < 16; k++) {
                int ls = KQuantizer.grid(scales[k], d, 0, 15);
                int lm = KQuantizer.grid(mins[k], dmin, 0, 15);
                dst.set(BYTE, o + SCALES + k, (byte) (ls | (lm << 4)));
                float dl = d * ls;
                float ml = dmin * lm;
                for (int i = 0; i < 16; i++) {
                    int e = 16 * k + i;
                    int q = KQuantizer.grid(src[x + e] + ml, dl, 0, 3);
                    qs[32 * (e / 128) + e % 32] |= (byte) (q << (2 * ((e % 128) / 32)));
                }
            }
            MemorySegment.copy(qs, 0, dst, BYTE, o + QS, 64);
            dst.set(LE_SHORT, o + D, dh);
            dst.set(LE_SHORT, o + DMIN, dminh);
        }
    }
}
