package dev.neox4j.engine.tensor.kernel;

import com.sun.management.ThreadMXBean;
import dev.neox4j.engine.tensor.TestData;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector attention products ({@link VectorAttentionDots}: one query and tiles of four against an f16 cache, the weighted sums, the softmax exponential) must not allocate once compiled: a product that C2 did not
 * inline whole keeps its vectors boxed and allocates on every call (see the package documentation). Runs in a JVM
 * of its own (surefire execution {@code attention-allocation-test}).
 */
class AttentionKernelAllocationTest {

    private static final long MAX_BYTES_PER_CALL = 64;

    @Test
    void attentionProductsStopAllocatingOnceCompiled() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported());
        mx.setThreadAllocatedMemoryEnabled(true);
        AttentionDots dots = new VectorKernels().newAttentionDots();
        int hd = 128;
        int nKeys = 67; // 4-key groups and a remainder
        long stride = hd + 16;
        List<String> failures = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cache = arena.allocate(4 * stride * (nKeys + 4), 64);
            float[] values = TestData.gaussian((int) (stride * (nKeys + 4)), 5);
            for (int i = 0; i < values.length; i++) {
                cache.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, values[i]);
            }
            MemorySegment half = arena.allocate(2 * stride * (nKeys + 4), 64);
            for (int i = 0; i < values.length; i++) {
                half.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(values[i]));
            }
            float[] q = TestData.gaussian(4 * hd, 6);
            float[] s = new float[4 * nKeys];
            float[] p = TestData.gaussian(4 * nKeys, 7);
            float[] out = new float[4 * hd];
            // one cache type per JVM, as in a server (neox.kv-cache-type is fixed per process): after the f16 paths
            // were compiled, C2 recompiled the f32 ones with the f16 load left out of line (boxed) in one run
            for (boolean f16 : new boolean[] {true}) {
                MemorySegment kv = f16 ? half : cache;
                String type = f16 ? "f16" : "f32";
                check(mx, "scores, 4 queries, " + type, failures,
                        () -> dots.scores(q, 4, hd, kv, f16, 0, stride, nKeys, 0.125f, s, nKeys));
                check(mx, "scores, 1 query, " + type, failures,
                        () -> dots.scores(q, 1, hd, kv, f16, 0, stride, nKeys, 0.125f, s, nKeys));
                check(mx, "weighted sum, 4 queries, " + type, failures,
                        () -> dots.weightedSum(p, nKeys, 4, nKeys - 3, kv, f16, 0, stride, hd, out, 0, hd));
                check(mx, "weighted sum, 1 query, " + type, failures,
                        () -> dots.weightedSum(p, nKeys, 1, nKeys, kv, f16, 0, stride, hd, out, 0, hd));
            }
            check(mx, "softmax exp", failures, () -> dots.softmaxExp(s, 0, nKeys));
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    private static void check(ThreadMXBean mx, String name, List<String> failures, Runnable call) {
        long tid = Thread.currentThread().threadId();
        long best = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (best > MAX_BYTES_PER_CALL && System.nanoTime() < deadline) {
            int calls = 2_000;
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            best = Math.min(best, (mx.getThreadAllocatedBytes(tid) - before) / calls);
        }
        System.out.println("ALLOC attention " + name + ": " + best + " bytes per call");
        if (best > MAX_BYTES_PER_CALL) {
            failures.add(name + " allocates " + best + " bytes per call");
        }
    }
}
