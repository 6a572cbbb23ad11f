package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * One tensor of a checkpoint file as stored: row-major (C order) little-endian elements, the torch shape listed
 * outermost first, its bytes a slice of the memory-mapped file.
 *
 * @param name       the checkpoint's tensor name, e.g. {@code gpt_neox.layers.0.attention.dense.weight}
 * @param dtype      safetensors dtype name ({@code F32}, {@code F16}, {@code BF16}, {@code BOOL}, {@code U8}, ...)
 * @param shape      torch shape (outermost first; {@code []} for a scalar)
 * @param data       the bytes, a slice of the mapping of {@code file}
 * @param file       the file holding the bytes
 * @param fileOffset absolute offset of the first byte in {@code file}
 */
record StoredTensor(String name, String dtype, long[] shape, MemorySegment data, Path file, long fileOffset) {

    StoredTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Bytes per element of a safetensors dtype, or -1 when unknown. */
    static int elementBytes(String dtype) {
        return switch (dtype) {
            case "BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2" -> 1;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "F32", "I32", "U32" -> 4;
            case "F64", "I64", "U64" -> 8;
            default -> -1;
        };
    }

    /** Number of elements (product of the shape). */
    long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * The ggml type of the elements, for the float types neox4j computes with.
     *
     * @throws CheckpointFormatException for any other dtype
     */
    GgmlType ggmlType() {
        return switch (dtype) {
            case "F32" -> GgmlType.F32;
            case "F16" -> GgmlType.F16;
            case "BF16" -> GgmlType.BF16;
            default -> throw new CheckpointFormatException(file.getFileName() + ": tensor '" + name + "' has dtype "
                    + dtype + "; neox4j reads F32, F16 and BF16 weights");
        };
    }

    @Override
    public String toString() {
        return name + " " + dtype.toLowerCase(Locale.ROOT) + Arrays.toString(shape);
    }
}
