package dev.neox4j.engine.runtime;

import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.RangeTask;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's own fixed set of worker threads (never the common ForkJoin pool).
 *
 * <p>A pool of {@code t} threads is the calling thread plus {@code t - 1} daemon platform threads named
 * {@code neox-worker-1 … neox-worker-(t-1)}. A {@link #run} splits {@code [0, count)} into up to
 * {@value #PARTS_PER_THREAD} contiguous parts per thread, of equal size rounded up to the grain
 * ({@link #partSize}), and every thread takes the next part as soon as it is free: on a virtual machine whose
 * cores are taken away now and then (10-25 % "steal" on the 2-vCPU guests this was measured on), a fixed half per
 * thread made every matmul wait for the slower half (the static split's decode steps took 1.15-1.25x as long).
 * Which thread runs a part changes nothing in the results: every work item is computed the same way whatever its
 * part.
 *
 * <p>Hand-off costs no allocation: the task is published through a shared field and a volatile generation
 * counter; workers spin briefly ({@link Thread#onSpinWait()}) waiting for the next generation, then park.
 * The caller runs parts too, then waits for the last part the same way (not for the workers: one that wakes after
 * the last part was taken finds nothing to claim). An exception thrown by any part is rethrown by {@code run}
 * after every part has finished (so no worker still writes into the caller's buffers); when several parts fail,
 * the first recorded failure is thrown and the others are attached as suppressed.
 *
 * <p>{@code run} may be called from any thread but calls are serialised; a {@code run} issued from inside a
 * task (nested) executes inline on the current thread. {@link #close()} stops the threads; later calls to
 * {@code run} throw {@link IllegalStateException}.
 */
public final class WorkerPool implements ParallelFor, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WorkerPool.class.getName());

    /** How long a waiting thread spins before parking. Short: the machine may be oversubscribed. */
    private static final long SPIN_NANOS = 50_000;

    /**
     * Parts per thread and run: enough that a thread slowed for a part's time costs the run at most about one
     * part, few enough that handing out a part (one compare-and-set) stays far below the part's work. Decode steps
     * of pythia-1.4b, 2 threads, the settings alternated in one JVM on a 2-vCPU guest with steal: Q4_0 median 96 ms
     * per step with 1 part per thread, 89 with 8, 77 with 16, 78 with 32; Q4_K_M 180 (1), 158 (4), 152 (8).
     */
    static final int PARTS_PER_THREAD = 16;

    /** Upper bound on the thread count, to turn configuration mistakes into clear errors. */
    public static final int MAX_THREADS = 1024;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock runLock = new ReentrantLock();

    // The current job, published by the volatile write to `generation`.
    private RangeTask task;
    private int count;
    private int partSize;
    private volatile long generation;
    private volatile boolean closed;

    /**
     * The claim word of the current run: the low 32 bits of its generation, its part count (16 bits) and the next
     * unclaimed part (16 bits). A thread claims a part by a compare-and-set that keeps the generation, so a thread
     * that woke for a run that has ended claims nothing, and reads the job's fields only after a claim succeeded
     * (the run cannot end, nor the next one overwrite them, before the claimed part is done).
     */
    private final AtomicLong claim = new AtomicLong();
    private final AtomicInteger partsDone = new AtomicInteger();
    private int parts;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile Thread waiter;
    private volatile boolean waiterParked;

    /**
     * Starts {@code threads - 1} worker threads (the caller of {@link #run} is the remaining one).
     *
     * @param threads total parallelism, 1..{@value #MAX_THREADS}
     */
    public WorkerPool(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("worker pool threads must be in 1.." + MAX_THREADS + ", got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
        }
        for (Worker w : workers) {
            w.thread.start();
        }
        LOG.log(System.Logger.Level.DEBUG, "worker pool started with {0} threads", threads);
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void run(int n, int grain, RangeTask rangeTask) {
        if (n < 0) {
            throw new IllegalArgumentException("negative range " + n);
        }
        if (grain < 1) {
            throw new IllegalArgumentException("grain must be at least 1, got " + grain);
        }
        if (closed) {
            throw new IllegalStateException("worker pool is closed");
        }
        if (n == 0) {
            return;
        }
        if (threads == 1 || n == 1 || runLock.isHeldByCurrentThread() || Thread.currentThread() instanceof WorkerThread) {
            rangeTask.run(0, n); // nothing to split, or nested call: run inline
            return;
        }
        runLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("worker pool is closed");
            }
            task = rangeTask;
            count = n;
            partSize = partSize(n, grain, threads);
            parts = (int) ((n + (long) partSize - 1) / partSize);
            failure.set(null);
            partsDone.set(0);
            waiter = Thread.currentThread();
            long g = generation + 1;
            claim.set(((g & 0xFFFF_FFFFL) << 32) | ((long) parts << 16)); // the job's fields before this write
            generation = g; // wakes the workers
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            runParts(g);
            awaitParts();
            task = null;
            Throwable t = failure.getAndSet(null);
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException("worker task failed", t);
            }
        } finally {
            runLock.unlock();
        }
    }

    /**
     * The size of every part but the last when {@code n} items are split for {@code threads} threads: {@code n}
     * over {@value #PARTS_PER_THREAD} parts per thread, rounded up to a multiple of {@code grain}.
     */
    static int partSize(int n, int grain, int threads) {
        long size = Math.max(1, (n + (long) threads * PARTS_PER_THREAD - 1) / ((long) threads * PARTS_PER_THREAD));
        size = (size + grain - 1) / grain * grain;
        return (int) Math.min(Math.max(1, n), size);
    }

    /** Claims and runs parts of run {@code g} until none is left; every thread of a run calls this. */
    private void runParts(long g) {
        while (true) {
            long c = claim.get();
            int next = (int) (c & 0xFFFF);
            if ((c >>> 32) != (g & 0xFFFF_FFFFL) || next >= (int) ((c >>> 16) & 0xFFFF)) {
                return; // another run's word, or every part taken
            }
            if (!claim.compareAndSet(c, c + 1)) {
                continue;
            }
            int start = next * partSize;
            int end = (int) Math.min(count, (long) start + partSize);
            try {
                task.run(start, end);
            } catch (Throwable e) {
                record(e);
            }
            if (partsDone.incrementAndGet() == parts && waiterParked) {
                LockSupport.unpark(waiter);
            }
        }
    }

    private void record(Throwable t) {
        if (!failure.compareAndSet(null, t)) {
            Throwable first = failure.get();
            if (first != null && first != t) {
                first.addSuppressed(t);
            }
        }
    }

    /** Waits until every part of the current run is done (not for the workers: one may not even be awake yet). */
    private void awaitParts() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (partsDone.get() != parts) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            waiterParked = true;
            if (partsDone.get() != parts) {
                LockSupport.park(this);
            }
            waiterParked = false;
        }
    }

    /** Stops the worker threads (waits briefly for them to exit). Idempotent. */
    @Override
    public void close() {
        runLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            runLock.unlock();
        }
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
        for (Worker w : workers) {
            try {
                w.thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Marker type so nested {@code run} calls from inside a task are detected cheaply. */
    private static final class WorkerThread extends Thread {
        WorkerThread(Runnable r, String name) {
            super(r, name);
            setDaemon(true);
        }
    }

    private final class Worker implements Runnable {
        final Thread thread;
        volatile boolean parked;

        Worker(int index) {
            this.thread = new WorkerThread(this, "neox-worker-" + index);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long g = awaitGeneration(seen);
                if (g < 0) {
                    return;
                }
                seen = g;
                runParts(g);
            }
        }

        /** Waits for a generation other than {@code seen}; -1 when the pool closes. */
        private long awaitGeneration(long seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                long g = generation;
                if (g != seen) {
                    return g;
                }
                if (closed) {
                    return -1;
                }
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (generation == seen && !closed) {
                    LockSupport.park(WorkerPool.this);
                }
                parked = false;
            }
        }
    }
}
