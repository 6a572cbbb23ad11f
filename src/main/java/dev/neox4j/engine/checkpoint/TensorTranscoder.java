package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.TensorCodecs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Produces a {@link SourceTensor}'s bytes in a target type. A tensor already in the target type and in order is
 * returned as the slice of its mapped file (no copy). Otherwise the destination is allocated in the caller's arena
 * and filled chunk by chunk (rows in destination order) on a small pool of this transcoder's own threads: the source
 * rows are read with positional file reads (so the source file's pages are not mapped into the process), converted
 * to f32 and encoded in the target type; a tensor that only needs its rows reordered is read straight into place.
 * Memory stays bounded by a few MB per thread besides the destination.
 */
final class TensorTranscoder implements AutoCloseable {
    /** Elements converted per chunk. */
    private static final int CHUNK_ELEMS = 1 << 20;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Map<Path, FileChannel> channels = new HashMap<>();
    private final ExecutorService pool;

    /** A transcoder with {@code threads} worker threads of its own. */
    TensorTranscoder(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "neox-transcode-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Bytes of {@code s} encoded as {@code target} (GGUF layout: rows of {@code ne0} elements). */
    static long targetBytes(SourceTensor s, GgmlType target) {
        long ne0 = s.ne()[0];
        return target.bytesFor(ne0) * (s.elements() / ne0);
    }

    /**
     * The tensor's bytes in {@code target}: a slice of the mapped source when nothing needs to change and
     * {@code allowView} is set, else new memory of {@code arena}.
     *
     * @throws IllegalArgumentException if the row length is not a multiple of the target's block size
     */
    MemorySegment materialize(SourceTensor s, GgmlType target, Arena arena, boolean allowView) throws IOException {
        if (allowView && target == s.type() && s.runs() == null) {
            return s.mapped();
        }
        if (s.cols() % target.blockElems != 0 || s.cols() % s.type().blockElems != 0) {
            throw new IllegalArgumentException(s.name() + ": row length " + s.cols() + " does not fit " + s.type()
                    + " -> " + target);
        }
        MemorySegment dst = arena.allocate(targetBytes(s, target), 64);
        long dstRowBytes = target.bytesFor(s.cols());
        int maxRows = (int) Math.max(1, CHUNK_ELEMS / s.cols());
        long[] runs = s.runsOrIdentity();
        FileChannel ch = channel(s.file());
        List<Future<?>> jobs = new ArrayList<>();
        long dstRow = 0;
        for (int r = 0; r < runs.length; r += 2) {
            for (long done = 0; done < runs[r + 1]; done += maxRows) {
                int n = (int) Math.min(maxRows, runs[r + 1] - done);
                long srcPos = s.fileOffset() + (runs[r] + done) * s.rowBytes();
                MemorySegment out = dst.asSlice((dstRow + done) * dstRowBytes, n * dstRowBytes);
                jobs.add(pool.submit(() -> {
                    convert(ch, srcPos, n, s, target, out);
                    return null;
                }));
            }
            dstRow += runs[r + 1];
        }
        await(jobs, s.name());
        return dst;
    }

    /** Converts {@code n} rows starting at {@code srcPos} into {@code out}. */
    private static void convert(FileChannel ch, long srcPos, int n, SourceTensor s, GgmlType target,
                                MemorySegment out) throws IOException {
        long bytes = n * s.rowBytes();
        if (target == s.type()) {
            readFully(ch, out.asByteBuffer(), srcPos, s);
            return;
        }
        byte[] raw = new byte[(int) bytes];                       // [n rows of the source type]
        readFully(ch, ByteBuffer.wrap(raw), srcPos, s);
        int elems = (int) (n * s.cols());
        float[] values = new float[elems];                        // [n * cols] f32
        TensorCodecs.dequantize(s.type(), MemorySegment.ofArray(raw), 0, values, 0, elems);
        TensorCodecs.quantize(target, values, 0, elems, out, 0);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, SourceTensor s) throws IOException {
        long start = pos;
        while (buf.hasRemaining()) {
            if (ch.read(buf, start + buf.position()) < 0) {
                throw new CheckpointFormatException(s.file().getFileName() + ": tensor '" + s.name()
                        + "' ends past the end of the file");
            }
        }
    }

    private synchronized FileChannel channel(Path file) throws IOException {
        FileChannel ch = channels.get(file);
        if (ch == null) {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            channels.put(file, ch);
        }
        return ch;
    }

    private static void await(List<Future<?>> jobs, String name) throws IOException {
        try {
            for (Future<?> f : jobs) {
                f.get();
            }
        } catch (InterruptedException e) {
            jobs.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while converting " + name);
        } catch (ExecutionException e) {
            jobs.forEach(f -> f.cancel(true));
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(name + ": " + c, c);
        }
    }

    @Override
    public synchronized void close() {
        pool.shutdownNow();
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only channel: nothing to lose
            }
        }
        channels.clear();
    }
}
