package dev.neox4j.engine.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.TestData;
import dev.neox4j.engine.tensor.WeightLayout;
import dev.neox4j.engine.tensor.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every Vector API kernel against its scalar twin, on random data, for every type, with row lengths that are not
 * multiples of the vector width and batches of 1, 3 and 8; plus batch and row-split invariance (bit-identical).
 */
class VectorKernelsTest {

    /**
     * Allowed |vector - scalar| relative to {@code sum_i |w_i * x_i|}: both sum exact integer block sums and
     * differ only in the float accumulation order across blocks and lanes (measured ≤ 6e-8 at 2048 columns,
     * every type).
     */
    static final double VECTOR_VS_SCALAR_REL = 5e-7;

    private static final ScalarKernels SCALAR = new ScalarKernels();
    private static final VectorKernels VECTOR = new VectorKernels();

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        GgmlType[] legacy = {GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0};
        GgmlType[] kquants = {GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K};
        GgmlType[] floats = {GgmlType.F32, GgmlType.F16, GgmlType.BF16};
        for (GgmlType t : legacy) {
            for (int cols : new int[] {32, 96, 224, 800}) {
                out.add(Arguments.of(t, cols));
            }
        }
        for (GgmlType t : kquants) {
            for (int cols : new int[] {256, 768}) {
                out.add(Arguments.of(t, cols));
            }
        }
        for (GgmlType t : floats) {
            for (int cols : new int[] {1, 7, 24, 37, 96, 133}) {
                out.add(Arguments.of(t, cols));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("cases")
    void vectorMatchesScalarAndIsBatchInvariant(GgmlType type, int cols) {
        matchesScalarAndIsBatchInvariant(type, cols, false);
    }

    /**
     * Q4_0 in the layout the vector kernels can repack it to at load ({@link VectorKernels#pairs}, which
     * {@link VectorKernels#prepare} calls with {@code -Dneox4j.kernels.q4-pairs=true}: the pair layout where the
     * machine has 16 float lanes): the same checks, every path of that layout (single row, 3-4 rows,
     * decoded tile, odd last blocks); the scalar twin gives the same bits from either layout.
     */
    @ParameterizedTest(name = "Q4_0 prepared cols={0}")
    @ValueSource(ints = {32, 64, 96, 224, 800, 2048})
    void preparedQ4_0MatchesScalarAndIsBatchInvariant(int cols) {
        matchesScalarAndIsBatchInvariant(GgmlType.Q4_0, cols, true);
    }

    private static void matchesScalarAndIsBatchInvariant(GgmlType type, int cols, boolean prepared) {
        int rows = 5;
        long seed = type.ordinal() * 1000L + cols;
        float[] x = activations(8, cols, seed + 1);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix gguf = matrix(arena, type, TestData.gaussian(rows * cols, seed), rows, cols);
            WeightMatrix w = prepared ? VectorKernels.pairs(gguf, ParallelFor.SERIAL) : gguf;
            ActivationFormat f = MatmulKernels.activationFormat(type);
            float[] wd = dequantized(gguf);
            if (prepared) {
                assertEquals(VectorShapes.F == 16 ? WeightLayout.Q4_0_PAIRS : WeightLayout.GGUF, w.layout());
                Activations a = SCALAR.newActivations();
                SCALAR.quantize(x, 0, 8, cols, f, a);
                float[] fromFile = new float[8 * rows];
                float[] fromPrepared = new float[8 * rows];
                SCALAR.matmul(gguf, a, 0, rows, fromFile, 0, rows);
                SCALAR.matmul(w, a, 0, rows, fromPrepared, 0, rows);
                for (int i = 0; i < fromFile.length; i++) {
                    assertEquals(Float.floatToRawIntBits(fromFile[i]), Float.floatToRawIntBits(fromPrepared[i]),
                            "scalar twin, prepared layout vs file layout at " + i);
                }
            }

            for (int batch : new int[] {1, 3, 6, 8}) {
                Activations a = VECTOR.newActivations();
                VECTOR.quantize(x, 0, batch, cols, f, a);
                float[] vs = new float[batch * rows];
                float[] sc = new float[batch * rows];
                VECTOR.matmul(w, a, 0, rows, vs, 0, rows);
                SCALAR.matmul(w, a, 0, rows, sc, 0, rows);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < rows; r++) {
                        double tol = Math.max(magnitude(wd, r, x, b, cols) * VECTOR_VS_SCALAR_REL, 1e-30);
                        assertEquals(sc[b * rows + r], vs[b * rows + r], tol,
                                type + " cols " + cols + " batch " + batch + " b " + b + " r " + r);
                    }
                }
            }

            // batch invariance: every row computed alone equals the same row inside batches of 2, 3, 4, 6 and 8 (direct
            // and decoded paths, full and partial 4x4 tiles), bit for bit
            Activations all = VECTOR.newActivations();
            VECTOR.quantize(x, 0, 8, cols, f, all);
            float[] batched = new float[8 * rows];
            VECTOR.matmul(w, all, 0, rows, batched, 0, rows);
            Activations one = VECTOR.newActivations();
            for (int b = 0; b < 8; b++) {
                VECTOR.quantize(x, b * cols, 1, cols, f, one);
                float[] alone = new float[rows];
                VECTOR.matmul(w, one, 0, rows, alone, 0, rows);
                for (int r = 0; r < rows; r++) {
                    assertEquals(Float.floatToRawIntBits(alone[r]), Float.floatToRawIntBits(batched[b * rows + r]),
                            type + " batch invariance b " + b + " r " + r + ": " + alone[r] + " vs " + batched[b * rows + r]);
                }
            }
            for (int size : new int[] {2, 3, 4, 6}) {
                Activations part = VECTOR.newActivations();
                VECTOR.quantize(x, 0, size, cols, f, part);
                float[] res = new float[size * rows];
                VECTOR.matmul(w, part, 0, rows, res, 0, rows);
                for (int i = 0; i < res.length; i++) {
                    assertEquals(Float.floatToRawIntBits(batched[i]), Float.floatToRawIntBits(res[i]),
                            type + " batch of " + size + " differs at " + i);
                }
            }
            // row-split invariance: two threads' halves give the same bits as one call
            float[] split = new float[8 * rows];
            VECTOR.matmul(w, all, 0, 2, split, 0, rows);
            VECTOR.matmul(w, all, 2, rows, split, 0, rows);
            for (int i = 0; i < split.length; i++) {
                assertEquals(Float.floatToRawIntBits(batched[i]), Float.floatToRawIntBits(split[i]), "split " + i);
            }
        }
    }

    /**
     * Allowed |prompt path - scalar| relative to {@code sum_i |w_i * x_i|}: the prompt path multiplies the
     * dequantized weights with the dequantized activations in one float FMA chain, so it differs from the exact
     * integer block sums by the rounding of the products and of the running sum (measured ≤ 2e-7).
     */
    static final double PROMPT_VS_SCALAR_REL = 2e-6;

    /**
     * Prompt rows (of every block type but Q4_1/Q5_1, which keep the integer path for them): within
     * {@link #PROMPT_VS_SCALAR_REL} of the scalar reference; bit-identical whether computed alone,
     * among other prompt rows or among generated rows, and over any row split; the generated rows of a mixed batch
     * are bit-identical to the same rows computed alone (the integer path).
     */
    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("cases")
    void promptRowsTakeTheirOwnPathAndStayBatchInvariant(GgmlType type, int cols) {
        promptRowsStayBatchInvariant(type, cols, false);
    }

    /** {@link #promptRowsTakeTheirOwnPathAndStayBatchInvariant} for Q4_0 in the layout it is repacked to. */
    @ParameterizedTest(name = "Q4_0 prepared cols={0}")
    @ValueSource(ints = {32, 96, 800, 2048})
    void promptRowsOfPreparedQ4_0StayBatchInvariant(int cols) {
        promptRowsStayBatchInvariant(GgmlType.Q4_0, cols, true);
    }

    /**
     * Prompt (true) and generated (false) rows of the mixed batches: runs of one and two generated rows among
     * prompts, a run of four (the multi-row kernel), a prompt's last token fed as a generated row (every prompt
     * request of the server), and more generated rows than the direct kernels take beside prompts (the decoded tile).
     */
    private static final boolean[][] MIXED_BATCHES = {
        {false, true, true, false, false, true, true, true},
        {true, false, false, false, false, true, true, true},
        {true, true, true, true, true, true, true, false},
        {true, false, false, false, true, false, false, false},
    };

    private static void promptRowsStayBatchInvariant(GgmlType type, int cols, boolean prepared) {
        int rows = 7;
        long seed = type.ordinal() * 7919L + cols;
        float[] x = activations(8, cols, seed + 1);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix gguf = matrix(arena, type, TestData.gaussian(rows * cols, seed), rows, cols);
            WeightMatrix w = prepared ? VectorKernels.pairs(gguf, ParallelFor.SERIAL) : gguf;
            ActivationFormat f = MatmulKernels.activationFormat(type);
            float[] wd = dequantized(gguf);

            float[] allPrompt = run(w, x, 8, cols, new boolean[] {true, true, true, true, true, true, true, true});
            float[] generated = run(w, x, 8, cols, new boolean[8]);
            for (boolean[] mixedFlags : MIXED_BATCHES) {
                float[] mixed = run(w, x, 8, cols, mixedFlags);
                Activations a = VECTOR.newActivations();
                VECTOR.quantize(x, 0, 8, cols, f, a);
                float[] scalar = new float[8 * rows];
                SCALAR.matmul(w, a, 0, rows, scalar, 0, rows);
                for (int b = 0; b < 8; b++) {
                    float[] alone = run(w, java.util.Arrays.copyOfRange(x, b * cols, (b + 1) * cols), 1, cols,
                            new boolean[] {mixedFlags[b]});
                    for (int r = 0; r < rows; r++) {
                        int i = b * rows + r;
                        String where = type + " cols " + cols + " batch " + java.util.Arrays.toString(mixedFlags)
                                + " b " + b + " r " + r;
                        assertEquals(Float.floatToRawIntBits(alone[r]), Float.floatToRawIntBits(mixed[i]),
                                where + " alone");
                        boolean promptPath = mixedFlags[b] && type != GgmlType.Q4_1 && type != GgmlType.Q5_1;
                        if (promptPath) {
                            assertEquals(Float.floatToRawIntBits(allPrompt[i]), Float.floatToRawIntBits(mixed[i]),
                                    where + " among prompts vs among generated rows");
                            double tol = Math.max(magnitude(wd, r, x, b, cols) * PROMPT_VS_SCALAR_REL, 1e-30);
                            assertEquals(scalar[i], mixed[i], tol,
                                    where + " vs scalar");
                        } else {
                            assertEquals(Float.floatToRawIntBits(generated[i]), Float.floatToRawIntBits(mixed[i]),
                                    where + " generated row changed by prompt rows in its batch");
                        }
                    }
                }
                // row split of a mixed batch
                Activations m = VECTOR.newActivations();
                m.markPromptRows(mixedFlags, 8);
                VECTOR.quantize(x, 0, 8, cols, f, m);
                float[] split = new float[8 * rows];
                VECTOR.matmul(w, m, 0, 3, split, 0, rows);
                VECTOR.matmul(w, m, 3, rows, split, 0, rows);
                for (int i = 0; i < split.length; i++) {
                    assertEquals(Float.floatToRawIntBits(mixed[i]), Float.floatToRawIntBits(split[i]),
                            type + " split " + java.util.Arrays.toString(mixedFlags) + " " + i);
                }
            }
        }
    }

    /** {@code rows} random activation rows, larger than the weights as in a model. */
    private static float[] activations(int rows, int cols, long seed) {
        float[] x = TestData.gaussian(rows * cols, seed);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 50f;
        }
        return x;
    }

    /** {@code wf} quantized to {@code type} in an unaligned native segment, like a tensor of a mapped file. */
    private static WeightMatrix matrix(Arena arena, GgmlType type, float[] wf, int rows, int cols) {
        byte[] bytes = TensorCodecs.quantize(type, wf, 0, rows * cols);
        MemorySegment seg = arena.allocate(bytes.length + 1).asSlice(1);
        seg.copyFrom(MemorySegment.ofArray(bytes));
        return new WeightMatrix("w", type, seg, rows, cols);
    }

    /** {@code sum_i |w[r][i] * x[b][i]|}, the scale the tolerances are relative to. */
    private static double magnitude(float[] wd, int r, float[] x, int b, int cols) {
        double mag = 0;
        for (int i = 0; i < cols; i++) {
            mag += Math.abs((double) wd[r * cols + i] * x[b * cols + i]);
        }
        return mag;
    }

    /** The weights of {@code w} as the codec dequantizes them. */
    private static float[] dequantized(WeightMatrix w) {
        float[] wd = new float[w.rows() * w.cols()];
        TensorCodecs.dequantize(w.type(), w.data(), 0, wd, 0, wd.length);
        return wd;
    }

    /** One vector matmul of {@code batch} activation rows of {@code x}, marked by {@code flags}. */
    private static float[] run(WeightMatrix w, float[] x, int batch, int cols, boolean[] flags) {
        Activations a = VECTOR.newActivations();
        a.markPromptRows(flags, batch);
        VECTOR.quantize(x, 0, batch, cols, MatmulKernels.activationFormat(w.type()), a);
        float[] out = new float[batch * w.rows()];
        VECTOR.matmul(w, a, 0, w.rows(), out, 0, w.rows());
        return out;
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void vectorMatchesLlamaCppVecDot(GgmlType type) {
        com.fasterxml.jackson.databind.JsonNode t = dev.neox4j.engine.tensor.QuantTestVectors.type(type.name());
        byte[] blocks = dev.neox4j.engine.tensor.QuantTestVectors.hex(t, "blocks_hex");
        float[] x = dev.neox4j.engine.tensor.QuantTestVectors.activation();
        float[] wd = dev.neox4j.engine.tensor.QuantTestVectors.floats(t.get("dequantized"));
        WeightMatrix w = new WeightMatrix("w", type, MemorySegment.ofArray(blocks), 1, x.length);
        Activations a = VECTOR.newActivations();
        VECTOR.quantize(x, 0, 1, x.length, MatmulKernels.activationFormat(type), a);
        float[] out = new float[1];
        VECTOR.matmul(w, a, 0, 1, out, 0, 1);
        double mag = 0;
        for (int i = 0; i < x.length; i++) {
            mag += Math.abs((double) wd[i] * a.values()[i] * a.scales()[i / MatmulKernels.activationFormat(type).blockElems]);
        }
        assertEquals(t.get("vec_dot").asDouble(), out[0], mag * VECTOR_VS_SCALAR_REL, type + " vec_dot");
    }

    @Test
    void vectorKernelsRefuseMismatchedActivations() {
        WeightMatrix w = new WeightMatrix("w", GgmlType.Q4_0, MemorySegment.ofArray(new byte[18]), 1, 32);
        Activations a = VECTOR.newActivations();
        VECTOR.quantize(new float[32], 0, 1, 32, ActivationFormat.Q8_1, a);
        assertThrows(IllegalArgumentException.class, () -> VECTOR.matmul(w, a, 0, 1, new float[1], 0, 1));
    }

    @Test
    void selectPicksVectorWhenAvailable() {
        MatmulKernels v = Kernels.select("vector");
        assertTrue(v.name().startsWith("vector-"), v.name());
        assertEquals(v.name(), Kernels.select("auto").name()); // this build runs with the module and >= 256 bits
        assertEquals(v.name(), Kernels.select(null).name());
        assertEquals("scalar", Kernels.select(" Scalar ").name());
    }
}
