package dev.neox4j.engine.gguf;

import dev.neox4j.engine.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Asks Linux to back a large read-only file mapping (a model's weights: a GGUF file, a checkpoint's safetensors or
 * {@code pytorch_model.bin}) with 2 MiB pages.
 *
 * <p>Why: decode streams every weight once per token. Mapped with 4 KiB pages, a 7.4 GB model (12b Q4_K_M) needs
 * 1.8 million page-table entries (14.5 MB of them) per token; under a hypervisor every TLB miss is a two-level walk
 * whose entries no longer fit the caches. On the development VM one thread's pass over all 145 weight matrices of
 * the 12b ran at 3.8-5.5 GB/s with 4 KiB pages and at 8.2 GB/s once the same file was mapped with 2 MiB pages
 * (the kernel alone, isolated on one 59 MB matrix: 9.5 GB/s either way); a pass over the first 0.13 GB of the same
 * matrices ran at 8.8-9.0 GB/s, over the first 3 GB at 5.8-6.1 (BENCHMARKS.md, session 15). The loss grows with the
 * model, which is why decode's GB/s fell from the 1.4b to the 12b.
 *
 * <p>How: {@code madvise(MADV_HUGEPAGE)} on the mapping, so that page faults read the file into 2 MiB page-cache
 * folios and map each with one entry (Linux maps a 2 MiB folio that way where the mapping's address and the file
 * offset agree modulo 2 MiB: a large mapping of a whole file starts on a 2 MiB boundary; where it does not, nothing
 * is asked). That only helps pages the cache
 * does not hold yet: a file just downloaded, converted or copied is cached in small folios, which stay small. So
 * after the advice one byte in up to {@link #PROBES} evenly spread 2 MiB regions is read and the mapping's
 * {@code FilePmdMapped} in {@code /proc/self/smaps} says how many of them came in as 2 MiB pages; when fewer than
 * {@link #HUGE_SHARE} did, this process's pages are released, the file's first 2 MiB are dropped from the cache and
 * read again as a trial, and when they come back as one 2 MiB page (the file system makes large folios) all of the
 * file's pages that no process maps are dropped ({@code posix_fadvise(POSIX_FADV_DONTNEED)}, after writing back what
 * a file just written still holds), so that the warm-up pass reads the file again, in 2 MiB folios. That costs one
 * read of the file from disk (the 12b's 7.4 GB took under 5 s on the development VM) once per time the cache holds it
 * in small folios; later starts find 2 MiB folios and keep them. On a file system without large folios (tmpfs, some
 * network file systems) the trial region comes back small and nothing more is dropped.
 *
 * <p>Best effort: on another OS, without native access ({@code --enable-native-access}, which the packaged jar's
 * manifest grants), with transparent huge pages off ({@code never}), for files under {@link #MIN_BYTES} or with
 * {@code -Dneox4j.file-huge-pages=false} nothing is done; a refused call leaves the 4 KiB mapping as it was. The
 * bytes read through the mapping never change.
 */
public final class FilePages {

    /** What {@link #adviseHugePages} did. */
    public enum Outcome {
        /** Nothing asked (not Linux, no native access, THP off, a small file, or turned off). */
        NOT_ASKED,
        /** Advised; the sampled regions are mapped with 2 MiB pages. */
        HUGE,
        /** Advised; the cache held small folios, which were dropped so that the next reads bring 2 MiB folios. */
        DROPPED_SMALL_PAGES,
        /**
         * Advised; the cache holds small folios and a region re-read as a trial came back in small pages too (or could
         * not be dropped), so the cache was left as it was.
         */
        SMALL
    }

    /** Files smaller than this are left alone (64 MiB: 32 regions of 2 MiB). */
    public static final long MIN_BYTES = 64L << 20;
    /** Regions sampled per file. */
    static final int PROBES = 64;
    /** Share of the sampled regions that must come in as 2 MiB pages for the cache to be kept. */
    static final double HUGE_SHARE = 0.9;

    private static final long PMD = 2L << 20;
    private static final int MADV_HUGEPAGE = 14;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final int O_RDONLY_CLOEXEC = 0x80000; // O_RDONLY | O_CLOEXEC (x86-64 and AArch64 Linux)
    /** The first line of a mapping in {@code /proc/self/smaps} starts with its address range. */
    private static final Pattern MAPPING_LINE = Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");
    private static final System.Logger LOG = System.getLogger(FilePages.class.getName());

    /**
     * Whether the {@link Libc} calls are linked here and {@code -Dneox4j.file-huge-pages=false} does not decline
     * them.
     */
    private static final boolean LINKED = Libc.linked()
            && !"false".equalsIgnoreCase(System.getProperty("neox4j.file-huge-pages"));

    /** Where the probe reads go, so that no compiler drops them. */
    private static volatile int probed;

    private FilePages() {
    }

    /** Whether this process can advise file mappings at all (Linux, native access, THP not {@code never}). */
    public static boolean available() {
        return LINKED && !thpMode().equals("never");
    }

    /**
     * Advises the read-only mapping {@code mapping} ({@link MemorySegment#isMapped()}) of the whole file
     * {@code file} (offset 0) to use 2 MiB pages and refreshes the file's page cache when it holds small folios (see
     * the class comment). Call before anything else reads the mapping. Files under {@code minBytes} are left alone.
     */
    public static Outcome adviseHugePages(Path file, MemorySegment mapping, long minBytes) {
        if (!available() || mapping.byteSize() < Math.max(minBytes, 2 * PMD) || !mapping.isMapped()) {
            return Outcome.NOT_ASKED;
        }
        long start = mapping.address();
        if (start % PMD != 0) { // file offset 0 at an address that is not: no region can take a 2 MiB entry
            return Outcome.NOT_ASKED;
        }
        long regions = mapping.byteSize() / PMD; // whole 2 MiB regions; the tail keeps small pages
        try {
            int rc = (int) Libc.MADVISE.invokeExact(start, regions * PMD, MADV_HUGEPAGE);
            if (rc != 0) {
                return Outcome.NOT_ASKED;
            }
        } catch (Throwable e) {
            return Outcome.NOT_ASKED;
        }
        int probes = (int) Math.min(PROBES, regions);
        int sink = 0;
        for (int i = 0; i < probes; i++) {
            long region = i * regions / probes;
            sink += mapping.get(ValueLayout.JAVA_BYTE, region * PMD);
        }
        probed = sink;
        long pmdBytes = pmdMappedBytes(start);
        if (pmdBytes < 0) {
            return Outcome.SMALL;
        }
        if (pmdBytes >= HUGE_SHARE * probes * PMD) {
            return Outcome.HUGE;
        }
        // small folios in the cache: release ours, then drop and re-read one region as a trial, and only if it comes
        // back as one 2 MiB page (the file system makes large folios) drop the whole file for the warm-up to re-read
        mapping.asSlice(0, regions * PMD).unload();
        Outcome outcome = refresh(file, mapping);
        if (outcome == Outcome.DROPPED_SMALL_PAGES) {
            LOG.log(System.Logger.Level.INFO, String.format(Locale.ROOT,
                    "%s: the page cache held it in 4 KiB pages (%d of %d sampled 2 MiB regions mapped whole); dropped "
                            + "them so that the warm-up reads the file again in 2 MiB pages (-Dneox4j.file-huge-pages="
                            + "false keeps them)", file.getFileName(), pmdBytes / PMD, probes));
        }
        return outcome;
    }

    /**
     * With none of {@code mapping}'s pages mapped: writes back what the file still has to (a file just downloaded or
     * converted cannot be dropped before), drops the cached pages of its first 2 MiB and reads one byte there again;
     * when that comes back as one 2 MiB page, drops every page of the file that no process maps
     * ({@link Outcome#DROPPED_SMALL_PAGES}), else leaves the cache as it is ({@link Outcome#SMALL}: the file system
     * makes no large folios, and dropping the file would only cost a re-read).
     */
    private static Outcome refresh(Path file, MemorySegment mapping) {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) Libc.OPEN.invokeExact(a.allocateFrom(file.toAbsolutePath().toString()), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                return Outcome.SMALL;
            }
            try {
                int synced = (int) Libc.FDATASYNC.invokeExact(fd);
                if ((int) Libc.POSIX_FADVISE.invokeExact(fd, 0L, PMD, POSIX_FADV_DONTNEED) != 0) {
                    return Outcome.SMALL;
                }
                probed = mapping.get(ValueLayout.JAVA_BYTE, 0);
                if (pmdMappedBytes(mapping.address()) < PMD) {
                    return Outcome.SMALL;
                }
                mapping.asSlice(0, PMD).unload();
                return (int) Libc.POSIX_FADVISE.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED) == 0
                        ? Outcome.DROPPED_SMALL_PAGES : Outcome.SMALL;
            } finally {
                int ignored = (int) Libc.CLOSE.invokeExact(fd);
            }
        } catch (Throwable e) {
            return Outcome.SMALL;
        }
    }

    /**
     * The {@code FilePmdMapped} bytes of the mapping that starts at {@code start} in {@code /proc/self/smaps}, or
     * -1 when the file cannot be read or has no such mapping.
     */
    static long pmdMappedBytes(long start) {
        String kb = smapsField(start, "FilePmdMapped");
        return kb == null ? -1 : Long.parseLong(kb.replace("kB", "").trim()) * 1024;
    }

    /**
     * The value of field {@code name} (the text after {@code "name:"}) of the mapping that starts at {@code start} in
     * {@code /proc/self/smaps}, or null when the file cannot be read, has no such mapping or the mapping no such field.
     */
    static String smapsField(long start, String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        String head = Long.toHexString(start) + "-";
        String key = name + ":";
        boolean inside = false;
        for (String line : lines) {
            if (MAPPING_LINE.matcher(line).lookingAt()) { // a mapping's first line: its address range
                inside = line.startsWith(head);
            } else if (inside && line.startsWith(key)) {
                return line.substring(key.length());
            }
        }
        return null;
    }

    /** The transparent-huge-page mode in brackets in {@code /sys/kernel/mm/transparent_hugepage/enabled}. */
    static String thpMode() {
        try {
            String s = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
            int a = s.indexOf('[');
            int b = s.indexOf(']', a + 1);
            return a >= 0 && b > a ? s.substring(a + 1, b) : "never";
        } catch (IOException | RuntimeException e) {
            return "never";
        }
    }
}
