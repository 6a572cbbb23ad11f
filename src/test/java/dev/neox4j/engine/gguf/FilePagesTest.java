package dev.neox4j.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FilePages}: the advice never changes a byte read through the mapping, and where this machine can map files
 * with 2 MiB pages (Linux with transparent huge pages not {@code never}, native access, a file system with large
 * folios) a file ends up mapped with them, whatever its pages were in the cache before; where the file system makes
 * no large folios the trial says so and the cache is left alone. The development VM and CI run ext4 on Linux 6.18,
 * where the file ends up in 2 MiB pages. The files live under
 * {@code target/} rather than the temporary directory, which may be a tmpfs (whose pages are not file cache).
 */
class FilePagesTest {

    private static final long SIZE = 72L << 20;
    private Path dir;

    @BeforeEach
    void createDir() throws IOException {
        dir = Files.createDirectories(Path.of("target", "file-pages-test"));
    }

    @AfterEach
    void deleteDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static byte[] write(Path p, long size, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] block = new byte[1 << 20];
        MessageDigest md = sha256();
        try (var out = Files.newOutputStream(p)) {
            for (long done = 0; done < size; done += block.length) {
                for (int i = 0; i < block.length; i += 8) {
                    long v = rnd.nextLong();
                    for (int k = 0; k < 8; k++) {
                        block[i + k] = (byte) (v >>> (8 * k));
                    }
                }
                out.write(block);
                md.update(block);
            }
        }
        return md.digest();
    }

    private static byte[] digest(MemorySegment m) {
        MessageDigest md = sha256();
        byte[] block = new byte[1 << 20];
        for (long o = 0; o < m.byteSize(); o += block.length) {
            int n = (int) Math.min(block.length, m.byteSize() - o);
            MemorySegment.copy(m, ValueLayout.JAVA_BYTE, o, block, 0, n);
            md.update(block, 0, n);
        }
        return md.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static MemorySegment map(Path p, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(p)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
    }

    @Test
    void aFileEndsUpMappedWithTwoMiBPagesAndItsBytesUnchanged() throws IOException {
        Path p = dir.resolve("weights.bin");
        byte[] want = write(p, SIZE, 42); // cached as written: whatever folios the write path made
        FilePages.Outcome first;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment m = map(p, arena);
            first = FilePages.adviseHugePages(p, m, FilePages.MIN_BYTES);
            assertArrayEquals(want, digest(m), "bytes read after the advice (" + first + ")");
            if (!FilePages.available() || m.address() % (2L << 20) != 0) {
                assertEquals(FilePages.Outcome.NOT_ASKED, first);
                return;
            }
            assertTrue(first != FilePages.Outcome.NOT_ASKED, "advice not asked on a capable machine");
        }
        // the cache now holds what the first mapping's reads brought in (2 MiB folios, or the dropped file re-read)
        try (Arena arena = Arena.ofShared()) {
            MemorySegment m = map(p, arena);
            FilePages.Outcome second = FilePages.adviseHugePages(p, m, FilePages.MIN_BYTES);
            assertArrayEquals(want, digest(m));
            if (first == FilePages.Outcome.SMALL) { // the trial region came back small: no large folios here
                assertEquals(FilePages.Outcome.SMALL, second, "a file system without large folios stays so");
                return;
            }
            assertEquals(FilePages.Outcome.HUGE, second, "first " + first);
            long pmd = FilePages.pmdMappedBytes(m.address());
            assertTrue(pmd >= 0.9 * (SIZE - (2L << 20)), pmd + " bytes mapped with 2 MiB pages of " + SIZE);
        }
    }

    @Test
    void smallFilesAreLeftAloneAndUnknownMappingsReportNothing() throws IOException {
        Path p = dir.resolve("small.bin");
        byte[] want = write(p, 4L << 20, 7);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment m = map(p, arena);
            assertEquals(FilePages.Outcome.NOT_ASKED, FilePages.adviseHugePages(p, m, FilePages.MIN_BYTES));
            assertArrayEquals(want, digest(m));
            if (FilePages.available()) {
                assertTrue(FilePages.pmdMappedBytes(m.address()) >= 0, "the mapping is listed in smaps");
            }
        }
        assertEquals(-1, FilePages.pmdMappedBytes(0x1000)); // nothing is mapped at the first page
        try (Arena arena = Arena.ofShared()) { // not a file mapping: nothing to advise
            MemorySegment heapLike = arena.allocate(SIZE, 64);
            assertEquals(FilePages.Outcome.NOT_ASKED, FilePages.adviseHugePages(p, heapLike.asSlice(64), 0));
        }
    }

    /**
     * On a file system that makes no large page-cache folios (tmpfs) the trial region comes back in small pages, so the
     * file is not dropped (which would only cost a re-read) and reads as before.
     */
    @Test
    void withoutLargeFoliosNothingIsDropped() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path p = (FilePages.available() && Files.isDirectory(shm) ? shm : dir).resolve("neox4j-file-pages-test.bin");
        try {
            byte[] want = write(p, SIZE, 11);
            for (int round = 0; round < 2; round++) {
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment m = map(p, arena);
                    FilePages.Outcome o = FilePages.adviseHugePages(p, m, FilePages.MIN_BYTES);
                    assertArrayEquals(want, digest(m));
                    if (p.startsWith(shm)) {
                        assertTrue(o == FilePages.Outcome.SMALL || o == FilePages.Outcome.NOT_ASKED, o.toString());
                    }
                }
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }

    /** A GGUF file large enough for the advice opens and reads as before. */
    @Test
    void aLargeGgufFileOpensWithTheAdvice() throws IOException {
        byte[] data = randomBytes(5);
        Path p = writeGguf("large.gguf", data);
        try (GgufFile g = GgufFile.openToServe(p)) {
            assertArrayEquals(data, g.data(g.tensor("t")).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * Only a model opened to be served is advised ({@code hg} among the mapping's {@code VmFlags} in
     * {@code /proc/self/smaps}): a file opened to be read once (a conversion) keeps the page cache as it is.
     */
    @Test
    void onlyAServedGgufFileIsAdvised() throws IOException {
        Path p = writeGguf("once.gguf", randomBytes(6));
        try (GgufFile g = GgufFile.open(p)) {
            String flags = vmFlags(g.segment().address());
            assertTrue(flags != null && !flags.contains(" hg"), "read once: " + flags);
        }
        try (GgufFile g = GgufFile.openToServe(p)) {
            String flags = vmFlags(g.segment().address());
            assertTrue(flags != null, "the mapping is listed in smaps");
            assertEquals(FilePages.available(), flags.contains(" hg"), "served: " + flags);
        }
    }

    private static byte[] randomBytes(long seed) {
        byte[] data = new byte[(int) SIZE];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    /** A GGUF file under the test directory holding {@code data} as one I8 tensor {@code t}. */
    private Path writeGguf(String name, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        new GgufWriter().putString("general.architecture", "test")
                .addTensor("t", GgmlType.I8, new long[] {data.length}, data).write(p);
        return p;
    }

    /** The {@code VmFlags} of the mapping that starts at {@code start}, with a space at the end, or null. */
    private static String vmFlags(long start) {
        String flags = FilePages.smapsField(start, "VmFlags");
        return flags == null ? null : flags + " ";
    }
}
