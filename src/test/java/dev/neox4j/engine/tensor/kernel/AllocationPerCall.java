package dev.neox4j.engine.tensor.kernel;

import com.sun.management.ThreadMXBean;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;

/**
 * How the kernel allocation tests ({@link KernelAllocationProbe}, {@link AttentionKernelAllocationTest}) tell a
 * compiled kernel from a boxed one: the call runs in successive windows of 2,000 calls until one window allocates
 * at most {@link #MAX_BYTES} per call or the time allowed has passed. Compiled kernels reach a clean window; boxed
 * ones allocate kilobytes on every call for good.
 */
final class AllocationPerCall {

    /** Bytes per call a compiled kernel may show (JVM-internal noise); a boxed kernel allocates kilobytes. */
    static final long MAX_BYTES = 64;

    private AllocationPerCall() {
    }

    /**
     * Measures {@code call} as above on the current thread, prints {@code ALLOC <name>: <bytes> bytes per call}
     * (the fewest of any window) and adds a line to {@code failures} when no window was clean within {@code limit}.
     */
    static void check(String name, Runnable call, Duration limit, List<String> failures) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!mx.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot count allocated bytes per thread");
        }
        mx.setThreadAllocatedMemoryEnabled(true);
        long tid = Thread.currentThread().threadId();
        long best = Long.MAX_VALUE;
        long deadline = System.nanoTime() + limit.toNanos();
        while (best > MAX_BYTES && System.nanoTime() < deadline) {
            int calls = 2_000;
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            best = Math.min(best, (mx.getThreadAllocatedBytes(tid) - before) / calls);
        }
        System.out.println("ALLOC " + name + ": " + best + " bytes per call");
        if (best > MAX_BYTES) {
            failures.add(name + " allocates " + best + " bytes per call");
        }
    }
}
