package dev.neox4j.engine.tensor;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * One ggml element type: its byte layout, its scalar dequantizer (bit-exact to llama.cpp) and its quantizer
 * from float. {@code n} is always a multiple of {@link GgmlType#blockElems}.
 */
public interface TensorCodec {

    /** The type this codec reads and writes. */
    GgmlType type();

    /** Decodes {@code n} elements starting at byte {@code byteOffset} of {@code src} into {@code dst}. */
    void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n);

    /** Encodes {@code n} floats from {@code src} into {@code type().bytesFor(n)} bytes at {@code dstOffset}. */
    void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset);
}
