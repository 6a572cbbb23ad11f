package dev.neox4j.engine.runtime;

import java.util.function.BooleanSupplier;

/**
 * Commits the KV slots' memory in the background while the engine is idle, instead of before it is ready.
 *
 * <p>A slot's pages are committed either when a forward pass first writes a position (a page fault per 4 KiB:
 * one per layer's keys and values for each new position, about 17 us each on the development VM, so ~0.8 ms per
 * decoded token at pythia-1.4b and ~0.1 s per 128-token prompt) or ahead of that in bulk
 * ({@code MADV_POPULATE_WRITE}, 10-20x cheaper per page). Committing all four 1.4b slots (1.6 GB) in bulk at
 * start-up took 2.1-4.8 s on the 2-core VM, the largest part of the time to ready. So the engine becomes ready
 * without it and this thread commits the slots afterwards, a chunk at a time, only once no sequence has held a
 * slot for {@code quietNanos}: a chunk takes at most ~25 ms of one core at the slowest measured rate, so a request
 * arriving meanwhile waits at most that long for it, and busy periods (a benchmark's back-to-back requests) are
 * left alone. Where a request writes pages first, the fault commits them; the later bulk commit of the same pages
 * changes nothing (it never writes contents), so the two may overlap.
 *
 * <p>One daemon thread at minimum priority; {@link #close()} stops and joins it (before the slots are released).
 */
final class KvCommitter implements AutoCloseable {

    /** Commits {@code [offset, offset + length)} of target {@code target}'s memory. */
    @FunctionalInterface
    interface RangeCommit {
        void commit(int target, long offset, long length);
    }

    /** Bytes committed per call. */
    static final long CHUNK_BYTES = 8L << 20;
    /** How long no slot must have been held before committing: 250 ms. */
    static final long QUIET_NANOS = 250_000_000L;
    /** How often the idle state is checked: 50 ms. */
    static final long POLL_MILLIS = 50;

    private static final System.Logger LOG = System.getLogger(KvCommitter.class.getName());

    private final long[] sizes;
    private final RangeCommit commit;
    private final BooleanSupplier busy;
    private final long quietNanos;
    private final long pollMillis;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long committed;

    /**
     * @param sizes      bytes of each target, committed in this order
     * @param commit     commits a range of a target
     * @param busy       whether work is running now (then nothing is committed)
     * @param quietNanos how long {@code busy} must have been false before committing
     * @param pollMillis how often {@code busy} is checked
     */
    KvCommitter(long[] sizes, RangeCommit commit, BooleanSupplier busy, long quietNanos, long pollMillis) {
        this.sizes = sizes.clone();
        this.commit = commit;
        this.busy = busy;
        this.quietNanos = quietNanos;
        this.pollMillis = pollMillis;
        this.thread = new Thread(this::run, "neox-kv-commit");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    /** Starts the thread; returns this. */
    KvCommitter start() {
        thread.start();
        return this;
    }

    /** Bytes committed so far. */
    long committedBytes() {
        return committed;
    }

    /** Bytes to commit in all. */
    long totalBytes() {
        long n = 0;
        for (long s : sizes) {
            n += s;
        }
        return n;
    }

    private void run() {
        long t0 = System.nanoTime();
        long lastBusy = t0; // the engine just started: wait for a quiet period first
        try {
            for (int t = 0; t < sizes.length; t++) {
                long off = 0;
                while (off < sizes[t]) {
                    if (stopped) {
                        return;
                    }
                    boolean working = busy.getAsBoolean();
                    long now = System.nanoTime(); // after the check: a commit is >= quietNanos after a busy answer
                    if (working) {
                        lastBusy = now;
                        Thread.sleep(pollMillis);
                        continue;
                    }
                    if (now - lastBusy < quietNanos) {
                        Thread.sleep(pollMillis);
                        continue;
                    }
                    long len = Math.min(CHUNK_BYTES, sizes[t] - off);
                    commit.commit(t, off, len);
                    off += len;
                    committed += len;
                }
            }
            LOG.log(System.Logger.Level.DEBUG, () -> String.format("KV cache committed: %,d MiB, done %.1f s after start",
                    committed >> 20, (System.nanoTime() - t0) / 1e9));
        } catch (InterruptedException e) {
            // close(): stop
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "committing the KV cache in the background stopped; pages will be "
                    + "committed as positions are written", e);
        }
    }

    /** Whether the thread has ended (all committed, stopped or failed). */
    boolean finished() {
        return !thread.isAlive() && thread.getState() != Thread.State.NEW;
    }

    /** Stops the thread and waits for it: no range is committed after this returns. */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
