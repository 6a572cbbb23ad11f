package dev.neox4j.bench;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.WeightMatrix;
import dev.neox4j.engine.tensor.kernel.Kernels;
import dev.neox4j.engine.tensor.kernel.MatmulKernels;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * How fast <em>one core</em> streams a mapped GGUF file, depending on the work done per byte: what bounds decode
 * once the weights come from memory (BENCHMARKS.md, session 17). On the file mapped as the engine maps it, in
 * thread CPU time, best of several passes after two untimed ones:
 * <ul>
 *   <li>{@code read}: 64-byte vector loads, two additions each (a STREAM-like read);</li>
 *   <li>{@code work64}: the same loads with about 25 dependent-free vector operations per load (roughly the
 *       instructions a 4-bit kernel spends on 64 bytes of weights);</li>
 *   <li>{@code work36}: the same work per load, loads every 36 bytes (one Q4_0 pair of blocks), so 1.8 times the
 *       instructions per byte;</li>
 *   <li>{@code matvec}: the vector kernels' single-row matmul over every 2-D tensor of the file's most common
 *       weight type, in file order (a decode step's weights without attention).</li>
 * </ul>
 * A core keeps only as many cache-line misses in flight as its out-of-order window holds, so once hardware
 * prefetch falls short the rate follows bytes per instruction rather than the kernel's speed on cached data.
 * Usage: {@code java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:DEPS
 * dev.neox4j.bench.StreamRate FILE.gguf [passes]}.
 */
public final class StreamRate {

    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private StreamRate() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: StreamRate FILE.gguf [passes]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (GgufFile f = GgufFile.openToServe(file)) {
            MemorySegment m = f.segment();
            long bytes = (m.byteSize() - 128) / 64 * 64;
            long[] sink = new long[1];
            System.out.printf(Locale.ROOT, "%s, %.2f GB, one thread, %s, GB/s per pass (thread CPU time)%n",
                    file.getFileName(), bytes / 1e9, LS);
            report("read", passes, bytes, mx, tid, () -> sink[0] += MemoryBandwidth.sum(m, 0, bytes));
            report("work64", passes, bytes, mx, tid, () -> sink[0] += work(m, bytes, 64));
            report("work36", passes, bytes, mx, tid, () -> sink[0] += work(m, bytes, 36));
            MatmulKernels k = Kernels.select("vector");
            List<WeightMatrix> ws = new ArrayList<>();
            for (WeightMatrix w : matrices(f)) {
                ws.add(k.prepare(w, ParallelFor.SERIAL)); // as the engine serves it (-Dneox4j.kernels.* apply)
            }
            long wBytes = 0;
            for (WeightMatrix w : ws) {
                wBytes += w.rowBytes() * w.rows();
            }
            Map<Integer, Activations> acts = activations(k, ws);
            float[] out = new float[ws.stream().mapToInt(WeightMatrix::rows).max().orElse(1)];
            report("matvec " + ws.size() + " " + (ws.isEmpty() ? "-" : ws.getFirst().type()), passes, wBytes, mx, tid,
                    () -> {
                        for (WeightMatrix w : ws) {
                            k.matmul(w, acts.get(w.cols()), 0, w.rows(), out, 0, w.rows());
                        }
                    });
            if (sink[0] == 42) {
                System.out.println(); // keeps the reads alive
            }
        }
    }

    private static void report(String name, int passes, long bytes, com.sun.management.ThreadMXBean mx, long tid,
                               Runnable pass) {
        pass.run();
        pass.run();
        StringBuilder sb = new StringBuilder();
        double best = 0;
        for (int i = 0; i < passes; i++) {
            long c0 = mx.getThreadCpuTime(tid);
            pass.run();
            double gbs = bytes / (double) (mx.getThreadCpuTime(tid) - c0);
            best = Math.max(best, gbs);
            sb.append(String.format(Locale.ROOT, " %.2f", gbs));
        }
        System.out.printf(Locale.ROOT, "%-22s best %6.2f GB/s  [%s ]%n", name, best, sb);
    }

    /** A load every {@code stride} bytes, then about 25 vector operations on it, into four accumulators. */
    private static long work(MemorySegment m, long n, int stride) {
        LongVector a = LongVector.zero(LS);
        LongVector b = a;
        LongVector c = a;
        LongVector d = a;
        for (long i = 0; i + 64 <= n; i += stride) {
            LongVector v = LongVector.fromMemorySegment(LS, m, i, LE);
            LongVector x = v.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0FL);
            LongVector y = v.and(0x0F0F0F0FL).mul(v);
            LongVector z = x.add(y).lanewise(VectorOperators.LSHL, 3).or(v);
            LongVector u = z.lanewise(VectorOperators.ASHR, 7).add(x).and(y);
            LongVector w = u.mul(z).add(v).lanewise(VectorOperators.LSHR, 2);
            LongVector t = w.or(x).add(y.and(z)).lanewise(VectorOperators.LSHL, 1);
            a = a.add(t);
            b = b.add(w.and(u));
            c = c.add(z.or(t));
            d = d.add(u.add(x));
        }
        return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
    }

    /** The 2-D tensors of the file's most common weight type (by bytes), in file order. */
    private static List<WeightMatrix> matrices(GgufFile f) {
        Map<GgmlType, Long> byType = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo t : f.tensors()) {
            if (t.nDims() == 2) {
                byType.merge(t.type(), t.byteSize(), Long::sum);
            }
        }
        GgmlType main = byType.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(null);
        List<WeightMatrix> ws = new ArrayList<>();
        for (GgufTensorInfo t : f.tensors()) {
            if (t.nDims() == 2 && t.type() == main && !t.name().equals("token_embd.weight")) {
                ws.add(new WeightMatrix(t.name(), t.type(), f.data(t), (int) t.rows(), (int) t.ne(0)));
            }
        }
        return ws;
    }

    /** One activation row per distinct column count, quantized as the kernels expect. */
    private static Map<Integer, Activations> activations(MatmulKernels k, List<WeightMatrix> ws) {
        Map<Integer, Activations> acts = new HashMap<>();
        Random rnd = new Random(1);
        for (WeightMatrix w : ws) {
            acts.computeIfAbsent(w.cols(), cols -> {
                float[] x = new float[cols];
                for (int i = 0; i < cols; i++) {
                    x[i] = (float) rnd.nextGaussian();
                }
                Activations a = k.newActivations();
                k.quantize(x, 0, 1, cols, MatmulKernels.activationFormat(w.type()), a);
                return a;
            });
        }
        return acts;
    }
}
