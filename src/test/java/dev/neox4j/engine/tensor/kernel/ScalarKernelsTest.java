package dev.neox4j.engine.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.QuantTestVectors;
import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.TestData;
import dev.neox4j.engine.tensor.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;

/** The scalar reference kernels against llama.cpp's {@code ggml_vec_dot_*} and against exact arithmetic. */
class ScalarKernelsTest {

    /** Relative difference allowed against llama.cpp's vec_dot: float summation order only. */
    static final double VEC_DOT_REL = 1e-6;
    /** Relative difference (to the sum of |products|) allowed against a double-precision float dot. */
    static final double FLOAT_DOT_REL = 1e-6;

    private final ScalarKernels kernels = new ScalarKernels();

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K",
            "Q5_K", "Q6_K"})
    void vecDotMatchesLlamaCpp(GgmlType type) {
        JsonNode t = QuantTestVectors.type(type.name());
        byte[] blocks = QuantTestVectors.hex(t, "blocks_hex");
        float[] x = QuantTestVectors.activation();
        WeightMatrix w = new WeightMatrix("w", type, MemorySegment.ofArray(blocks), 1, x.length);
        Activations a = kernels.newActivations();
        kernels.quantize(x, 0, 1, x.length, MatmulKernels.activationFormat(type), a);
        float[] out = new float[1];
        kernels.matmul(w, a, 0, 1, out, 0, 1);
        double expected = t.get("vec_dot").asDouble();
        assertEquals(expected, out[0], Math.abs(expected) * VEC_DOT_REL, type + " vec_dot");
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16"})
    void floatDotsAreExactSums(GgmlType type) {
        int rows = 3;
        int cols = 96;
        float[] wf = TestData.gaussian(rows * cols, 5);
        float[] x = TestData.gaussian(2 * cols, 6);
        WeightMatrix w = new WeightMatrix("w", type,
                MemorySegment.ofArray(TensorCodecs.quantize(type, wf, 0, rows * cols)), rows, cols);
        Activations a = kernels.newActivations();
        kernels.quantize(x, 0, 2, cols, MatmulKernels.activationFormat(type), a);
        float[] out = new float[2 * rows];
        kernels.matmul(w, a, 0, rows, out, 0, rows);
        float[] wd = new float[rows * cols];
        TensorCodecs.dequantize(type, w.data(), 0, wd, 0, rows * cols);
        for (int b = 0; b < 2; b++) {
            for (int r = 0; r < rows; r++) {
                double exact = 0;
                double mag = 0;
                for (int i = 0; i < cols; i++) {
                    double p = (double) wd[r * cols + i] * a.values()[b * cols + i];
                    exact += p;
                    mag += Math.abs(p);
                }
                assertEquals(exact, out[b * rows + r], mag * FLOAT_DOT_REL, type + " row " + r + " batch " + b);
            }
        }
    }

    @Test
    void matmulWritesOnlyTheRequestedRowsAtTheStride() {
        GgmlType type = GgmlType.Q8_0;
        int rows = 4;
        int cols = 64;
        float[] wf = TestData.gaussian(rows * cols, 7);
        WeightMatrix w = new WeightMatrix("w", type,
                MemorySegment.ofArray(TensorCodecs.quantize(type, wf, 0, rows * cols)), rows, cols);
        Activations a = kernels.newActivations();
        kernels.quantize(TestData.gaussian(2 * cols, 8), 0, 2, cols,
                ActivationFormat.Q8_0, a);
        float[] out = new float[3 + 2 * 10];
        java.util.Arrays.fill(out, Float.NaN);
        kernels.matmul(w, a, 1, 3, out, 3, 10);
        for (int i = 0; i < out.length; i++) {
            int rel = i - 3;
            boolean written = rel >= 0 && (rel % 10 == 1 || rel % 10 == 2) && rel / 10 < 2;
            assertEquals(written, !Float.isNaN(out[i]), "index " + i);
            if (written) {
                assertEquals(ScalarKernels.dot(w, rel % 10, a, rel / 10), out[i]);
            }
        }
    }

    @Test
    void mismatchedInputsAreRefused() {
        WeightMatrix w = new WeightMatrix("blk.0.w", GgmlType.Q4_K, MemorySegment.ofArray(new byte[144 * 2]), 2, 256);
        Activations a = kernels.newActivations();
        kernels.quantize(new float[256], 0, 1, 256, ActivationFormat.Q8_0, a);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernels.matmul(w, a, 0, 2, new float[2], 0, 2));
        assertTrue(e.getMessage().contains("blk.0.w") && e.getMessage().contains("Q8_K"), e.getMessage());
        kernels.quantize(new float[512], 0, 1, 512, ActivationFormat.Q8_K, a);
        assertThrows(IllegalArgumentException.class, () -> kernels.matmul(w, a, 0, 2, new float[2], 0, 2));
        kernels.quantize(new float[256], 0, 1, 256, ActivationFormat.Q8_K, a);
        assertThrows(IndexOutOfBoundsException.class, () -> kernels.matmul(w, a, 0, 3, new float[3], 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> kernels.matmul(w, a, 0, 2, new float[1], 0, 2));
    }

    @Test
    void selectHonoursThePreference() {
        assertEquals("scalar", Kernels.select("scalar").name());
        assertThrows(IllegalArgumentException.class, () -> Kernels.select("gpu"));
        assertTrue(Kernels.select("auto") != null);
    }
}
