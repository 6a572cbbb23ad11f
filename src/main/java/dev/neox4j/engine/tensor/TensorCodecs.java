package dev.neox4j.engine.tensor;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Static entry points to the per-type codecs: dequantize tensor bytes to floats, quantize floats to tensor
 * bytes. Supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K.
 */
public final class TensorCodecs {

    /**
     * The per-type codec table (ggml's {@code type_traits}: layout, to float, from float); the kernels' own table is
     * {@code dev.neox4j.engine.tensor.kernel.KernelTable}. A type is supported exactly when it has a row here.
     */
    private static final Map<GgmlType, TensorCodec> CODECS = new EnumMap<>(GgmlType.class);

    static {
        for (TensorCodec c : List.of(F32Codec.INSTANCE, F16Codec.INSTANCE, BF16Codec.INSTANCE, Q4_0Codec.INSTANCE,
                Q4_1Codec.INSTANCE, Q5_0Codec.INSTANCE, Q5_1Codec.INSTANCE, Q8_0Codec.INSTANCE, Q2_KCodec.INSTANCE,
                Q3_KCodec.INSTANCE, Q4_KCodec.INSTANCE, Q5_KCodec.INSTANCE, Q6_KCodec.INSTANCE)) {
            CODECS.put(c.type(), c);
        }
    }

    private TensorCodecs() {
    }

    /**
     * The codec for {@code type}.
     *
     * @throws IllegalArgumentException if neox4j cannot compute with the type
     */
    public static TensorCodec codec(GgmlType type) {
        Objects.requireNonNull(type, "type");
        TensorCodec c = CODECS.get(type);
        if (c == null) {
            throw new IllegalArgumentException("tensor type " + type + " is not supported by neox4j");
        }
        return c;
    }

    /** Whether {@link #codec} supports {@code type}. */
    public static boolean isSupported(GgmlType type) {
        return CODECS.containsKey(type);
    }

    /**
     * Decodes {@code n} elements of {@code type} stored at {@code src[byteOffset ..]} into
     * {@code dst[dstOffset .. dstOffset + n)}.
     *
     * @throws IllegalArgumentException if {@code n} is not a multiple of the block size or the type is unsupported
     * @throws IndexOutOfBoundsException if source bytes or destination floats are out of range
     */
    public static void dequantize(GgmlType type, MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        TensorCodec c = codec(type);
        long bytes = type.bytesFor(n);
        Objects.checkFromIndexSize(byteOffset, bytes, src.byteSize());
        Objects.checkFromIndexSize(dstOffset, n, dst.length);
        c.dequantize(src, byteOffset, dst, dstOffset, n);
    }

    /** Encodes {@code n} floats from {@code src[srcOffset ..]} as {@code type} into a new array. */
    public static byte[] quantize(GgmlType type, float[] src, int srcOffset, int n) {
        TensorCodec c = codec(type);
        long bytes = type.bytesFor(n);
        Objects.checkFromIndexSize(srcOffset, n, src.length);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(n + " " + type + " elements do not fit in a byte array");
        }
        byte[] out = new byte[(int) bytes];
        c.quantize(src, srcOffset, n, MemorySegment.ofArray(out), 0);
        return out;
    }

    /**
     * Encodes {@code n} floats as {@code type} into {@code dst} at {@code dstOffset} and returns the number of
     * bytes written ({@code type.bytesFor(n)}).
     */
    public static long quantize(GgmlType type, float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        TensorCodec c = codec(type);
        long bytes = type.bytesFor(n);
        Objects.checkFromIndexSize(srcOffset, n, src.length);
        Objects.checkFromIndexSize(dstOffset, bytes, dst.byteSize());
        c.quantize(src, srcOffset, n, dst, dstOffset);
        return bytes;
    }

    /**
     * Encodes {@code n} floats as {@code type} at the buffer's position and advances the position by the bytes
     * written (for streaming writers). Works with heap and direct buffers.
     */
    public static void quantize(GgmlType type, float[] src, int srcOffset, int n, ByteBuffer dst) {
        long bytes = type.bytesFor(n);
        if (dst.remaining() < bytes) {
            throw new IllegalArgumentException("buffer has " + dst.remaining() + " bytes left, " + n + " " + type
                    + " elements need " + bytes);
        }
        quantize(type, src, srcOffset, n, MemorySegment.ofBuffer(dst), 0);
        dst.position(dst.position() + (int) bytes);
    }
}
