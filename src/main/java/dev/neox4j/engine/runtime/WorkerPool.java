package dev.neox4j.engine.runtime;

import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.RangeTask;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's own fixed set of worker threads (never the common ForkJoin pool).
 *
 * <p>A pool of {@code n} threads runs {@code n} chunks per {@link #run}: the calling thread takes chunk 0 and
 * {@code n - 1} daemon platform threads named {@code neox-worker-1 … neox-worker-(n-1)} take the others. The
 * split is deterministic and contiguous: chunk {@code c} of {@code [0, count)} is
 * {@code [c*count/n, (c+1)*count/n)} (chunks may be empty when {@code count < n}).
 *
 * <p>Hand-off costs no allocation: the task is published through a shared field and a volatile generation
 * counter; workers spin briefly ({@link Thread#onSpinWait()}) waiting for the next generation, then park.
 * The caller waits for the last chunk the same way. An exception thrown by any chunk is rethrown by
 * {@code run} after every chunk has finished (so no worker still writes into the caller's buffers); when
 * several chunks fail, the first recorded failure is thrown and the others are attached as suppressed.
 *
 * <p>{@code run} may be called from any thread but calls are serialised; a {@code run} issued from inside a
 * task (nested) executes inline on the current thread. {@link #close()} stops the threads; later calls to
 * {@code run} throw {@link IllegalStateException}.
 */
public final class WorkerPool implements ParallelFor, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WorkerPool.class.getName());

    /** How long a waiting thread spins before parking. Short: the machine may be oversubscribed. */
    private static final long SPIN_NANOS = 50_000;

    /** Upper bound on the thread count, to turn configuration mistakes into clear errors. */
    public static final int MAX_THREADS = 1024;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock runLock = new ReentrantLock();

    // The current job, published by the volatile write to `generation`.
    private RangeTask task;
    private int count;
    private volatile long generation;
    private volatile boolean closed;

    private final AtomicInteger pending = new AtomicInteger();
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
    public void run(int n, RangeTask rangeTask) {
        if (n < 0) {
            throw new IllegalArgumentException("negative range " + n);
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
            failure.set(null);
            pending.set(workers.length);
            waiter = Thread.currentThread();
            generation = generation + 1; // publishes task/count to the workers
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            try {
                int end = chunkEnd(0);
                if (end > 0) {
                    rangeTask.run(0, end);
                }
            } catch (Throwable t) {
                record(t);
            }
            awaitWorkers();
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

    private int chunkStart(int c) {
        return (int) ((long) c * count / threads);
    }

    private int chunkEnd(int c) {
        return (int) ((long) (c + 1) * count / threads);
    }

    private void record(Throwable t) {
        if (!failure.compareAndSet(null, t)) {
            Throwable first = failure.get();
            if (first != null && first != t) {
                first.addSuppressed(t);
            }
        }
    }

    private void awaitWorkers() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (pending.get() != 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            waiterParked = true;
            if (pending.get() != 0) {
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
        final int index;
        final Thread thread;
        volatile boolean parked;

        Worker(int index) {
            this.index = index;
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
                try {
                    int start = chunkStart(index);
                    int end = chunkEnd(index);
                    if (start < end) {
                        task.run(start, end);
                    }
                } catch (Throwable t) {
                    record(t);
                }
                if (pending.decrementAndGet() == 0 && waiterParked) {
                    LockSupport.unpark(waiter);
                }
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
