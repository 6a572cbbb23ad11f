package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxHParams;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * How many KV cache slots fit in the memory this process really has: the physical memory of the machine, or the
 * container's limit when it is lower (the JVM reads the cgroup limit), minus the memory-mapped weights (their
 * page-cache pages count against the same memory once touched) and what the JVM itself may hold (the maximum heap,
 * which it may grow to, plus a fixed allowance for metaspace, code cache and thread stacks). The KV cache lives
 * outside the heap, so the heap does not need to be large: a small {@code -Xmx} or {@code -XX:MaxRAMPercentage}
 * leaves more room for KV slots.
 *
 * <p>When the requested number of slots does not fit, the pool is made smaller (a warning says so); only when not
 * even one slot of the configured context length fits does the engine refuse to start, with the sizes that would
 * work.
 *
 * @param totalBytes memory of the machine or container
 * @param fileBytes  size of the mapped model file
 * @param jvmBytes   memory the JVM needs besides the weights and the KV cache
 */
record KvMemoryBudget(long totalBytes, long fileBytes, long jvmBytes) {

    private static final System.Logger LOG = System.getLogger(KvMemoryBudget.class.getName());
    /** Native memory of the JVM outside the heap (metaspace, code cache, thread stacks, GC structures). */
    static final long JVM_NATIVE_ALLOWANCE = 256L << 20;

    /** The budget of this process for a model file of {@code fileBytes}. */
    static KvMemoryBudget forThisProcess(long fileBytes) {
        return new KvMemoryBudget(machineBytes(), fileBytes, Runtime.getRuntime().maxMemory() + JVM_NATIVE_ALLOWANCE);
    }

    /** Physical memory, or the container's memory limit when lower; {@code Long.MAX_VALUE} when unknown. */
    static long machineBytes() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                long total = os.getTotalMemorySize();
                if (total > 0) {
                    return total;
                }
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "total memory size unavailable", e);
        }
        return Long.MAX_VALUE;
    }

    /** Bytes left for the KV cache (may be negative when the weights alone do not fit). */
    long forKv() {
        return totalBytes == Long.MAX_VALUE ? Long.MAX_VALUE : totalBytes - fileBytes - jvmBytes;
    }

    /**
     * Slots to allocate: {@code requested} when they fit, else as many as fit (at least one).
     *
     * @param model    file name, for the messages
     * @throws IllegalArgumentException when not even one slot fits; the message gives the sizes that would
     */
    int slots(NeoxHParams hp, int capacity, KvCache.ElementType type, int requested, String model) {
        long perSlot = KvCache.bytesFor(hp, capacity, type);
        long room = forKv();
        if (room == Long.MAX_VALUE || perSlot * requested <= room) {
            return requested;
        }
        int fit = room <= 0 ? 0 : (int) Math.min(requested, room / perSlot);
        if (fit >= 1) {
            LOG.log(System.Logger.Level.WARNING, String.format(Locale.ROOT,
                    "%s: %d KV slots of %,d positions need %,d MiB but %,d MiB are left next to the %,d MiB of "
                            + "weights and %,d MiB for the JVM in %,d MiB of memory; serving %d sequences at a time "
                            + "(give the process %,d MiB for %d, or lower neox.context-length)",
                    model, requested, capacity, mib(perSlot * requested), mib(room), mib(fileBytes), mib(jvmBytes),
                    mib(totalBytes), fit, ceilMib(fileBytes + jvmBytes + perSlot * requested), requested));
            return fit;
        }
        StringBuilder advice = new StringBuilder(String.format(Locale.ROOT,
                "%s needs %,d MiB for its memory-mapped weights, %,d MiB for the KV cache of one sequence (%,d "
                        + "positions x %d layers x %d values x 2, %s) and about %,d MiB for the JVM, but this "
                        + "machine or container has %,d MiB: give it at least %,d MiB",
                model, mib(fileBytes), mib(perSlot), capacity, hp.blockCount(), hp.embeddingLength(),
                type.name().toLowerCase(Locale.ROOT), mib(jvmBytes), mib(totalBytes),
                ceilMib(fileBytes + jvmBytes + perSlot)));
        long perPosition = Math.max(1, perSlot / capacity);
        int ctxFits = room <= 0 ? 0 : (int) Math.min(capacity - 1L, room / perPosition);
        if (ctxFits >= 1) {
            advice.append(String.format(Locale.ROOT, ", or lower neox.context-length to at most %,d", ctxFits));
        }
        if (type == KvCache.ElementType.F32 && room >= perSlot / 2) {
            advice.append(", or use neox.kv-cache-type=f16 (half the size)");
        }
        throw new IllegalArgumentException(advice.toString());
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }

    private static long ceilMib(long bytes) {
        return (bytes + (1L << 20) - 1) >> 20;
    }
}
