package dev.neox4j.engine.tensor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeMemoryTest {

    private static final long MIB = 1 << 20;

    @Test
    void zeroFilledWritableAlignedAndReleasedWithItsArena() {
        Arena arena = Arena.ofShared();
        MemorySegment s = NativeMemory.allocate(arena, 3 * MIB + 5);
        assertEquals(3 * MIB + 5, s.byteSize());
        assertEquals(0, s.address() % 64);
        for (long o = 0; o < s.byteSize(); o += 4093) {
            assertEquals(0, s.get(ValueLayout.JAVA_BYTE, o));
        }
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 3 * MIB - 3, 0x0123456789ABCDEFL);
        assertEquals(0x0123456789ABCDEFL, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 3 * MIB - 3));
        arena.close();
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void refusesEmptyAllocations() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> NativeMemory.allocate(arena, 0));
        }
    }

    /** The tests run with native access enabled (as the packaged jar does), so on Linux pages come on first write. */
    @Test
    void pagesAreCommittedWhenFirstWrittenNotWhenAllocated() throws IOException {
        if (!System.getProperty("os.name").toLowerCase().startsWith("linux")) {
            assertEquals(false, NativeMemory.lazy()); // elsewhere the arena path serves; nothing more to check
            return;
        }
        assertTrue(NativeMemory.lazy(), "mmap path expected with --enable-native-access on Linux");
        long size = 256 * MIB;
        try (Arena arena = Arena.ofShared()) {
            long before = rssAnon();
            MemorySegment s = NativeMemory.allocate(arena, size);
            long allocated = rssAnon();
            assertTrue(allocated - before < 64 * MIB,
                    "allocation made " + (allocated - before) / MIB + " MiB resident before any write");
            for (long o = 0; o < size; o += 4096) {
                s.set(ValueLayout.JAVA_BYTE, o, (byte) 1);
            }
            long touched = rssAnon();
            assertTrue(touched - before > 200 * MIB,
                    "writing every page made only " + (touched - before) / MIB + " MiB resident");
        }
    }

    private static long rssAnon() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no RssAnon in /proc/self/status");
    }
}
