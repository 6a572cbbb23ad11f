package dev.neox4j.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neox4j.engine.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * quantize → dequantize round trip: the relative RMS error {@code rms(x' - x) / rms(x)} on Gaussian data with a
 * few outliers must stay within the type's budget. The legacy budgets are what llama.cpp's own reference
 * quantizers reach (ours are byte-identical); the K-quant budgets bound our simpler search.
 */
class RoundTripBudgetTest {

    /** Relative RMS error budgets per type (measured values in the comments, 8192 Gaussian elements). */
    static final Map<GgmlType, Double> RMS_BUDGET = Map.ofEntries(
            Map.entry(GgmlType.F32, 0.0),
            Map.entry(GgmlType.F16, 2.5e-4),   // measured 2.0e-4
            Map.entry(GgmlType.BF16, 2.0e-3),  // measured 1.68e-3
            Map.entry(GgmlType.Q8_0, 0.009),   // measured 0.0073
            Map.entry(GgmlType.Q6_K, 0.028),   // measured 0.0224
            Map.entry(GgmlType.Q5_1, 0.053),   // measured 0.0424
            Map.entry(GgmlType.Q5_0, 0.070),   // measured 0.0583
            Map.entry(GgmlType.Q5_K, 0.052),   // measured 0.0414
            Map.entry(GgmlType.Q4_1, 0.105),   // measured 0.0872
            Map.entry(GgmlType.Q4_0, 0.135),   // measured 0.1118
            Map.entry(GgmlType.Q4_K, 0.100),   // measured 0.0832
            Map.entry(GgmlType.Q3_K, 0.215),   // measured 0.1787
            Map.entry(GgmlType.Q2_K, 0.345));  // measured 0.2862

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void roundTripStaysWithinBudget(GgmlType type) {
        int n = 8192;
        float[] x = TestData.gaussian(n, 42);
        double err = relativeRms(type, x, 0, n);
        double budget = RMS_BUDGET.get(type);
        assertTrue(err <= budget, type + ": relative RMS error " + err + " > budget " + budget);
        if (type.isQuantized()) {
            // a budget must mean something: the error is not (near) zero for a lossy type
            assertTrue(err > budget / 20, type + ": error " + err + " suspiciously small for budget " + budget);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K",
            "Q5_K", "Q6_K"})
    void constantAndZeroBlocksSurvive(GgmlType type) {
        int n = 512;
        float[] x = new float[n];
        for (int i = 256; i < n; i++) {
            x[i] = i < 384 ? 0.75f : -0.25f;
        }
        byte[] q = TensorCodecs.quantize(type, x, 0, n);
        float[] y = new float[n];
        TensorCodecs.dequantize(type, MemorySegment.ofArray(q), 0, y, 0, n);
        for (int i = 0; i < 256; i++) {
            assertTrue(y[i] == 0f, type + ": zero block decodes to " + y[i] + " at " + i);
        }
        for (int i = 256; i < n; i++) {
            assertTrue(Math.abs(y[i] - x[i]) <= 0.02f * 0.75f + RMS_BUDGET.get(type) * 0.1f,
                    type + ": constant run element " + i + " = " + y[i] + ", want " + x[i]);
        }
    }

    static double relativeRms(GgmlType type, float[] x, int off, int n) {
        byte[] q = TensorCodecs.quantize(type, x, off, n);
        float[] y = new float[n];
        TensorCodecs.dequantize(type, MemorySegment.ofArray(q), 0, y, 0, n);
        double se = 0;
        double sx = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) y[i] - x[off + i];
            se += d * d;
            sx += (double) x[off + i] * x[off + i];
        }
        return Math.sqrt(se / sx);
    }
}
