package dev.neox4j.engine.runtime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    void partsAreContiguousGrainAlignedAndAFewPerThread() {
        int max = 3 * WorkerPool.PARTS_PER_THREAD;
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int grain : new int[] {1, 2, 6, 126}) {
                for (int n : new int[] {2, 3, 10, 11, 768, 2048, 50304}) {
                    List<int[]> parts = Collections.synchronizedList(new ArrayList<>());
                    pool.run(n, grain, (s, e) -> parts.add(new int[] {s, e}));
                    parts.sort((a, b) -> Integer.compare(a[0], b[0]));
                    String where = "n=" + n + " grain=" + grain;
                    assertTrue(parts.size() <= max, where + ": " + parts.size() + " parts");
                    if (grain == 1) {
                        assertTrue(parts.size() >= Math.min(n, max / 2), where + ": only " + parts.size() + " parts");
                    }
                    int at = 0;
                    for (int[] p : parts) {
                        assertEquals(at, p[0], where + ": parts contiguous");
                        assertTrue(p[1] > p[0], where + ": no empty part");
                        assertTrue(p[1] == n || p[1] % grain == 0, where + ": boundary " + p[1] + " off the grain");
                        at = p[1];
                    }
                    assertEquals(n, at, where + ": parts cover the range");
                }
            }
        }
    }

    @Test
    void aThreadThatIsHeldUpLeavesTheRemainingPartsToTheOthers() {
        int n = 40;
        int first = WorkerPool.partSize(n, 1, 2);
        try (WorkerPool pool = new WorkerPool(2)) {
            CountDownLatch restDone = new CountDownLatch(1);
            AtomicInteger others = new AtomicInteger();
            boolean[] released = new boolean[1];
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> pool.run(n, (s, e) -> {
                if (s == 0) {
                    // this part's thread loses its core: it resumes only once the other thread did every other part
                    // (with a fixed half per thread that never happens, and the wait times out)
                    try {
                        released[0] = restDone.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException ex) {
                        throw new AssertionError(ex);
                    }
                } else if (others.addAndGet(e - s) == n - first) {
                    restDone.countDown();
                }
            }));
            assertTrue(released[0], "the other thread took the held-up thread's parts: " + others.get() + " items");
        }
    }

    @Test
    void callerAndWorkersRunPartsConcurrentlyAndWorkersAreNamedDaemons() {
        try (WorkerPool pool = new WorkerPool(3)) {
            CyclicBarrier all = new CyclicBarrier(3);
            String[] names = new String[3];
            boolean[] daemon = new boolean[3];
            String[] callerName = new String[1];
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                callerName[0] = Thread.currentThread().getName();
                pool.run(3, (s, e) -> {
                    names[s] = Thread.currentThread().getName();
                    daemon[s] = Thread.currentThread().isDaemon();
                    await(all); // three parts at once: each on its own thread
                });
            });
            List<String> all3 = List.of(names);
            String caller = callerName[0];
            assertTrue(all3.contains(caller), "the caller runs a part: " + all3);
            assertTrue(all3.containsAll(List.of("neox-worker-1", "neox-worker-2")), all3.toString());
            for (int i = 0; i < 3; i++) {
                assertEquals(!names[i].equals(caller), daemon[i], names[i]);
            }
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError(ex);
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
            assertTrue(fromWorker.getMessage().startsWith("worker chunk "), fromWorker.getMessage());
            IllegalStateException fromCaller = assertThrows(IllegalStateException.class, () -> pool.run(10, (s, e) -> {
                if (s == 0) {
                    throw new IllegalStateException("caller chunk");
                }
            }));
            assertEquals("caller chunk", fromCaller.getMessage());
            AssertionError both = assertThrows(AssertionError.class, () -> pool.run(10, (s, e) -> {
                throw new AssertionError("chunk " + s);
            }));
            assertEquals(9, both.getSuppressed().length, "every other part's failure attached as suppressed");
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
        CyclicBarrier all = new CyclicBarrier(3);
        pool.run(3, (s, e) -> {
            seen[s] = Thread.currentThread();
            await(all); // each part on its own thread
        });
        java.util.Arrays.sort(seen, java.util.Comparator.comparing((Thread t) -> t == Thread.currentThread() ? 0 : 1));
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
