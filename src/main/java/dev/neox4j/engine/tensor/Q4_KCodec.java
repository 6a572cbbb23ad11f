package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K (docs/quantization.md, "K-quants"): 256 elements in 144 bytes. Eight 32-element sub-blocks with a 6-bit scale
 * and a 6-bit min each (12 packed bytes, shared with Q5_K); {@code x = (d * sc) * q - (dmin * m)}, {@code q in 0..15}.
 * Bytes {@code qs[32c .. 32c+31]} hold sub-block {@code 2c} in their low nibbles and {@code 2c+1} in their high.
 */
public final class Q4_KCodec implements TensorCodec {

    /** Elements per super-block. */
    public static final int BLOCK_ELEMS = 256;
    /** Bytes per super-block. */
    public static final int BLOCK_BYTES = 144;
    /** Offset of the f16 super-scale for the scales. */
    public static final int D = 0;
    /** Offset of the f16 super-scale for the mins. */
    public static final int DMIN = 2;
    /** Offset of the 12 packed scale/min bytes. */
    public static final int SCALES = 4;
    /** Offset of the 128 quant bytes. */
    public static final int QS = 16;

    /** Shared instance. */
    public static final Q4_KCodec INSTANCE = new Q4_KCodec();

    private Q4_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    /** 6-bit scale of sub-block {@code k} (0..7) from the 12 packed bytes at {@code s} (Q4_K and Q5_K). */
    public static int scale(MemorySegment seg, long s, int k) {
        if (k < 4) {
            return seg.get(BYTE, s + k) & 63;
        }
        return (seg.get(BYTE, s + k + 4) & 0x0F) | (((seg.get(BYTE, s + k - 4) & 0xFF) >>> 6) << 4);
    }

    /** 6-bit min of sub-block {@code k} (0..7) from the 12 packed bytes at {@code s} (Q4_K and Q5_K). */
    public static int min(MemorySegment seg, long s, int k) {
        if (k < 4) {
            return seg.get(BYTE, s + k + 4) & 63;
        }
        return ((seg.get(BYTE, s + k + 4) & 0xFF) >>> 4) | (((seg.get(BYTE, s + k) & 0xFF) >>> 6) << 4);
    }

    /** Packs eight 6-bit scales and mins into {@code out[off .. off+11]} (inverse of {@link #scale}/{@link #min}). */
    static void packScales(int[] sc, int[] m, byte[] out, int off) {
        for (int k = 0; k < 12; k++) {
            out[off + k] = 0;
        }
        for (int k = 0; k < 8; k++) {
            if (k < 4) {
                out[off + k] |= (byte) (sc[k] & 63);
                out[off + k + 4] |= (byte) (m[k] & 63);
            } else {
                out[off + k + 4] = (byte) ((sc[k] & 0x0F) | ((m[k] & 0x0F) << 4));
                out[off + k - 4] |= (byte) ((sc[k] >>> 4) << 6);
                out[off + k] |= (byte) ((m[k] >>> 4) << 6);
            }
        }
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        QuantMath.checkBlocks(n, BLOCK_ELEMS, "Q4_K");
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            long o = byteOffset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMS;
            float d = Float.float16ToFloat(src.get(LE_SHORT, o + D));
            float dmin = Float.float16ToFloat(src.get(LE_SHORT, o + DMIN));
            for (int c = 0; c < 4; c++) {
                float d1 = d * scale(src, o + SCALES, 2 * c);
                float m1 = dmin * min(src, o + SCALES, 2 * c);
                float d2 = d * scale(src, o + SCALES, 2 * c + 1);
                float m2 = dmin * min(src, o + SCALES, 2 * c + 1);
                for (int l = 0; l < 32; l++) {
                    int v = src.get(BYTE, o + QS + 32 * c + l) & 0xFF;
                    dst[y + 64 * c + l] = d1 * (v & 0x0F) - m1;
                    dst[y + 64 * c + 32 + l] = d2 * (v >>> 4) - m2;
                }
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        quantizeK(src, srcOffset, n, dst, dstOffset, false);
    }

    /** Shared by Q4_K and Q5_K ({@code fiveBit}): same scales, 4 or 5 quant bits. */
    static void quantizeK(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset, boolean fiveBit) {
        int blockBytes = fiveBit ? Q5_KCodec.BLOCK_BYTES : BLOCK_BYTES;
        int qsOff = fiveBit ? Q5_KCodec.QS : QS;
        int qmax = fiveBit ? 31 : 15;
        QuantMath.checkBlocks(n, BLOCK_ELEMS, fiveBit ? "Q5_K" : "Q4_K");
        float[] scales = new float[8];
        float[] mins = new float[8];
        int[] ls = new int[8];
        int[] lm = new int[8];
        byte[] block = new byte[blockBytes];
        for (int b = 0; b < n / BLOCK_ELEMS; b++) {
            int x = srcOffset + b * BLOCK_ELEMS;
            java.util.Arrays.fill(block, (byte) 0);
            KQuantizer.fitAsymmetric(src, x, 8, 32, qmax, scales, mins);
            short dh = FloatFormats.f32ToF16(KQuantizer.max(scales, 8) / 63f);
            short dminh = FloatFormats.f32ToF16(KQuantizer.max(mins, 8) / 63f);
            float d = Float.float16ToFloat(dh);
            float dmin = Float.float16ToFloat(dminh);
            for (int k = 0; k < 8; k++) {
                ls[k] = KQuantizer.grid(scales[k], d, 0, 63);
                lm[k] = KQuantizer.grid(mins[k], dmin, 0, 63);
            }
            packScales(ls, lm, block, SCALES);
            for (int k = 0; k < 8; k++) {
                float d1 = d * ls[k];
                float m1 = dmin * lm[k];
                for (int l = 0; l < 32; l++) {
                    int e = 32 * k + l;
                    int q = KQuantizer.grid(src[x + e] + m1, d1, 0, qmax);
                    block[qsOff + 32 * (k / 2) + l] |= (byte) ((q & 0x0F) << (4 * (k % 2)));
                    if (fiveBit) {
                        block[Q5_KCodec.QH + l] |= (byte) ((q >>> 4) << k);
                    }
                }
            }
            block[D] = (byte) dh;
            block[D + 1] = (byte) (dh >>> 8);
            block[DMIN] = (byte) dminh;
            block[DMIN + 1] = (byte) (dminh >>> 8);
            MemorySegment.copy(block, 0, dst, BYTE, dstOffset + (long) b * blockBytes, blockBytes);
        }
    }
}
