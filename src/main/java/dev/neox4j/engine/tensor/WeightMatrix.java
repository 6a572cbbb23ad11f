package dev.neox4j.engine.tensor;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight tensor as stored in GGUF: {@code rows} rows of {@code cols} contiguous elements
 * (GGUF {@code ne = [cols, rows]}, like a PyTorch Linear weight {@code [out, in]}), backed by a slice of
 * the memory-mapped file, or a copy repacked at load into another {@link WeightLayout} for a faster kernel (the
 * same bytes per row at the same offsets).
 *
 * @param name GGUF tensor name, for messages
 * @param type element type of every row
 * @param data the tensor's bytes ({@code rows * rowBytes})
 * @param rows number of rows (output features)
 * @param cols elements per row (input features)
 * @param layout how the bytes of a row are arranged
 */
public record WeightMatrix(String name, GgmlType type, MemorySegment data, int rows, int cols, WeightLayout layout) {

    /** A matrix in the GGUF layout. */
    public WeightMatrix(String name, GgmlType type, MemorySegment data, int rows, int cols) {
        this(name, type, data, rows, cols, WeightLayout.GGUF);
    }

    public WeightMatrix {
        java.util.Objects.requireNonNull(layout, "layout");
        if (layout == WeightLayout.Q4_0_PAIRS && type != GgmlType.Q4_0) {
            throw new IllegalArgumentException(name + ": layout " + layout + " is for Q4_0, not " + type);
        }
        if (cols % type.blockElems != 0) {
            throw new IllegalArgumentException(name + ": row length " + cols + " is not a multiple of the "
                    + type + " block size " + type.blockElems);
        }
        long expected = (long) rows * type.bytesFor(cols);
        if (data.byteSize() < expected) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes, expected " + expected);
        }
    }

    /** Bytes of one row. */
    public long rowBytes() {
        return type.bytesFor(cols);
    }

    /** Byte offset of row {@code r} inside {@link #data()}. */
    public long rowOffset(int r) {
        return r * rowBytes();
    }
}
