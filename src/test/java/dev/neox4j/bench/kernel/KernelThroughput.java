package dev.neox4j.bench.kernel;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.WeightMatrix;
import dev.neox4j.engine.tensor.kernel.Kernels;
import dev.neox4j.engine.tensor.kernel.MatmulKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;

/**
 * A quick single-thread kernel throughput table measured in <em>thread CPU time</em> (robust on a shared, loaded
 * machine, unlike wall-clock JMH scores): weight GB/s for matvec (batch 1) and matmul (batch {@code B}), plus
 * bytes allocated by one matvec plus one matmul (must be 0). Usage:
 * {@code java --add-modules jdk.incubator.vector -cp ... dev.neox4j.bench.kernel.KernelThroughput [size|ROWSxCOLS] [types]
 * [kernels] [batch]}, e.g. {@code 2048 Q4_0,Q8_0 vector,scalar 16} or {@code 64x20480 Q4_0 vector 4} (a 12b
 * {@code ffn_down} row length, L2-resident).
 */
public final class KernelThroughput {

    private KernelThroughput() {
    }

    public static void main(String[] args) {
        String[] shape = (args.length > 0 ? args[0] : "2048").split("x");
        int rows = Integer.parseInt(shape[0]);
        int cols = Integer.parseInt(shape[shape.length - 1]);
        String[] types = (args.length > 1 ? args[1]
                : "Q4_0,Q8_0,Q4_K,Q6_K,Q5_K,F16,Q4_1,Q5_0,Q5_1,Q2_K,Q3_K,F32,BF16").split(",");
        String[] kinds = (args.length > 2 ? args[2] : "vector").split(",");
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        System.out.printf(Locale.ROOT, "%-6s %-7s %11s %12s %12s %14s %12s %12s%n", "type", "kernels", "rows x cols", "matvec GB/s",
                "matmul GB/s", "matmul GMAC/s", "alloc vec B", "alloc mat B");
        for (String kind : kinds) {
            MatmulKernels k = Kernels.select(kind);
            for (String ts : types) {
                GgmlType t = GgmlType.valueOf(ts);
                try (Arena arena = Boolean.getBoolean("bench.confined") ? Arena.ofConfined() : Arena.ofShared()) {
                    long rowBytes = t.bytesFor(cols);
                    MemorySegment seg = arena.allocate(rowBytes * rows, 64);
                    Random rnd = new Random(42);
                    float[] row = new float[cols];
                    for (int r = 0; r < rows; r++) {
                        for (int i = 0; i < cols; i++) {
                            row[i] = (float) rnd.nextGaussian() * 0.02f;
                        }
                        TensorCodecs.quantize(t, row, 0, cols, seg, r * rowBytes);
                    }
                    WeightMatrix gguf = new WeightMatrix("bench", t, seg, rows, cols);
                    // the layout the kernels repack to at load (-Dbench.gguf=true keeps the file's layout)
                    WeightMatrix w = Boolean.getBoolean("bench.gguf") ? gguf : k.prepare(gguf, ParallelFor.SERIAL);
                    float[] x = new float[batch * cols];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) rnd.nextGaussian();
                    }
                    ActivationFormat f = MatmulKernels.activationFormat(t);
                    Activations one = k.newActivations();
                    k.quantize(x, 0, 1, cols, f, one);
                    Activations many = k.newActivations();
                    k.quantize(x, 0, batch, cols, f, many);
                    float[] out = new float[batch * rows];
                    double bytes = (double) rowBytes * rows;
                    int reps = kind.equals("scalar") ? 2 : 30;
                    double vecNs = measure(k, w, one, out, rows, reps, mx, tid);
                    double matNs = measure(k, w, many, out, rows, Math.max(1, reps / 4), mx, tid);
                    long a0 = mx.getThreadAllocatedBytes(tid);
                    k.matmul(w, one, 0, rows, out, 0, rows);
                    long a1 = mx.getThreadAllocatedBytes(tid);
                    k.matmul(w, many, 0, rows, out, 0, rows);
                    long a2 = mx.getThreadAllocatedBytes(tid);
                    System.out.printf(Locale.ROOT, "%-6s %-7s %11s %12.2f %12.2f %14.2f %12d %12d %s%n", ts, kind,
                            rows + "x" + cols, bytes / vecNs, bytes / matNs, (double) rows * cols * batch / matNs,
                            a1 - a0, a2 - a1, w.layout());
                }
            }
        }
    }

    private static double measure(MatmulKernels k, WeightMatrix w, Activations a, float[] out, int rows, int reps,
                                  com.sun.management.ThreadMXBean mx, long tid) {
        long warm = mx.getThreadCpuTime(tid);
        do {
            k.matmul(w, a, 0, rows, out, 0, rows); // warm-up: at least 1.5 s of CPU so that C2 has compiled
        } while (mx.getThreadCpuTime(tid) - warm < 1_500_000_000L);
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long c0 = mx.getThreadCpuTime(tid);
            for (int i = 0; i < reps; i++) {
                k.matmul(w, a, 0, rows, out, 0, rows);
            }
            best = Math.min(best, (double) (mx.getThreadCpuTime(tid) - c0) / reps);
        }
        return best;
    }
}
