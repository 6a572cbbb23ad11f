package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.tensor.Activations;

import java.lang.foreign.MemorySegment;

/**
 * The Vector API kernels of one weight type: a direct dot product for single activation rows (decode) and a
 * decoder into {@link Decoded} for batches, whose generic {@link DecodedDots} kernels perform the same
 * floating-point operations, so a result never depends on the batch it was computed in.
 */
interface RowDot {

    /** How {@link DecodedDots} combines the decoded blocks ({@link DecodedDots#FLOAT} etc.). */
    int kind();

    /** Elements per block of the decoded layout (1 for float types). */
    int blockElems();

    /**
     * Dot product of the weight row at byte {@code off} of {@code w} ({@code cols} elements) with activation
     * row {@code b}; {@code red} is an {@code F}-float scratch for the lane sum.
     */
    float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red);

    /**
     * Dots of the weight row at byte {@code off} with the {@code n} (3 or 4) consecutive activation rows from
     * {@code b}, to {@code out[o + i * stride]}, in one pass over the row: each exactly {@link #dot1}'s result.
     * Only for types whose {@link #multiRow()} is true.
     */
    default void dotN(MemorySegment w, long off, int cols, Activations a, int b, int n, float[] out, int o, int stride,
                      float[] red) {
        throw new UnsupportedOperationException("no multi-row kernel for this type");
    }

    /**
     * Whether the type has a {@link #dotN} kernel, which beats the decoded tile for 3-4 generated rows (and then
     * {@link #dot1} per row beats it for 2); else the caller decodes a tile for every batch.
     */
    default boolean multiRow() {
        return false;
    }

    /** Decodes the weight row at byte {@code off} into row slot {@code slot} of {@code d}. */
    void decode(MemorySegment w, long off, int cols, Decoded d, int slot);

    /**
     * Single-row decode of weight rows {@code [r0, r1)} with activation row 0: {@code out[o + r] = dot1(row r)};
     * a layout may group rows (each result unchanged).
     */
    default void matvec(MemorySegment w, long rowBytes, int cols, Activations a, int r0, int r1, float[] out, int o,
                        float[] red) {
        for (int r = r0; r < r1; r++) {
            out[o + r] = dot1(w, r * rowBytes, cols, a, 0, red);
        }
    }
}
