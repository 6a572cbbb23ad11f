package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.ActivationQuantizer;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.WeightMatrix;

import java.lang.foreign.MemorySegment;

/**
 * Vector API kernels (jdk.incubator.vector) for every supported weight type, written once against the preferred
 * species ({@link VectorShapes}). Weights are read straight from the (mapped) segment; activations are
 * converted once per matmul by the same code as the scalar kernels.
 *
 * <p>Tiling: output rows are taken in tiles whose weights fit in the L2 cache; inside a tile, activation rows go
 * in groups of four ({@link RowDot#dot4}: one weight decode, four dot products), the remaining rows one by one.
 * Each single dot product performs the same floating-point operations in the same order whatever the batch
 * size, the group it falls in and the row range a thread was given, so results are batch and thread-count
 * invariant.
 */
public final class VectorKernels implements MatmulKernels {

    /** Weight bytes per row tile (kept in L2 while the activation groups stream past). */
    private static final long TILE_BYTES = 256 * 1024;

    /** Creates the kernels; requires the {@code jdk.incubator.vector} module. */
    public VectorKernels() {
    }

    @Override
    public String name() {
        return "vector-" + VectorShapes.FS.vectorBitSize();
    }

    @Override
    public Activations newActivations() {
        return new Activations();
    }

    @Override
    public void quantize(float[] x, int xOffset, int rows, int cols, ActivationFormat format, Activations dst) {
        ActivationQuantizer.quantize(x, xOffset, rows, cols, format, dst);
    }

    /** The dot kernels of weight type {@code t}. */
    static RowDot dots(GgmlType t) {
        return switch (t) {
            case F32 -> VectorFloatDots.F32;
            case F16 -> VectorFloatDots.F16;
            case BF16 -> VectorFloatDots.BF16;
            case Q4_0 -> VectorLegacyDots.Q4_0;
            case Q4_1 -> VectorLegacyDots.Q4_1;
            case Q5_0 -> VectorLegacyDots.Q5_0;
            case Q5_1 -> VectorLegacyDots.Q5_1;
            case Q8_0 -> VectorLegacyDots.Q8_0;
            case Q2_K -> VectorKQuantDots.Q2_K;
            case Q3_K -> VectorKQuantDots.Q3_K;
            case Q4_K -> VectorKQuantDots.Q4_K;
            case Q5_K -> VectorKQuantDots.Q5_K;
            case Q6_K -> VectorKQuantDots.Q6_K;
            default -> throw new IllegalArgumentException("no dot kernel for weight type " + t);
        };
    }

    @Override
    public void matmul(WeightMatrix w, Activations a, int rowStart, int rowEnd, float[] out, int outOffset,
                       int outStride) {
        KernelChecks.check(w, a, rowStart, rowEnd, out, outOffset, outStride);
        RowDot k = dots(w.type());
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes();
        int cols = w.cols();
        int batch = a.rows();
        int tile = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TILE_BYTES / Math.max(1, rowBytes)));
        for (int r0 = rowStart; r0 < rowEnd; r0 += tile) {
            int r1 = Math.min(rowEnd, r0 + tile);
            int b = 0;
            for (; b + 4 <= batch; b += 4) {
                for (int r = r0; r < r1; r++) {
                    k.dot4(seg, r * rowBytes, cols, a, b, out, outOffset + b * outStride + r, outStride);
                }
            }
            for (; b < batch; b++) {
                for (int r = r0; r < r1; r++) {
                    out[outOffset + b * outStride + r] = k.dot1(seg, r * rowBytes, cols, a, b);
                }
            }
        }
    }
}
