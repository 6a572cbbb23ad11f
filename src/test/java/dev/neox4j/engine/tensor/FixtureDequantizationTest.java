package dev.neox4j.engine.tensor;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quantized fixture models were made by llama-quantize from the F32 fixture: every tensor of every quantized
 * file, dequantized by neox4j, must stay within its type's error budget of the F32 original. A wrong nibble order,
 * scale unpacking or sign would blow the budget by orders of magnitude.
 */
class FixtureDequantizationTest {

    private static final Path MODELS = Path.of("src/test/resources/fixtures/models");

    /**
     * Budget per weight type: largest allowed relative RMS error {@code rms(dequantized - f32) / rms(f32)} of one
     * tensor. Each budget is the largest error measured on the fixtures plus a 25% margin (the worst tensor is
     * usually {@code token_embd}, whose std-1 rows have the widest range).
     */
    private static final Map<GgmlType, Double> RELATIVE_RMS_BUDGET = new EnumMap<>(Map.ofEntries(
            Map.entry(GgmlType.F32, 0.0),
            Map.entry(GgmlType.F16, 2.6e-4),   // measured 2.08e-4
            Map.entry(GgmlType.BF16, 2.1e-3),  // measured 1.67e-3
            Map.entry(GgmlType.Q8_0, 6.7e-3),  // measured 5.37e-3
            Map.entry(GgmlType.Q6_K, 2.2e-2),  // measured 1.78e-2
            Map.entry(GgmlType.Q5_0, 5.4e-2),  // measured 4.29e-2
            Map.entry(GgmlType.Q5_1, 4.8e-2),  // measured 3.80e-2
            Map.entry(GgmlType.Q5_K, 4.5e-2),  // measured 3.62e-2
            Map.entry(GgmlType.Q4_0, 1.08e-1), // measured 8.62e-2
            Map.entry(GgmlType.Q4_1, 9.8e-2),  // measured 7.84e-2
            Map.entry(GgmlType.Q4_K, 9.0e-2),  // measured 7.15e-2
            Map.entry(GgmlType.Q3_K, 1.9e-1),  // measured 1.52e-1
            Map.entry(GgmlType.Q2_K, 3.7e-1))); // measured 2.97e-1

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "Q8_0", "Q6_K", "Q5_0", "Q5_1", "Q5_K_S", "Q5_K_M", "Q4_0", "Q4_1",
            "Q4_K_S", "Q4_K_M", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q2_K"})
    void everyTensorStaysWithinItsTypeBudgetOfTheF32Original(String fileType) throws IOException {
        try (GgufFile f32 = GgufFile.open(MODELS.resolve("tiny-gptneox-d256-F32.gguf"));
             GgufFile q = GgufFile.open(MODELS.resolve("tiny-gptneox-d256-" + fileType + ".gguf"))) {
            assertEquals(f32.tensors().size(), q.tensors().size(), "tensor count");
            int quantized = 0;
            for (GgufTensorInfo ref : f32.tensors()) {
                GgufTensorInfo t = q.tensor(ref.name());
                assertEquals(ref.shapeString(), t.shapeString(), ref.name() + " shape");
                int n = Math.toIntExact(ref.elements());
                float[] want = new float[n];
                float[] got = new float[n];
                TensorCodecs.dequantize(GgmlType.F32, f32.data(ref), 0, want, 0, n);
                TensorCodecs.dequantize(t.type(), q.data(t), 0, got, 0, n);
                double err = 0;
                double norm = 0;
                for (int i = 0; i < n; i++) {
                    double d = (double) got[i] - want[i];
                    err += d * d;
                    norm += (double) want[i] * want[i];
                }
                double rel = Math.sqrt(err / norm);
                double budget = RELATIVE_RMS_BUDGET.get(t.type());
                assertTrue(rel <= budget, () -> fileType + " " + t.name() + " (" + t.type() + "): relative RMS error "
                        + rel + " exceeds the " + t.type() + " budget " + budget);
                if (t.type().isQuantized()) {
                    quantized++;
                    // a quantized tensor equal to the original would mean we read the F32 bytes by mistake
                    assertTrue(rel > 0, t.name() + " is bit-identical to the F32 original");
                }
            }
            if (!fileType.equals("F16") && !fileType.equals("BF16")) {
                assertTrue(quantized > 0, fileType + " has no quantized tensor");
            }
        }
    }
}
