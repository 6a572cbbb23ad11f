package dev.neox4j.bench;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A STREAM-like read of the machine's memory bandwidth, for comparing decode with what memory can deliver: decode
 * reads every weight once per token, so {@code weight bytes x tokens/s} against this figure says how far decode is
 * from memory-bound. The read sums a buffer much larger than the last-level cache with {@code threads} threads,
 * each over its own contiguous part, best of several passes.
 */
final class MemoryBandwidth {

    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;

    private MemoryBandwidth() {
    }

    /** Best read bandwidth in GB/s (10^9 bytes) over {@code passes} passes of {@code bytes} with {@code threads}. */
    static double readGBps(long bytes, int threads, int passes) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment m = arena.allocate(bytes, 64);
            m.fill((byte) 1); // touch every page before timing
            double best = 0;
            long[] sink = new long[threads];
            for (int p = 0; p < passes; p++) {
                Thread[] ts = new Thread[threads];
                long part = bytes / threads / LS.vectorByteSize() * LS.vectorByteSize();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    ts[t] = new Thread(() -> sink[id] += sum(m, id * part, part), "bandwidth-" + t);
                }
                long t0 = System.nanoTime();
                for (Thread t : ts) {
                    t.start();
                }
                for (Thread t : ts) {
                    t.join();
                }
                best = Math.max(best, part * threads / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
            return best;
        }
    }

    /** The sum of the 64-bit words of {@code m[from, from + n)} in whole vector pairs: a plain streaming read. */
    static long sum(MemorySegment m, long from, long n) {
        LongVector a = LongVector.zero(LS);
        LongVector b = LongVector.zero(LS);
        int step = LS.vectorByteSize();
        long end = from + n - 2L * step;
        long i = from;
        for (; i <= end; i += 2L * step) {
            a = a.add(LongVector.fromMemorySegment(LS, m, i, ByteOrder.LITTLE_ENDIAN));
            b = b.add(LongVector.fromMemorySegment(LS, m, i + step, ByteOrder.LITTLE_ENDIAN));
        }
        return a.add(b).reduceLanes(VectorOperators.ADD);
    }

    /** Bytes a decode step reads: every tensor of the file except the token embedding (one row per token). */
    static long weightBytesPerToken(Path gguf) throws IOException {
        try (GgufFile f = GgufFile.openToServe(gguf)) { // mapped as the engine maps it
            long n = 0;
            for (GgufTensorInfo t : f.tensors()) {
                if (!t.name().equals("token_embd.weight")) {
                    n += t.byteSize();
                }
            }
            return n;
        }
    }
}
