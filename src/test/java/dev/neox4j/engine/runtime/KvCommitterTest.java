package dev.neox4j.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxHParams;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** The background KV committer: what it commits, when it holds back, and that close() really stops it. */
class KvCommitterTest {

    private record Call(int target, long offset, long length) {
    }

    /** Records the ranges committed. */
    private static final class Recorder implements KvCommitter.RangeCommit {
        final List<Call> calls = new ArrayList<>();

        @Override
        public synchronized void commit(int target, long offset, long length) {
            calls.add(new Call(target, offset, length));
        }

        synchronized List<Call> snapshot() {
            return List.copyOf(calls);
        }
    }

    private static void awaitFinished(KvCommitter c) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!c.finished() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(c.finished(), "the committer did not finish within 30 s");
    }

    @Test
    void commitsEveryByteOnceInOrderInBoundedChunksWhenIdle() throws InterruptedException {
        long chunk = KvCommitter.CHUNK_BYTES;
        long[] sizes = {2 * chunk + 12_345, 0, chunk, 4096};
        Recorder r = new Recorder();
        try (KvCommitter c = new KvCommitter(sizes, r, () -> false, 0, 1).start()) {
            awaitFinished(c);
            assertEquals(c.totalBytes(), c.committedBytes());
        }
        List<Call> calls = r.snapshot();
        int i = 0;
        for (int t = 0; t < sizes.length; t++) {
            long next = 0;
            while (next < sizes[t]) {
                Call call = calls.get(i++);
                assertEquals(t, call.target());
                assertEquals(next, call.offset(), "ranges are contiguous");
                assertTrue(call.length() > 0 && call.length() <= chunk, "chunk of " + call.length());
                next += call.length();
            }
            assertEquals(sizes[t], next);
        }
        assertEquals(calls.size(), i, "nothing committed twice or past the end");
    }

    @Test
    void holdsBackWhileBusyAndForTheQuietPeriodAfter() throws InterruptedException {
        AtomicBoolean busy = new AtomicBoolean(true);
        AtomicLong lastBusyAnswer = new AtomicLong();
        AtomicLong firstCommit = new AtomicLong();
        Recorder r = new Recorder();
        KvCommitter.RangeCommit timed = (t, off, len) -> {
            firstCommit.compareAndSet(0, System.nanoTime());
            r.commit(t, off, len);
        };
        long quiet = 200_000_000L;
        BooleanSupplier answer = () -> {
            if (busy.get()) {
                lastBusyAnswer.set(System.nanoTime());
                return true;
            }
            return false;
        };
        try (KvCommitter c = new KvCommitter(new long[] {3 * KvCommitter.CHUNK_BYTES}, timed, answer, quiet, 1)
                .start()) {
            Thread.sleep(300);
            assertTrue(r.snapshot().isEmpty(), "committed while busy");
            busy.set(false);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (r.snapshot().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertFalse(r.snapshot().isEmpty(), "never committed once idle");
            assertTrue(lastBusyAnswer.get() > 0, "busy was never asked");
            assertTrue(firstCommit.get() - lastBusyAnswer.get() >= quiet,
                    "committed " + (firstCommit.get() - lastBusyAnswer.get()) / 1e6 + " ms after the last busy answer");
            awaitFinished(c);
        }
        assertEquals(3, r.snapshot().size());
    }

    @Test
    void closeStopsItWhileBusyAndNothingIsCommittedAfterwards() throws InterruptedException {
        Recorder r = new Recorder();
        KvCommitter c = new KvCommitter(new long[] {KvCommitter.CHUNK_BYTES}, r, () -> true, 0, 10_000).start();
        Thread.sleep(50); // asleep in its 10 s poll: close() must interrupt it
        long t0 = System.nanoTime();
        c.close();
        assertTrue(c.finished());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "close() waited for the poll interval");
        assertTrue(r.snapshot().isEmpty());
        c.close(); // twice is harmless
    }

    @Test
    void closeWaitsForTheChunkInProgress() throws InterruptedException {
        AtomicBoolean inCommit = new AtomicBoolean();
        AtomicBoolean committedAfterClose = new AtomicBoolean();
        AtomicBoolean closing = new AtomicBoolean();
        KvCommitter c = new KvCommitter(new long[] {100 * KvCommitter.CHUNK_BYTES}, (t, off, len) -> {
            inCommit.set(true);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closing.get()) {
                committedAfterClose.set(true); // a chunk begun before close() returns is fine; none may start after
            }
        }, () -> false, 0, 1).start();
        while (!inCommit.get()) {
            Thread.sleep(1);
        }
        closing.set(true);
        c.close();
        assertTrue(c.finished());
        committedAfterClose.set(false);
        Thread.sleep(100);
        assertFalse(committedAfterClose.get(), "a range was committed after close() returned");
        assertTrue(c.committedBytes() < c.totalBytes(), "stopped before the end");
    }

    /** The real thing: a slot pool's committer over native KV caches, with a slot held and then released. */
    @Test
    void slotPoolCommitterCommitsAllSlotsOnceNoneIsHeld() throws InterruptedException {
        var hp = new NeoxHParams(512, 2048, 256, 2, 1024, 4, 16, 10000f, 1e-5f, true);
        KvSlotPool slots = new KvSlotPool(hp, 2, 1024, KvCache.ElementType.F16); // 1 MiB per slot: chunks of it
        try {
            slots.acquire(1);
            KvCommitter c = slots.backgroundCommitter().start();
            try {
                Thread.sleep(400);
                assertEquals(0, c.committedBytes(), "committed while a slot was held");
                slots.release(1);
                awaitFinished(c);
                assertEquals(slots.cache(0).byteSize() + slots.cache(1).byteSize(), c.committedBytes());
            } finally {
                c.close();
            }
        } finally {
            slots.close();
        }
    }
}
