package dev.neox4j.bench;

import dev.neox4j.engine.gguf.GgmlType;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Encodes chunks of tensor data on a small fixed pool of its own while the caller writes finished chunks in
 * submission order ({@link NeoxModelGenerator}). At most {@code 2 * threads} chunks are in flight; their
 * buffers are reused, so memory stays bounded (a few MB per slot) whatever the file size. Used by one writing
 * thread at a time.
 */
final class ChunkPipeline implements AutoCloseable {

    /** Fills {@code values} and encodes them into {@code bytes}; returns the number of bytes to write. */
    @FunctionalInterface
    interface Job {
        int encode(float[] values, byte[] bytes) throws IOException;
    }

    /** Reusable buffers of one in-flight chunk. */
    private static final class Slot {
        float[] values = new float[0]; // [floats of the chunk]
        byte[] bytes = new byte[0];    // [encoded bytes of the chunk]
    }

    private record Pending(Future<Integer> result, Slot slot) {
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ExecutorService pool;
    private final int window;
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private final ArrayDeque<Pending> inflight = new ArrayDeque<>();

    ChunkPipeline(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "neox-gen-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.window = 2 * threads;
    }

    /**
     * Queues a chunk of {@code n} floats of {@code type}; first writes the oldest finished chunk to {@code out}
     * if the window is full.
     */
    void submit(int n, GgmlType type, Job job, OutputStream out) throws IOException {
        if (inflight.size() >= window) {
            writeOldest(out);
        }
        Slot s = free.isEmpty() ? new Slot() : free.pop();
        if (s.values.length < n) {
            s.values = new float[n];
        }
        int nb = Math.toIntExact(type.bytesFor(n));
        if (s.bytes.length < nb) {
            s.bytes = new byte[nb];
        }
        Future<Integer> f = pool.submit(() -> job.encode(s.values, s.bytes));
        inflight.add(new Pending(f, s));
    }

    /** Writes every queued chunk, in order. */
    void drain(OutputStream out) throws IOException {
        while (!inflight.isEmpty()) {
            writeOldest(out);
        }
    }

    private void writeOldest(OutputStream out) throws IOException {
        Pending p = inflight.poll();
        int nb;
        try {
            nb = p.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while generating tensor data");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            switch (c) {
                case IOException io -> throw io;
                case UncheckedIOException u -> throw u.getCause();
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IOException(c);
            }
        }
        out.write(p.slot().bytes, 0, nb);
        free.push(p.slot());
    }

    /** Cancels chunks still queued and stops the pool's threads. */
    @Override
    public void close() {
        for (Pending p : inflight) {
            p.result().cancel(true);
        }
        inflight.clear();
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
