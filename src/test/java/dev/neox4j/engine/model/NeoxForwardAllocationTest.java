package dev.neox4j.engine.model;

import com.sun.management.ThreadMXBean;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.runtime.WorkerPool;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.kernel.Kernels;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The forward pass's own decode hot path allocates nothing once its buffers have grown to size. Runs with the
 * scalar kernels so that it measures this package's code; the kernels' own allocation is the kernel tests' concern.
 */
class NeoxForwardAllocationTest {

    /** Per decode step; generous for JVM-internal noise, far below one buffer of the model (1 KiB vs 2 KiB logits). */
    static final long MAX_BYTES_PER_STEP = 256;

    @Test
    void decodeStepsDoNotAllocate() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported());
        mx.setThreadAllocatedMemoryEnabled(true);
        try (GgufFile file = ModelFixtures.open("Q4_K_M")) {
            NeoxModel m = NeoxModel.load(file);
            NeoxForward fwd = new NeoxForward(m, Kernels.select("scalar"), ParallelFor.SERIAL, 8);
            KvCache cache = KvCache.forModel(m.hparams(), 512, KvCache.ElementType.F16);
            ForwardBatch batch = new ForwardBatch();
            for (int i = 0; i < 200; i++) { // warm up: buffers reach their size, JIT settles
                batch.clear();
                batch.add(cache, i % 500, true);
                fwd.forward(batch);
            }
            int steps = 100;
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < steps; i++) {
                batch.clear();
                batch.add(cache, (i * 7) % 500, true);
                fwd.forward(batch);
            }
            long perStep = (mx.getThreadAllocatedBytes(tid) - before) / steps;
            System.out.println("ALLOC bytes per decode step: " + perStep);
            assertTrue(perStep <= MAX_BYTES_PER_STEP, perStep + " bytes allocated per decode step");
        }
    }

    /**
     * The production path: vector kernels (matmuls and attention), two worker threads, decode steps of four
     * sequences, counted over all threads. The vector kernels allocate (boxed vectors) until C2 has compiled them,
     * and when C2 fails to inline one they allocate on every call, for good: so the test measures successive
     * windows and requires one window to be allocation-free, which compiled kernels reach and boxed ones never do.
     */
    @Test
    void vectorDecodeStepsOnTwoThreadsStopAllocatingOnceCompiled() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        mx.setThreadAllocatedMemoryEnabled(true);
        for (String type : new String[] {"Q4_0", "Q8_0", "F16"}) {
            try (GgufFile file = ModelFixtures.open(type); WorkerPool pool = new WorkerPool(2)) {
                NeoxModel m = NeoxModel.load(file);
                NeoxForward fwd = new NeoxForward(m, Kernels.select("vector"), pool, 8);
                KvCache[] caches = new KvCache[4];
                for (int c = 0; c < caches.length; c++) {
                    caches[c] = KvCache.forModel(m.hparams(), 1024, KvCache.ElementType.F16);
                }
                ForwardBatch batch = new ForwardBatch();
                long best = Long.MAX_VALUE;
                int step = 0;
                for (int window = 0; window < 40 && best > MAX_BYTES_PER_STEP; window++) {
                    int steps = 20;
                    long before = mx.getTotalThreadAllocatedBytes();
                    for (int i = 0; i < steps; i++, step++) {
                        batch.clear();
                        for (KvCache c : caches) {
                            batch.add(c, (step * 7 + c.length()) % 500, true);
                        }
                        fwd.forward(batch);
                    }
                    best = Math.min(best, (mx.getTotalThreadAllocatedBytes() - before) / steps);
                }
                System.out.println("ALLOC " + type + " vector, 2 threads, 4 sequences: " + best + " bytes per step");
                assertTrue(best <= MAX_BYTES_PER_STEP, type + ": " + best + " bytes allocated per decode step");
                for (KvCache c : caches) {
                    c.close();
                }
            }
        }
    }
}
