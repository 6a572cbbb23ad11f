package dev.neox4j.engine.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class KvCacheTest {

    private static final NeoxHParams HP = new NeoxHParams(512, 2048, 8, 2, 32, 2, 2, 10000f, 1e-5f, true);

    @Test
    void f16CacheRoundsAndF32CacheKeepsValues() {
        float[] k = {1.0f, 0.1f, -3.3333333f, 65504f, 1e-8f, 2.5f, -0.0f, 7f};
        float[] v = {0.3f, 0.2f, 0.1f, 0f, -1f, -2f, 3.14159f, 1e5f};
        KvCache half = KvCache.forModel(HP, 4, KvCache.ElementType.F16);
        KvCache full = KvCache.forModel(HP, 4, KvCache.ElementType.F32);
        for (KvCache c : new KvCache[] {half, full}) {
            c.write(1, 0, k, 0, v, 0);
            c.advance(1);
        }
        float[] out = new float[8];
        half.readKeys(1, 0, out, 0);
        for (int i = 0; i < 8; i++) {
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(k[i])), out[i], "f16 key " + i);
        }
        half.readValues(1, 0, out, 0);
        assertEquals(Float.POSITIVE_INFINITY, out[7], "1e5 overflows f16 like in llama.cpp");
        full.readKeys(1, 0, out, 0);
        assertArrayEquals(k, out);
        full.readValues(1, 0, out, 0);
        assertArrayEquals(v, out);
        assertTrue(half.isF16());
        assertFalse(full.isF16());
        assertEquals(2L * 2 * 4 * 8 * 2, KvCache.bytesFor(HP, 4, KvCache.ElementType.F16));
    }

    /**
     * {@link KvCache#populate} commits every page of the cache (in parallel over the pool) so that no forward pass
     * pays a first-touch fault, and leaves its contents zero.
     */
    @Test
    void populateMakesTheWholeCacheResidentAndLeavesItZero() throws Exception {
        long mib = 1L << 20;
        NeoxHParams hp = new NeoxHParams(1024, 2048, 1024, 8, 32, 4, 2, 10000f, 1e-5f, true);
        try (KvCache c = KvCache.forModel(hp, 1024, KvCache.ElementType.F16);
             dev.neox4j.engine.runtime.WorkerPool pool = new dev.neox4j.engine.runtime.WorkerPool(2)) {
            long bytes = KvCache.bytesFor(hp, 1024, KvCache.ElementType.F16); // 32 MiB
            long before = rssAnon();
            c.populate(pool);
            long after = rssAnon();
            if (dev.neox4j.engine.tensor.NativeMemory.lazy()) {
                assertTrue(after - before > bytes - 4 * mib,
                        "populating made " + (after - before) / mib + " of " + bytes / mib + " MiB resident");
            }
            float[] out = new float[1024];
            c.advance(1024); // every position readable: all still zero
            for (int l = 0; l < 8; l++) {
                c.readKeys(l, 1023, out, 0);
                assertArrayEquals(new float[1024], out, "layer " + l);
            }
        }
    }

    private static long rssAnon() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no RssAnon in /proc/self/status");
    }

        @Test
    void lengthTruncateClearAndBounds() {
        KvCache c = KvCache.forModel(HP, 3, KvCache.ElementType.F32);
        assertEquals(0, c.length());
        assertEquals(3, c.capacity());
        c.advance(2);
        assertEquals(2, c.length());
        assertThrows(IllegalStateException.class, () -> c.advance(2));
        assertThrows(IllegalArgumentException.class, () -> c.truncate(3));
        assertThrows(IllegalArgumentException.class, () -> c.truncate(-1));
        c.truncate(1);
        assertEquals(1, c.length());
        assertThrows(IndexOutOfBoundsException.class, () -> c.readKeys(0, 1, new float[8], 0));
        c.clear();
        assertEquals(0, c.length());
    }

    @Test
    void badDimensionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new KvCache(0, 8, 4, KvCache.ElementType.F16));
        assertThrows(IllegalArgumentException.class, () -> new KvCache(2, 8, 0, KvCache.ElementType.F16));
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> new KvCache(1, 1 << 16, 1 << 16, KvCache.ElementType.F16));
        assertTrue(tooBig.getMessage().contains("context length"), tooBig.getMessage());
    }
}
