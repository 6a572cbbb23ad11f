package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.tensor.Activations;

import java.lang.foreign.MemorySegment;

/**
 * The Vector API kernels of one weight type. Every type is computed the same way: each weight element is
 * dequantized to {@code w'} (its value without the block min, by the spec's formula, e.g. {@code (q - 8) * d} or
 * {@code (d * sc) * q}) and multiplied with the activation's {@link Activations#scaled()} value {@code y' = qy * dy};
 * per (weight row, activation row) one lane-wise FMA chain runs over the {@code F}-element vectors in element
 * order, the lanes are summed in a fixed order, and Q4_1/Q5_1/Q2_K/Q4_K/Q5_K add their min terms (a float
 * accumulated in block order). {@link #dot2} does it straight from the weight bytes (one activation row);
 * {@link #decode} stores {@code w'} so that {@link DecodedDots} performs the same operations for batches.
 */
interface RowDot {

    /** How {@link DecodedDots} adds the min terms ({@link DecodedDots#NO_MIN} etc.). */
    int kind();

    /** Elements per block (1 for the float types). */
    int blockElems();

    /**
     * Dot products of the weight rows at bytes {@code off0} and {@code off1} of {@code w} ({@code cols} elements
     * each; the offsets may be equal) with activation row {@code b}, written to {@code out[o0]} and
     * {@code out[o1]}; {@code red} is an {@code F}-float scratch for the lane sums.
     */
    void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red, float[] out,
              int o0, int o1);

    /** Decodes the weight row at byte {@code off} into row slot {@code slot} of {@code d}. */
    void decode(MemorySegment w, long off, int cols, Decoded d, int slot);
}
