package dev.neox4j.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

class AnonymousMemoryTest {

    private static final long MIB = 1L << 20;
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

    @Test
    void zeroFilledAlignedWritableAndReleasedWithItsArena() {
        long size = 3 * MIB + 100;
        MemorySegment s;
        try (Arena arena = Arena.ofShared()) {
            s = AnonymousMemory.allocate(arena, size);
            assertEquals(size, s.byteSize());
            assertEquals(0, s.address() % 64);
            for (long i = 0; i < size; i += 4093) {
                assertEquals(0, s.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
            }
            assertEquals(0, s.get(ValueLayout.JAVA_BYTE, size - 1));
            s.set(ValueLayout.JAVA_BYTE, size - 1, (byte) 7);
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, 1, -1L);
            assertEquals(7, s.get(ValueLayout.JAVA_BYTE, size - 1));
            assertEquals(-1L, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> s.get(ValueLayout.JAVA_BYTE, size));
        }
        assertFalse(s.scope().isAlive());
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalArgumentException.class, () -> AnonymousMemory.allocate(Arena.global(), 0));
    }

    /**
     * The point of the class: on Linux (where the project's launch commands grant native access, as the test JVM
     * does) an allocation is not resident until populated, populating makes it resident without changing its
     * zeros, and closing the arena returns it.
     */
    @Test
    void pagesBecomeResidentWhenPopulatedAndAreReturnedOnClose() throws IOException {
        assertEquals(LINUX, AnonymousMemory.available());
        if (!LINUX) {
            return;
        }
        long size = 256 * MIB;
        long before = rssAnon();
        Arena arena = Arena.ofShared();
        MemorySegment s = AnonymousMemory.allocate(arena, size);
        long allocated = rssAnon();
        assertTrue(allocated - before < 64 * MIB, "resident after allocating: +" + (allocated - before) / MIB + " MiB");
        AnonymousMemory.populate(s.asSlice(0, size / 2));
        AnonymousMemory.populate(s.asSlice(size / 2 - 100, size / 2 + 100));
        long written = rssAnon();
        assertTrue(written - before > 192 * MIB, "resident after populating: +" + (written - before) / MIB + " MiB");
        for (long i = 0; i < size; i += 1 << 16) {
            assertEquals(0, s.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
        }
        arena.close();
        long closed = rssAnon();
        assertTrue(written - closed > 192 * MIB, "released on close: " + (written - closed) / MIB + " MiB");
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
