package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.tensor.Activations;

import java.lang.foreign.MemorySegment;

/**
 * The Vector API dot products of one weight type. {@link #dot4} computes, for each of its four activation rows,
 * exactly the same sequence of floating-point operations as {@link #dot1} (only integer-exact partial sums are
 * shared or reordered), so a result never depends on the batch it was computed in.
 */
interface RowDot {

    /** Dot product of the weight row at byte {@code off} of {@code w} ({@code cols} elements) with activation row {@code b}. */
    float dot1(MemorySegment w, long off, int cols, Activations a, int b);

    /** Dot products with activation rows {@code b .. b+3}, written to {@code out[o + i * stride]}. */
    void dot4(MemorySegment w, long off, int cols, Activations a, int b, float[] out, int o, int stride);
}
