package dev.neox4j.engine.runtime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.*;

class WorkerPoolTest {

    @Test
    void everyIndexRunsExactlyOnceForManySizes() {
        for (int threads = 1; threads <= 4; threads++) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                assertEquals(threads, pool.threads());
                for (int n : new int[] {0, 1, 2, 3, 5, 7, 64, 1000}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                    pool.run(n, (s, e) -> {
                        for (int i = s; i < e; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits.get(i), "threads=" + threads + " n=" + n + " index " + i);
                    }
                }
            }
        }
    }

    @Test
    void splitIsContiguousAndDeterministic() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int n : new int[] {3, 10, 11, 768}) {
                List<int[]> chunks = Collections.synchronizedList(new ArrayList<>());
                pool.run(n, (s, e) -> chunks.add(new int[] {s, e}));
                chunks.sort((a, b) -> Integer.compare(a[0], b[0]));
                assertEquals(3, chunks.size());
                for (int c = 0; c < 3; c++) {
                    assertArrayEquals(new int[] {c * n / 3, (c + 1) * n / 3}, chunks.get(c), "n=" + n + " chunk " + c);
                }
            }
        }
    }

    @Test
    void callerTakesChunkZeroAndWorkersAreNamedDaemons() {
        try (WorkerPool pool = new WorkerPool(3)) {
            String[] names = new String[3];
            boolean[] daemon = new boolean[3];
            pool.run(3, (s, e) -> {
                names[s] = Thread.currentThread().getName();
                daemon[s] = Thread.currentThread().isDaemon();
            });
            assertEquals(Thread.currentThread().getName(), names[0]);
            assertTrue(Set.of("neox-worker-1", "neox-worker-2").containsAll(List.of(names[1], names[2])));
            assertNotEquals(names[1], names[2]);
            assertTrue(daemon[1] && daemon[2]);
        }
    }

    @Test
    void exceptionsArePropagatedAndThePoolStaysUsable() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalArgumentException fromWorker = assertThrows(IllegalArgumentException.class, () -> pool.run(10, (s, e) -> {
                if (s > 0) {
                    throw new IllegalArgumentException("worker chunk " + s);
                }
            }));
            assertEquals("worker chunk 5", fromWorker.getMessage());
            IllegalStateException fromCaller = assertThrows(IllegalStateException.class, () -> pool.run(10, (s, e) -> {
                if (s == 0) {
                    throw new IllegalStateException("caller chunk");
                }
            }));
            assertEquals("caller chunk", fromCaller.getMessage());
            AssertionError both = assertThrows(AssertionError.class, () -> pool.run(10, (s, e) -> {
                throw new AssertionError("chunk " + s);
            }));
            assertEquals(1, both.getSuppressed().length, "second failure attached as suppressed");
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            pool.run(10, (s, e) -> {
                for (int i = s; i < e; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 10; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void nestedRunExecutesInline() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(16);
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> pool.run(4, (s, e) -> {
                for (int i = s; i < e; i++) {
                    int outer = i;
                    pool.run(4, (s2, e2) -> {
                        for (int j = s2; j < e2; j++) {
                            hits.incrementAndGet(outer * 4 + j);
                        }
                    });
                }
            }));
            for (int i = 0; i < 16; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void manyShortRunsAndConcurrentCallersDoNotHang() throws Exception {
        try (WorkerPool pool = new WorkerPool(3)) {
            long[] total = new long[1];
            Set<Throwable> errors = ConcurrentHashMap.newKeySet();
            Thread other = new Thread(() -> {
                try {
                    for (int r = 0; r < 2000; r++) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(5);
                        pool.run(5, (s, e) -> {
                            for (int i = s; i < e; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < 5; i++) {
                            if (hits.get(i) != 1) {
                                throw new AssertionError("index " + i + " ran " + hits.get(i) + " times");
                            }
                        }
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            });
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                other.start();
                for (int r = 0; r < 5000; r++) {
                    long[] part = new long[3];
                    pool.run(3, (s, e) -> part[s] = s + 1);
                    total[0] += part[0] + part[1] + part[2];
                }
                other.join();
            });
            assertEquals(5000L * 6, total[0]);
            assertTrue(errors.isEmpty(), () -> "errors: " + errors);
        }
    }

    @Test
    void closeStopsThreadsAndRejectsFurtherWork() throws Exception {
        WorkerPool pool = new WorkerPool(3);
        Thread[] seen = new Thread[3];
        pool.run(3, (s, e) -> seen[s] = Thread.currentThread());
        pool.close();
        for (int i = 1; i < 3; i++) {
            seen[i].join(5000);
            assertFalse(seen[i].isAlive(), seen[i].getName() + " still alive after close");
        }
        assertThrows(IllegalStateException.class, () -> pool.run(3, (s, e) -> { }));
        pool.close(); // idempotent
    }

    @Test
    void invalidThreadCountIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(WorkerPool.MAX_THREADS + 1));
        try (WorkerPool pool = new WorkerPool(1)) {
            assertThrows(IllegalArgumentException.class, () -> pool.run(-1, (s, e) -> { }));
        }
    }
}
