package dev.neox4j.engine.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * The scheduler's admission queue: requests waiting for a KV slot in arrival order, bounded, with the lock and the
 * conditions the scheduler thread sleeps on (new work) and {@code awaitIdle} waits on (nothing left). Thread-safe.
 */
final class WaitQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Condition idle = lock.newCondition();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final int capacity;

    /** @param capacity requests that may wait beyond the free slots */
    WaitQueue(int capacity) {
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /**
     * Appends {@code s} and runs {@code queued} under the lock (so that it comes before the sequence starts).
     *
     * @return false when the queue is full (as many requests in the queue as {@code freeSlots} gives will get a slot
     *         at once). The free slots are read under the lock, where {@link #poll} admits: read before it, a slot
     *         taken in between let one request more than the capacity in (found by CI, EngineLifecycleTest)
     */
    boolean offer(Sequence s, IntSupplier freeSlots, Runnable queued) {
        lock.lock();
        try {
            if (waiting.size() - freeSlots.getAsInt() >= capacity) {
                return false;
            }
            waiting.add(s);
            queued.run();
            wake.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes the sequences that are {@code ready}, oldest first, while {@code free} slots remain, running
     * {@code taken} on each under the lock; the others keep their place.
     */
    List<Sequence> poll(IntSupplier free, java.util.function.Predicate<Sequence> ready,
                        java.util.function.Consumer<Sequence> taken) {
        List<Sequence> out = new ArrayList<>();
        lock.lock();
        try {
            for (var it = waiting.iterator(); it.hasNext() && free.getAsInt() > 0; ) {
                Sequence s = it.next();
                if (ready.test(s)) {
                    it.remove();
                    taken.accept(s);
                    out.add(s);
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Removes the sequences cancelled or past their deadline at {@code now}; null when none (no allocation). */
    List<Sequence> removeEnded(long now) {
        List<Sequence> dropped = null;
        lock.lock();
        try {
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Sequence s = it.next();
                if (s.cancelRequested() || now > s.deadlineNanos) {
                    it.remove();
                    dropped = dropped == null ? new ArrayList<>() : dropped;
                    dropped.add(s);
                }
            }
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** A copy of the waiting sequences; with {@code clear} the queue is emptied. */
    List<Sequence> snapshot(boolean clear) {
        lock.lock();
        try {
            List<Sequence> all = new ArrayList<>(waiting);
            if (clear) {
                waiting.clear();
            }
            return all;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    void wakeUp() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps while nothing waits, {@code busy} is false and {@code stopping} is false; signals idle first. */
    void awaitWork(java.util.function.BooleanSupplier busy, java.util.function.BooleanSupplier stopping)
            throws InterruptedException {
        lock.lock();
        try {
            while (!stopping.getAsBoolean() && waiting.isEmpty() && !busy.getAsBoolean()) {
                idle.signalAll();
                wake.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps up to {@code nanos}, or until {@link #wakeUp()} or a new request. */
    void sleep(long nanos) throws InterruptedException {
        lock.lock();
        try {
            wake.awaitNanos(nanos);
        } finally {
            lock.unlock();
        }
    }

    /** Signals {@link #awaitIdle} when nothing waits and {@code running} is 0. */
    void signalIfIdle(int running) {
        lock.lock();
        try {
            if (waiting.isEmpty() && running == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing waits and {@code running} reads 0 (or {@code alive} turns false); false on timeout. */
    boolean awaitIdle(long nanos, IntSupplier running, java.util.function.BooleanSupplier alive)
            throws InterruptedException {
        lock.lock();
        try {
            while (!waiting.isEmpty() || running.getAsInt() > 0) {
                if (nanos <= 0 || !alive.getAsBoolean()) {
                    return waiting.isEmpty() && running.getAsInt() == 0;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
