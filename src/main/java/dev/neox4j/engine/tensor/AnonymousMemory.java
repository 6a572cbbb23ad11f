package dev.neox4j.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Large off-heap allocations (repacked weights, KV caches) as private anonymous mappings whose pages are made
 * resident by the kernel in one call ({@link #populate}, {@code madvise(MADV_POPULATE_WRITE)}) instead of by a
 * write to every page. {@link Arena#allocate} writes zeros over every byte on the allocating thread, and on the
 * development VM each first write to a fresh 4 KiB page costs about 17 us (4.3-4.6 ms per MiB, with or without
 * transparent huge pages), against 0.21-0.26 ms per MiB for {@code MADV_POPULATE_WRITE}: at load, a 12b model's
 * 6 GB of repacked Q4_0 weights and a 5.6 GiB KV cache went from about 50 s of CPU to about 3. An anonymous
 * mapping reads as zeros (the kernel supplies zero pages), so callers see the same contents as from the arena.
 *
 * <p>The mapping is made through the foreign function API ({@code mmap}, {@code madvise}, {@code munmap} of the C
 * library), so it needs native access ({@code --enable-native-access=ALL-UNNAMED}, in every launch command of the
 * project) and Linux ({@code -Dneox.anonymous-memory=false} turns it off). Anywhere else, or when the call fails,
 * {@link #allocate} falls back to a zeroed {@link Arena#allocate} of the same arena and {@link #populate} does
 * nothing; the contents are the same either way.
 */
public final class AnonymousMemory {

    private static final System.Logger LOG = System.getLogger(AnonymousMemory.class.getName());

    /** Pages of 4 KiB (x86-64, and the arm64 default): populated ranges are widened to them. */
    private static final long PAGE = 4096;

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_POPULATE_WRITE = 23; // Linux 5.14+; older kernels refuse it (then faults do it)

    private AnonymousMemory() {
    }

    /** The C library's calls, looked up once; {@code null} fields when unavailable here. */
    private static final class Native {
        static final MethodHandle MMAP;
        static final MethodHandle MUNMAP;
        static final MethodHandle MADVISE;

        static {
            MethodHandle mmap = null;
            MethodHandle munmap = null;
            MethodHandle madvise = null;
            if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                    && !"false".equals(System.getProperty("neox.anonymous-memory"))) {
                try {
                    Linker linker = Linker.nativeLinker();
                    SymbolLookup libc = linker.defaultLookup();
                    ValueLayout.OfLong word = ValueLayout.JAVA_LONG;
                    ValueLayout.OfInt i32 = ValueLayout.JAVA_INT;
                    mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                            FunctionDescriptor.of(word, word, word, i32, i32, i32, word));
                    munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                            FunctionDescriptor.of(i32, word, word));
                    madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                            FunctionDescriptor.of(i32, word, word, i32));
                } catch (RuntimeException | Error e) {
                    LOG.log(System.Logger.Level.DEBUG, "anonymous mappings unavailable, zeroed arena memory instead", e);
                    mmap = null;
                }
            }
            MMAP = mmap;
            MUNMAP = munmap;
            MADVISE = madvise;
        }
    }

    /** Whether {@link #allocate} maps anonymous memory here (Linux, native access granted). */
    public static boolean available() {
        return Native.MMAP != null;
    }

    /**
     * {@code bytes} of zero-filled memory, 64-byte aligned (page-aligned when mapped), released when {@code arena}
     * closes. Not resident yet: {@link #populate} it, or let first writes fault its pages in.
     *
     * @throws OutOfMemoryError when neither a mapping nor the arena can provide it
     */
    public static MemorySegment allocate(Arena arena, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("allocation of " + bytes + " bytes");
        }
        if (Native.MMAP != null) {
            MemorySegment s = map(arena, bytes);
            if (s != null) {
                return s;
            }
        }
        return arena.allocate(bytes, 64);
    }

    /**
     * Makes the pages of {@code s} (a slice of an {@link #allocate}d segment) resident and writable without
     * writing them; best effort (nothing happens where it is unsupported; the first writes then do it). Safe to
     * call from several threads on neighbouring slices.
     */
    public static void populate(MemorySegment s) {
        if (Native.MADVISE == null || s.byteSize() == 0 || !s.isNative()) {
            return;
        }
        long start = s.address() & -PAGE;
        long end = s.address() + s.byteSize();
        try {
            int ignored = (int) Native.MADVISE.invokeExact(start, end - start, MADV_POPULATE_WRITE);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.DEBUG, "MADV_POPULATE_WRITE failed", t);
        }
    }

    private static MemorySegment map(Arena arena, long bytes) {
        long base;
        try {
            base = (long) Native.MMAP.invokeExact(0L, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable t) {
            return null;
        }
        if (base == -1L || base == 0L) {
            return null; // MAP_FAILED: let the arena try (and report the failure as an OutOfMemoryError)
        }
        try {
            return MemorySegment.ofAddress(base).reinterpret(bytes, arena, s -> unmap(base, bytes));
        } catch (Throwable t) {
            unmap(base, bytes);
            return null;
        }
    }

    private static void unmap(long base, long length) {
        try {
            int ignored = (int) Native.MUNMAP.invokeExact(base, length);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "munmap failed", t);
        }
    }
}
