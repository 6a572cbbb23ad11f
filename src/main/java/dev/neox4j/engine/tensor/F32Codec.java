package dev.neox4j.engine.tensor;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** F32: 4 bytes per element, little-endian IEEE binary32. */
public final class F32Codec implements TensorCodec {

    /** Shared instance. */
    public static final F32Codec INSTANCE = new F32Codec();

    private F32Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = src.get(QuantMath.LE_FLOAT, byteOffset + 4L * i);
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        for (int i = 0; i < n; i++) {
            dst.set(QuantMath.LE_FLOAT, dstOffset + 4L * i, src[srcOffset + i]);
        }
    }
}
