package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.WeightLayout;
import dev.neox4j.engine.tensor.WeightMatrix;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one per-type table of the matmul kernels, as ggml's {@code type_traits_cpu}: for every weight type the
 * activation format its dot products read (ggml's {@code vec_dot_type}), its scalar reference dot and its Vector
 * API row kernel. Adding a weight type means adding one row here (and its codec to
 * {@link dev.neox4j.engine.tensor.TensorCodecs}'s table); nothing else switches on the weight type.
 *
 * <p>The vector column is a {@link Supplier} so that this table, and with it the scalar family, loads without the
 * {@code jdk.incubator.vector} module: a lambda's body (and so the vector kernel class it names) is resolved only
 * when {@link VectorKernels} asks for it.
 */
final class KernelTable {

    /** A scalar reference dot product of one weight row (starting at byte {@code o}) with activation row {@code b}. */
    @FunctionalInterface
    interface ScalarDot {
        float dot(WeightMatrix w, long o, Activations a, int b, int cols);
    }

    /**
     * One row of the table.
     *
     * @param activations the activation format the type's dots read
     * @param scalar      the scalar reference dot ({@link ScalarKernels})
     * @param vector      the Vector API row kernel, resolved on first use
     */
    record Entry(ActivationFormat activations, ScalarDot scalar, Supplier<RowDot> vector) {
    }

    private static final Map<GgmlType, Entry> TABLE = new EnumMap<>(GgmlType.class);

    static {
        row(GgmlType.F32, ActivationFormat.F32,
                (w, o, a, b, n) -> ScalarKernels.dotF32(w.data(), o, a, b, n), () -> VectorFloatDots.F32);
        row(GgmlType.F16, ActivationFormat.F16,
                (w, o, a, b, n) -> ScalarKernels.dotF16(w.data(), o, a, b, n), () -> VectorFloatDots.F16);
        row(GgmlType.BF16, ActivationFormat.BF16,
                (w, o, a, b, n) -> ScalarKernels.dotBF16(w.data(), o, a, b, n), () -> VectorFloatDots.BF16);
        row(GgmlType.Q4_0, ActivationFormat.Q8_0,
                (w, o, a, b, n) -> ScalarKernels.dotQ4_0(w.data(), o, a, b, n,
                        w.layout() == WeightLayout.Q4_0_PAIRS), () -> VectorLegacyDots.Q4_0);
        row(GgmlType.Q4_1, ActivationFormat.Q8_1,
                (w, o, a, b, n) -> ScalarKernels.dotQ4_1(w.data(), o, a, b, n), () -> VectorLegacyDots.Q4_1);
        row(GgmlType.Q5_0, ActivationFormat.Q8_0,
                (w, o, a, b, n) -> ScalarKernels.dotQ5_0(w.data(), o, a, b, n), () -> VectorLegacyDots.Q5_0);
        row(GgmlType.Q5_1, ActivationFormat.Q8_1,
                (w, o, a, b, n) -> ScalarKernels.dotQ5_1(w.data(), o, a, b, n), () -> VectorLegacyDots.Q5_1);
        row(GgmlType.Q8_0, ActivationFormat.Q8_0,
                (w, o, a, b, n) -> ScalarKernels.dotQ8_0(w.data(), o, a, b, n), () -> VectorLegacyDots.Q8_0);
        row(GgmlType.Q2_K, ActivationFormat.Q8_K,
                (w, o, a, b, n) -> ScalarKernels.dotQ2_K(w.data(), o, a, b, n), () -> VectorLowBitKQuantDots.Q2_K);
        row(GgmlType.Q3_K, ActivationFormat.Q8_K,
                (w, o, a, b, n) -> ScalarKernels.dotQ3_K(w.data(), o, a, b, n), () -> VectorLowBitKQuantDots.Q3_K);
        row(GgmlType.Q4_K, ActivationFormat.Q8_K,
                (w, o, a, b, n) -> ScalarKernels.dotQ4_K(w.data(), o, a, b, n), () -> VectorKQuantDots.Q4_K);
        row(GgmlType.Q5_K, ActivationFormat.Q8_K,
                (w, o, a, b, n) -> ScalarKernels.dotQ5_K(w.data(), o, a, b, n), () -> VectorKQuantDots.Q5_K);
        row(GgmlType.Q6_K, ActivationFormat.Q8_K,
                (w, o, a, b, n) -> ScalarKernels.dotQ6_K(w.data(), o, a, b, n), () -> VectorKQuantDots.Q6_K);
    }

    private KernelTable() {
    }

    private static void row(GgmlType type, ActivationFormat activations, ScalarDot scalar, Supplier<RowDot> vector) {
        TABLE.put(type, new Entry(activations, scalar, vector));
    }

    /**
     * The kernels of weight type {@code t}.
     *
     * @throws IllegalArgumentException if neox4j has no dot kernel for the type
     */
    static Entry of(GgmlType t) {
        Entry e = TABLE.get(t);
        if (e == null) {
            throw new IllegalArgumentException("no dot kernel for weight type " + t);
        }
        return e;
    }

    /** Whether the table has a row for {@code t}. */
    static boolean has(GgmlType t) {
        return TABLE.containsKey(t);
    }
}
