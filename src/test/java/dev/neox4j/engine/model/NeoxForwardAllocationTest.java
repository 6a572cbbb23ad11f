package dev.neox4j.engine.model;

import com.sun.management.ThreadMXBean;
import dev.neox4j.engine.gguf.GgufFile;
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
}
