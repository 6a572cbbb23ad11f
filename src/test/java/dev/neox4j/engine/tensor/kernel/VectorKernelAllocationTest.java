package dev.neox4j.engine.tensor.kernel;

import com.sun.management.ThreadMXBean;
import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.TestData;
import dev.neox4j.engine.tensor.WeightMatrix;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every vector row kernel of {@link KernelTable}, on each of its paths (one row, the direct 3-4-row kernels, the
 * decoded prompt tiles; Q4_0 also in its repacked layout), stops allocating once C2 has compiled it. A kernel that
 * C2 did not inline keeps its vectors boxed and allocates on every call for good (package-info explains why the
 * kernels repeat per type to avoid that); this test fails then.
 *
 * <p>Each case runs in successive windows until one allocates nothing per call or 30 seconds have passed;
 * compiled kernels reach a clean window, boxed ones never do. It runs in a Surefire execution of its own (a fresh
 * JVM), where the kernels compile as in a server: in the foreground, by the directive {@link ForegroundCompilation}
 * installs (with background compilation the outcome depended on the machine's timing; that class explains).
 *
 * <p>{@code -Dneox.test.kernel-types=Q4_K,Q6_K} restricts the cases to the named types (for bisecting).
 */
class VectorKernelAllocationTest {

    /** Bytes per matmul call a compiled kernel may show (JVM-internal noise); a boxed kernel allocates kilobytes. */
    private static final long MAX_BYTES_PER_CALL = 64;

    private record Case(String name, WeightMatrix w, Activations a) {
    }

    @Test
    void everyVectorKernelPathStopsAllocatingOnceCompiled() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported());
        mx.setThreadAllocatedMemoryEnabled(true);
        VectorKernels vector = new VectorKernels();
        List<String> failures = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            for (Case c : cases(arena, vector)) {
                float[] out = new float[c.a().rows() * c.w().rows()];
                long best = Long.MAX_VALUE;
                long deadline = System.nanoTime() + 30_000_000_000L;
                long tid = Thread.currentThread().threadId();
                while (best > MAX_BYTES_PER_CALL && System.nanoTime() < deadline) {
                    int calls = 2_000;
                    long before = mx.getThreadAllocatedBytes(tid);
                    for (int i = 0; i < calls; i++) {
                        vector.matmul(c.w(), c.a(), 0, c.w().rows(), out, 0, c.w().rows());
                    }
                    best = Math.min(best, (mx.getThreadAllocatedBytes(tid) - before) / calls);
                }
                System.out.println("ALLOC " + c.name() + ": " + best + " bytes per call");
                if (best > MAX_BYTES_PER_CALL) {
                    failures.add(c.name() + " allocates " + best + " bytes per call");
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    /** Per weight type of the table: batch 1 (decode), batch 4 (direct multi-row or tile), 8 prompt rows. */
    private static List<Case> cases(Arena arena, VectorKernels vector) {
        List<Case> cases = new ArrayList<>();
        for (GgmlType t : GgmlType.values()) {
            if (!KernelTable.has(t)) {
                continue;
            }
            String only = System.getProperty("neox.test.kernel-types");
            if (only != null && !java.util.Arrays.asList(only.split(",")).contains(t.name())) {
                continue;
            }
            int cols = t.blockElems >= 256 ? 512 : 256;
            int rows = 8;
            WeightMatrix gguf = matrix(arena, t, rows, cols);
            List<WeightMatrix> layouts = new ArrayList<>(List.of(gguf));
            WeightMatrix prepared = vector.prepare(gguf, ParallelFor.SERIAL);
            if (prepared != gguf) {
                layouts.add(prepared);
            }
            for (WeightMatrix w : layouts) {
                String name = t + "/" + w.layout();
                cases.add(new Case(name + " batch 1", w, activations(vector, t, 1, cols, false)));
                cases.add(new Case(name + " batch 4", w, activations(vector, t, 4, cols, false)));
                cases.add(new Case(name + " 8 prompt rows", w, activations(vector, t, 8, cols, true)));
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

    private static Activations activations(VectorKernels vector, GgmlType type, int rows, int cols, boolean prompt) {
        Activations a = vector.newActivations();
        boolean[] flags = new boolean[rows];
        java.util.Arrays.fill(flags, prompt);
        a.markPromptRows(flags, rows);
        ActivationFormat f = MatmulKernels.activationFormat(type);
        vector.quantize(TestData.gaussian(rows * cols, 99), 0, rows, cols, f, a);
        return a;
    }
}
