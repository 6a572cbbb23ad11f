package dev.neox4j.engine.tensor;

import dev.neox4j.engine.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Large zero-filled native buffers (the KV cache, weights repacked at load) whose pages are committed when they
 * are first written, not when they are allocated.
 *
 * <p>Why: {@link Arena#allocate} zero-fills the whole buffer on the calling thread, so every page is touched once
 * before it is used. A first touch of a page costs the kernel (and, under a hypervisor, the host) a page fault
 * and a zeroed page; on the development VM that is about 4 ms per MiB (BENCHMARKS.md "Time to ready, session 5"), so the
 * server's four 384 MiB KV slots of a 1.4b model cost 9 s before {@code /q/health/ready}, and a 12b model's
 * 6.3 GB of repacked weights 36 s on one thread. Anonymous memory from {@code mmap} is zero-filled by the kernel
 * on first touch instead, and {@link #populate} commits a range in bulk for a fraction of a fault's cost: the repack
 * populates the rows its worker threads are about to copy, the engine the KV slots in the background once it is
 * ready and idle (the runtime's KV committer; before it gets to a page, a forward pass's first write faults it in).
 *
 * <p>How: on Linux, when this module may call native code ({@code --enable-native-access=ALL-UNNAMED}, which the
 * packaged jar's manifest, the relaunched JVM and the containers set), {@code mmap(PROT_READ|PROT_WRITE,
 * MAP_PRIVATE|MAP_ANONYMOUS)} through the foreign-function API, released by {@code munmap} when the owning arena
 * is closed, with {@code madvise(MADV_HUGEPAGE)} unless the caller declines it (the KV cache does: populated at
 * once, huge pages cost the kernel a compaction each): where transparent huge pages are enabled for such ranges (the
 * kernel's {@code madvise} mode) a fault brings in 2 MiB at a time, which halved the first-touch cost on the
 * development VM (1 GiB on two threads: 2.3 s with 4 KiB pages, 0.4-1.5 s with huge pages) and takes a
 * gigabyte-sized stream of weights off the TLB's 4 KiB entries. The mapping is charged to the process's commit
 * limit like any allocation (no {@code MAP_NORESERVE}). Elsewhere (another OS, native access not enabled, a native image without the downcall
 * registered) it falls back to {@link Arena#allocate}, same contents, pages committed at once.
 */
public final class NativeMemory {

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final long MAP_FAILED = -1L;
    private static final int MADV_HUGEPAGE = 14;
    private static final int MADV_POPULATE_WRITE = 23; // Linux 5.14+; refused before (then first writes fault in)
    private static final long PAGE = 4096;

    /**
     * Whether {@code mmap}, {@code munmap} and {@code madvise} ({@link Libc}) are linked here and
     * {@code -Dneox4j.lazy-native-memory=false} does not decline them.
     */
    private static final boolean LINKED = Libc.linked()
            && !"false".equalsIgnoreCase(System.getProperty("neox4j.lazy-native-memory"));

    private NativeMemory() {
    }

    /** Whether allocations are committed on first touch ({@code mmap}) rather than zero-filled at once. */
    public static boolean lazy() {
        return LINKED;
    }

    /**
     * A zero-filled native segment of {@code bytes} bytes, aligned to at least 64 bytes, released when
     * {@code arena} is closed.
     *
     * @throws OutOfMemoryError when the memory cannot be had
     */
    public static MemorySegment allocate(Arena arena, long bytes) {
        return allocate(arena, bytes, true);
    }

    /**
     * {@link #allocate(Arena, long)}, with the transparent-huge-page hint only when {@code hugePages} is set.
     */
    public static MemorySegment allocate(Arena arena, long bytes, boolean hugePages) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be > 0, got " + bytes);
        }
        if (!LINKED) {
            return arena.allocate(bytes, 64);
        }
        long address;
        try {
            address = (long) Libc.MMAP.invokeExact(0L, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap failed", e);
        }
        if (address == MAP_FAILED || address == 0L) {
            throw new OutOfMemoryError("cannot map " + bytes + " bytes of anonymous memory");
        }
        try {
            if (hugePages) {
                int ignored = (int) Libc.MADVISE.invokeExact(address, bytes, MADV_HUGEPAGE); // a hint: refused is fine
            }
        } catch (Throwable e) {
            // the hint is optional
        }
        return MemorySegment.ofAddress(address).reinterpret(bytes, arena, s -> unmap(address, bytes));
    }

    /**
     * Makes the pages of {@code s} (a slice of an {@link #allocate}d segment) resident and writable without
     * writing them ({@code madvise(MADV_POPULATE_WRITE)}), for memory about to be written in full; best effort
     * (where unsupported the first writes fault the pages in, as without this call). On the development VM a
     * first write to a fresh 4 KiB page costs about 17 us (4.3-4.6 ms per MiB, 2.5-2.7 with huge pages), populating
     * 0.21-0.26 ms per MiB (session 5, BENCHMARKS.md "Wide rows and the 12b"). Safe on neighbouring slices from
     * several threads.
     */
    public static void populate(MemorySegment s) {
        if (!LINKED || s.byteSize() == 0 || !s.isNative()) {
            return;
        }
        long start = s.address() & -PAGE;
        try {
            long length = s.address() + s.byteSize() - start;
            int ignored = (int) Libc.MADVISE.invokeExact(start, length, MADV_POPULATE_WRITE);
        } catch (Throwable e) {
            // advice only
        }
    }

    private static void unmap(long address, long bytes) {
        try {
            int ignored = (int) Libc.MUNMAP.invokeExact(address, bytes);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }
}
