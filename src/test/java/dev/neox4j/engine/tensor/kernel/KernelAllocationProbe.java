package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.TestData;
import dev.neox4j.engine.tensor.WeightMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The body of {@link VectorKernelAllocationTest}, run as the {@code main} of a JVM of its own for the weight types
 * named on its command line (one model file's mix). Prints one {@code ALLOC} line per case and exits with status 1
 * when a case kept allocating once compiled, 0 otherwise.
 */
final class KernelAllocationProbe {

    private record Case(String name, WeightMatrix w, Activations a) {
    }

    private KernelAllocationProbe() {
    }

    public static void main(String[] args) {
        List<GgmlType> types = Arrays.stream(args).map(GgmlType::valueOf).toList();
        List<String> failures = run(types);
        System.out.println(failures.isEmpty() ? "CLEAN" : "BOXED " + String.join("; ", failures));
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /**
     * Runs every vector kernel path of {@code types} until it allocates nothing per call or 30 seconds have passed
     * ({@link AllocationPerCall}); returns the cases that never got there.
     */
    private static List<String> run(List<GgmlType> types) {
        VectorKernels vector = new VectorKernels();
        List<String> failures = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            for (Case c : cases(arena, vector, types)) {
                float[] out = new float[c.a().rows() * c.w().rows()];
                AllocationPerCall.check(c.name(),
                        () -> vector.matmul(c.w(), c.a(), 0, c.w().rows(), out, 0, c.w().rows()),
                        Duration.ofSeconds(30), failures);
            }
        }
        return failures;
    }

    /**
     * Per weight type: batch 1 (decode), batch 4 (direct multi-row or tile), 8 prompt rows (partial panels) and
     * 128 (full register tiles of four 32-row panels); every layout.
     */
    private static List<Case> cases(Arena arena, VectorKernels vector, List<GgmlType> types) {
        List<Case> cases = new ArrayList<>();
        for (GgmlType t : types) {
            if (!KernelTable.has(t)) {
                throw new IllegalArgumentException(t + " has no kernel");
            }
            int cols = t.blockElems >= 256 ? 512 : 256;
            int rows = 8;
            WeightMatrix gguf = matrix(arena, t, rows, cols);
            List<WeightMatrix> layouts = new ArrayList<>(List.of(gguf));
            WeightMatrix prepared = VectorKernels.pairs(gguf, ParallelFor.SERIAL); // the layouts a server may run
            if (prepared != gguf) {
                layouts.add(prepared);
            }
            for (WeightMatrix w : layouts) {
                String name = t + "/" + w.layout();
                cases.add(new Case(name + " batch 1", w, activations(vector, t, 1, cols, 0)));
                cases.add(new Case(name + " batch 4", w, activations(vector, t, 4, cols, 0)));
                cases.add(new Case(name + " 8 prompt rows", w, activations(vector, t, 8, cols, 8)));
                cases.add(new Case(name + " 128 prompt rows", w, activations(vector, t, 128, cols, 128)));
                // a server's prompt: its last token fed as a generated row (the direct kernels beside the tiles)
                cases.add(new Case(name + " 127 prompt rows + 1", w, activations(vector, t, 128, cols, 127)));
            }
        }
        return cases;
    }

    private static WeightMatrix matrix(Arena arena, GgmlType type, int rows, int cols) {
        float[] wf = TestData.gaussian(rows * cols, type.ordinal());
        byte[] bytes = TensorCodecs.quantize(type, wf, 0, rows * cols);
        MemorySegment seg = arena.allocate(bytes.length);
        seg.copyFrom(MemorySegment.ofArray(bytes));
        return new WeightMatrix("w", type, seg, rows, cols);
    }

    /** {@code rows} activation rows of which the first {@code prompts} are marked as prompt rows. */
    private static Activations activations(VectorKernels vector, GgmlType type, int rows, int cols, int prompts) {
        Activations a = vector.newActivations();
        boolean[] flags = new boolean[rows];
        Arrays.fill(flags, 0, prompts, true);
        a.markPromptRows(flags, rows);
        ActivationFormat f = MatmulKernels.activationFormat(type);
        vector.quantize(TestData.gaussian(rows * cols, 99), 0, rows, cols, f, a);
        return a;
    }
}
