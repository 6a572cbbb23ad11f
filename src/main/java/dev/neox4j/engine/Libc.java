package dev.neox4j.engine;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library functions the engine calls on Linux, linked once through the foreign-function API: the anonymous
 * memory of {@code engine.tensor.NativeMemory} ({@code mmap}, {@code munmap}, {@code madvise}) and the page-cache
 * advice of {@code engine.gguf.FilePages} ({@code madvise}, {@code open}, {@code close}, {@code fdatasync},
 * {@code posix_fadvise}). Addresses and lengths are passed as {@code long}s, file descriptors and flags as
 * {@code int}s, as the x86-64 and AArch64 Linux ABIs have them.
 *
 * <p>Every handle is null where it cannot be had: another OS, native access not enabled for this module
 * ({@code --enable-native-access=ALL-UNNAMED}, which the packaged jar's manifest, the relaunched JVM and the
 * containers set), a runtime without a linker, a missing symbol. Each caller checks its handles and has its own
 * switch to decline them.
 */
public final class Libc {

    /** {@code void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)}, as a long. */
    public static final MethodHandle MMAP;
    /** {@code int munmap(void *addr, size_t length)}. */
    public static final MethodHandle MUNMAP;
    /** {@code int madvise(void *addr, size_t length, int advice)}. */
    public static final MethodHandle MADVISE;
    /** {@code int open(const char *path, int flags)} (the variadic mode argument not passed). */
    public static final MethodHandle OPEN;
    /** {@code int close(int fd)}. */
    public static final MethodHandle CLOSE;
    /** {@code int fdatasync(int fd)}. */
    public static final MethodHandle FDATASYNC;
    /** {@code int posix_fadvise(int fd, off_t offset, off_t length, int advice)}. */
    public static final MethodHandle POSIX_FADVISE;

    static {
        MethodHandle[] h = new MethodHandle[7];
        try {
            if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                    && Libc.class.getModule().isNativeAccessEnabled()) {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                h[0] = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
                h[1] = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
                h[2] = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
                h[3] = linker.downcallHandle(libc.find("open").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2));
                h[4] = linker.downcallHandle(libc.find("close").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                h[5] = linker.downcallHandle(libc.find("fdatasync").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                h[6] = linker.downcallHandle(libc.find("posix_fadvise").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
            }
        } catch (Throwable e) { // no such symbol, no linker in this runtime: none of them
            java.util.Arrays.fill(h, null);
        }
        MMAP = h[0];
        MUNMAP = h[1];
        MADVISE = h[2];
        OPEN = h[3];
        CLOSE = h[4];
        FDATASYNC = h[5];
        POSIX_FADVISE = h[6];
    }

    private Libc() {
    }

    /** Whether the functions are linked (all of them, or none). */
    public static boolean linked() {
        return MMAP != null;
    }
}
