package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.WeightMatrix;

/**
 * One family of matmul and attention kernels (scalar reference or Vector API), chosen once at start-up.
 *
 * <p>A matmul is done in two steps, as llama.cpp does it: the activation rows are converted once into the
 * weight type's {@link ActivationFormat} ({@link #quantize}), then every output element is one dot product
 * of a weight row with an activation row ({@link #matmul}). Each output element is computed by one thread
 * with a summation order that depends only on the row length, so results are identical whatever the
 * thread count and whatever other rows share the batch.
 */
public interface MatmulKernels {

    /**
     * The activation format the dot products of weight type {@code t} read (llama.cpp's pairing: Q8_0 for Q4_0,
     * Q5_0, Q8_0; Q8_1 for Q4_1, Q5_1; Q8_K for the K-quants; the float types their own).
     *
     * @throws IllegalArgumentException if neox4j has no dot kernel for the type
     */
    static ActivationFormat activationFormat(GgmlType t) {
        return KernelTable.of(t).activations();
    }

    /** A short name for logs, e.g. {@code scalar} or {@code vector-512}. */
    String name();

    /** A new, empty activation buffer; it grows on demand and is meant to be reused. */
    Activations newActivations();

    /**
     * Converts {@code rows} activation rows of {@code cols} floats, stored back to back in {@code x} from
     * {@code xOffset}, into {@code format}, replacing the contents of {@code dst}.
     */
    void quantize(float[] x, int xOffset, int rows, int cols, ActivationFormat format, Activations dst);

    /**
     * {@code out[outOffset + b * outStride + r] = dot(row r of w, activation row b)} for every row
     * {@code r} in {@code [rowStart, rowEnd)} and every activation row {@code b}. The activations must be in
     * {@code MatmulKernels.activationFormat(w.type())} and have {@code w.cols()} columns.
     */
    void matmul(WeightMatrix w, Activations a, int rowStart, int rowEnd, float[] out, int outOffset, int outStride);

    /**
     * The unit in which a {@link #matmul} of {@code w} with {@code a} is best split over threads: a row range
     * whose length is a multiple of it uses the kernel's row tiles fully. Only a speed hint: every split gives
     * the same results.
     */
    default int rowGrain(WeightMatrix w, Activations a) {
        return 1;
    }

    /**
     * {@code w} in the layout these kernels compute fastest with, rows repacked over {@code pool} (the same values
     * in the same bytes per row), or {@code w} itself. Called once per matrix at load.
     */
    default WeightMatrix prepare(WeightMatrix w, ParallelFor pool) {
        return w;
    }

    /** A new attention-products kernel of this family, for one thread (it may hold scratch). */
    AttentionDots newAttentionDots();
}
