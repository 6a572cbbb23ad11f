package dev.neox4j.engine.tensor;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** F16: 2 bytes per element, IEEE binary16, rounded to nearest even when written. */
public final class F16Codec implements TensorCodec {

    /** Shared instance. */
    public static final F16Codec INSTANCE = new F16Codec();

    private F16Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(src.get(QuantMath.LE_SHORT, byteOffset + 2L * i));
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        for (int i = 0; i < n; i++) {
            dst.set(QuantMath.LE_SHORT, dstOffset + 2L * i, FloatFormats.f32ToF16(src[srcOffset + i]));
        }
    }
}
