package dev.neox4j.engine.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor-info record of a GGUF file (docs/gguf.md, "Tensor records").
 *
 * @param name     tensor name (at most 63 UTF-8 bytes)
 * @param type     element type
 * @param ne       element counts per dimension in ggml order ({@code ne[0]} is contiguous); length 0..4.
 *                 The accessor returns a copy.
 * @param offset   byte offset of the data relative to the file's data offset ({@link GgufFile#dataOffset()})
 * @param byteSize bytes of tensor data ({@code type.bytesFor(elements())})
 */
public record GgufTensorInfo(String name, GgmlType type, long[] ne, long offset, long byteSize) {

    /** Maximum tensor name length in bytes (ggml's GGML_MAX_NAME minus the C terminator). */
    public static final int MAX_NAME_BYTES = 63;
    /** Maximum number of dimensions (GGML_MAX_DIMS). */
    public static final int MAX_DIMS = 4;

    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        ne = ne.clone();
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** Number of dimensions stored in the file. */
    public int nDims() {
        return ne.length;
    }

    /** Element count of dimension {@code i} (ggml order); 1 for dimensions beyond {@link #nDims()}. */
    public long ne(int i) {
        return i < ne.length ? ne[i] : 1;
    }

    /** Total number of elements. */
    public long elements() {
        long n = 1;
        for (long d : ne) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Number of rows ({@code elements / ne[0]}); 1 for 0-d tensors. */
    public long rows() {
        return ne.length == 0 ? 1 : elements() / ne[0];
    }

    /** Bytes of one row of {@code ne[0]} elements. */
    public long rowBytes() {
        return type.bytesFor(ne(0));
    }

    /** Whether the shape equals {@code expected} exactly (same number of dimensions, same counts). */
    public boolean hasShape(long... expected) {
        return Arrays.equals(ne, expected);
    }

    /** The shape as {@code [a, b]}. */
    public String shapeString() {
        return Arrays.toString(ne);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && t.name.equals(name) && t.type == type && Arrays.equals(t.ne, ne)
                && t.offset == offset && t.byteSize == byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(ne), offset, byteSize);
    }

    @Override
    public String toString() {
        return "GgufTensorInfo[" + name + ", " + type + ", ne=" + Arrays.toString(ne) + ", offset=" + offset
                + ", bytes=" + byteSize + "]";
    }
}
