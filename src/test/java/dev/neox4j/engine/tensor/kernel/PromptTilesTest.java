package dev.neox4j.engine.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.PromptPanels;
import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.TestData;
import dev.neox4j.engine.tensor.WeightLayout;
import dev.neox4j.engine.tensor.WeightMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The prompt tiles ({@link PromptTiles}, {@link PromptTilesInt16} for Q4_0) against their scalar twins, bit for
 * bit: the panels the quantizer writes hold each prompt row's quants times their block scale (or its quants and
 * block scales), and every result of a prompt matmul is the twin's dot of the decoded weight row and the prompt
 * row, whatever the number of prompt
 * rows (full register tiles of four panels, the single-panel remainder, padded lanes), the weight rows left over
 * by the six-row tiles, the column blocks and the row range.
 */
class PromptTilesTest {

    private static final VectorKernels VECTOR = new VectorKernels();

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        GgmlType[] types = {GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K,
                GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K};
        for (GgmlType t : types) {
            int cols = t.blockElems == 256 ? 768 : 800; // several column blocks, the last one partial
            for (int prompts : new int[] {1, 19, 70}) {
                out.add(Arguments.of(t, cols, prompts, false, true));
            }
        }
        out.add(Arguments.of(GgmlType.Q4_0, 800, 130, false, true)); // full 16-bit register tiles of 128 rows
        out.add(Arguments.of(GgmlType.Q4_0, 800, 130, true, true));
        out.add(Arguments.of(GgmlType.Q4_0, 2048, 19, true, true));
        // prompt rows only: Q4_0's 16-bit tiles then decode the quants straight to shorts
        out.add(Arguments.of(GgmlType.Q4_0, 800, 130, false, false));
        out.add(Arguments.of(GgmlType.Q4_0, 800, 19, false, false));
        out.add(Arguments.of(GgmlType.Q4_0, 800, 19, true, false));
        out.add(Arguments.of(GgmlType.Q8_0, 800, 70, false, false));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} cols={1} prompts={2} prepared={3} generated={4}")
    @MethodSource("cases")
    void promptMatmulIsTheScalarTwinBitForBit(GgmlType type, int cols, int prompts, boolean prepared,
                                              boolean generated) {
        int rows = 13; // two six-row tiles and a single row
        int batch = generated ? prompts + 2 : prompts; // with two generated rows among the prompts, or none
        long seed = type.ordinal() * 31L + cols + prompts;
        float[] x = TestData.gaussian(batch * cols, seed + 1);
        boolean[] flags = new boolean[batch];
        Arrays.fill(flags, true);
        if (generated) {
            flags[0] = false;
            flags[batch / 2] = false;
        }
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = TensorCodecs.quantize(type, TestData.gaussian(rows * cols, seed), 0, rows * cols);
            MemorySegment seg = arena.allocate(bytes.length + 1).asSlice(1);
            seg.copyFrom(MemorySegment.ofArray(bytes));
            WeightMatrix gguf = new WeightMatrix("w", type, seg, rows, cols);
            WeightMatrix w = prepared ? VectorKernels.pairs(gguf, ParallelFor.SERIAL) : gguf;
            // the pair layout needs 16 float lanes; with 8 (AVX2) prepare keeps the file's layout
            assertEquals(prepared && VectorQ4Pairs.AVAILABLE ? WeightLayout.Q4_0_PAIRS : WeightLayout.GGUF, w.layout());

            Activations a = VECTOR.newActivations();
            a.markPromptRows(flags, batch);
            VECTOR.quantize(x, 0, batch, cols, MatmulKernels.activationFormat(type), a);
            boolean int16 = type == GgmlType.Q4_0 && PromptTilesInt16.ENABLED;

            // the weights as the tile holds them, decoded independently of the matmul
            RowDot k = w.layout() == WeightLayout.Q4_0_PAIRS ? VectorQ4Pairs.ROW_DOT : VectorKernels.dots(type);
            Decoded d = new Decoded();
            d.reset(rows, cols, k.blockElems());
            for (int r = 0; r < rows; r++) {
                k.decode(w.data(), r * w.rowBytes(), cols, d, r);
            }
            short[] qs = new short[rows * cols];
            for (int i = 0; i < qs.length; i++) {
                qs[i] = (short) d.q[i];
            }
            d.dequantize(rows, k.kind(), k.blockElems());

            float[] out = new float[batch * rows];
            VECTOR.matmul(w, a, 0, 5, out, 0, rows); // a row range that ends inside a six-row tile
            VECTOR.matmul(w, a, 5, rows, out, 0, rows);
            checkPanels(a, int16); // filled by the first matmul
            PromptPanels pp = a.promptPanels();
            int nb = cols / 32;
            for (int j = 0; j < a.promptRowCount(); j++) {
                int b = a.promptRow(j);
                for (int r = 0; r < rows; r++) {
                    float expected = int16
                            ? PromptTilesInt16.scalarDot(qs, r * cols, d.scale, r * d.nb, pp.quants(), quantPanel(j, cols),
                                    pp.scales(), (j / 32) * nb * 32 + PromptTilesInt16.lane(j), cols)
                            : PromptTiles.scalarDot(d.q, r * cols, pp.values(), panel(j, cols), cols);
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[b * rows + r]),
                            type + " prompt " + j + " (row " + b + ") weight row " + r);
                }
            }
        }
    }

    /** The panels hold every prompt row's dequantized values, or its quants and block scales for the 16-bit tiles. */
    private static void checkPanels(Activations a, boolean int16) {
        int cols = a.cols();
        int be = a.format().blockElems;
        PromptPanels pp = a.promptPanels();
        for (int j = 0; j < a.promptRowCount(); j++) {
            int r = a.promptRow(j);
            for (int k = 0; k < cols; k++) {
                float q = a.values()[a.valuesOffset(r) + k];
                float sc = a.scales()[a.scalesOffset(r) + k / be];
                if (int16) {
                    assertEquals((short) q, pp.quants()[quantPanel(j, cols) + k * 32], "quant panel " + j + " col " + k);
                    int so = (j / 32) * (cols / 32) * 32 + PromptTilesInt16.lane(j) + (k / 32) * 32;
                    assertEquals(Float.floatToRawIntBits(sc), Float.floatToRawIntBits(pp.scales()[so]),
                            "scale panel " + j + " col " + k);
                } else {
                    assertEquals(Float.floatToRawIntBits(q * sc),
                            Float.floatToRawIntBits(pp.values()[panel(j, cols) + k * VectorShapes.F]),
                            "panel of prompt " + j + " col " + k);
                }
            }
        }
    }

    /** Where prompt row {@code j}'s first quant is in the 16-bit panels. */
    private static int quantPanel(int j, int cols) {
        return (j / 32) * cols * 32 + j % 32;
    }

    /** Where prompt row {@code j}'s first element is in the panels. */
    private static int panel(int j, int cols) {
        int f = VectorShapes.F;
        return (j / f) * cols * f + j % f;
    }
}
