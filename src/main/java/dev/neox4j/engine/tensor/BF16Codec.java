package dev.neox4j.engine.tensor;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** BF16: 2 bytes per element, the upper half of a binary32, rounded to nearest even when written. */
public final class BF16Codec implements TensorCodec {

    /** Shared instance. */
    public static final BF16Codec INSTANCE = new BF16Codec();

    private BF16Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = FloatFormats.bf16ToF32(src.get(QuantMath.LE_SHORT, byteOffset + 2L * i));
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        for (int i = 0; i < n; i++) {
            dst.set(QuantMath.LE_SHORT, dstOffset + 2L * i, FloatFormats.f32ToBf16(src[srcOffset + i]));
        }
    }
}
