package dev.neox4j.bench;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.model.ForwardBatch;
import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxForward;
import dev.neox4j.engine.model.NeoxModel;
import dev.neox4j.engine.runtime.WorkerPool;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.RangeTask;
import dev.neox4j.engine.tensor.kernel.Kernels;
import dev.neox4j.engine.tensor.kernel.MatmulKernels;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the time of one decode step goes, for a GPT-NeoX GGUF: every {@link ParallelFor#run} of the forward pass
 * (per layer: the QKV matmul, attention, the output projection, FFN up, FFN down; then the LM head) is timed
 * through a wrapping pool, each chunk in wall and thread CPU time, so the table shows per matmul kind the wall time
 * per step, the weight bytes per second, the time the caller waits for the slowest chunk after its own (the
 * hand-off and imbalance), and what the caller does between the parallel parts (norms, activation conversion,
 * RoPE, KV writes). Usage: {@code java ... dev.neox4j.bench.DecodeStepProfile -Dbench.model=FILE
 * [-Dbench.threads=2] [-Dbench.tg=16] [-Dbench.streams=1]} (streams: sequences decoding together, one token each per
 * step, as concurrent requests do).
 */
public final class DecodeStepProfile {

    private static final String[] KINDS = {"qkv", "attention", "attn_output", "ffn_up", "ffn_down", "lm_head"};
    private static final String[] TENSORS = {"attn_qkv.weight", null, "attn_output.weight", "ffn_up.weight",
            "ffn_down.weight", null};

    private DecodeStepProfile() {
    }

    /** A pool that times every run and each of its chunks. */
    static final class TimingPool implements ParallelFor {
        private static final int MAX_THREADS = 16;
        private final WorkerPool pool;
        private final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private final long[] chunkWallEnd = new long[MAX_THREADS];
        private final long[] chunkCpu = new long[MAX_THREADS];
        boolean recording;
        int calls;          // runs recorded in the current step
        long lastEnd;       // wall end of the previous run (serial time = gaps)
        // per kind: sums over the recorded steps
        final double[] wall = new double[KINDS.length];
        final double[] cpu = new double[KINDS.length];
        final double[] wait = new double[KINDS.length];
        final double[] serialBefore = new double[KINDS.length];
        private RangeTask inner;
        private final RangeTask timed = this::chunk;

        TimingPool(WorkerPool pool) {
            this.pool = pool;
        }

        @Override
        public int threads() {
            return pool.threads();
        }

        private void chunk(int start, int end) {
            long c0 = mx.getCurrentThreadCpuTime();
            inner.run(start, end);
            int t = Thread.currentThread().getName().startsWith("neox-worker-")
                    ? Integer.parseInt(Thread.currentThread().getName().substring(12)) : 0;
            chunkCpu[t] += mx.getCurrentThreadCpuTime() - c0; // a thread may run several parts
            chunkWallEnd[t] = System.nanoTime();
        }

        @Override
        public void run(int n, int grain, RangeTask task) {
            if (!recording) {
                pool.run(n, grain, task);
                return;
            }
            int kind = kindOf(calls++);
            inner = task;
            java.util.Arrays.fill(chunkWallEnd, 0L);
            java.util.Arrays.fill(chunkCpu, 0L);
            long t0 = System.nanoTime();
            if (lastEnd != 0) {
                serialBefore[kind] += t0 - lastEnd;
            }
            pool.run(n, grain, timed);
            long t1 = System.nanoTime();
            lastEnd = t1;
            wall[kind] += t1 - t0;
            long cpuSum = 0;
            for (long c : chunkCpu) {
                cpuSum += c;
            }
            cpu[kind] += cpuSum;
            wait[kind] += t1 - (chunkWallEnd[0] == 0 ? t1 : chunkWallEnd[0]); // caller's last part done -> all done
        }

        private int kindOf(int call) {
            // per layer 5 runs; the last layer's then the LM head (n == vocab rows)
            return call >= nLayerRuns ? 5 : call % 5;
        }

        int nLayerRuns;
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(System.getProperty("bench.model"));
        int threads = Integer.getInteger("bench.threads", 2);
        int steps = Integer.getInteger("bench.tg", 16);
        int streams = Integer.getInteger("bench.streams", 1);
        long tOpen = System.nanoTime();
        try (GgufFile file = GgufFile.openToServe(path); WorkerPool workers = new WorkerPool(threads)) {
            NeoxModel model = NeoxModel.load(file);
            MatmulKernels kernels = Kernels.select("auto");
            TimingPool pool = new TimingPool(workers);
            long t0 = System.nanoTime();
            NeoxForward forward = new NeoxForward(model, kernels, pool, streams);
            long t1 = System.nanoTime();
            int ctx = Math.max(64, steps + 16);
            KvCache[] caches = new KvCache[streams];
            for (int c = 0; c < streams; c++) {
                caches[c] = KvCache.forModel(model.hparams(), ctx, KvCache.ElementType.F16);
                // committed as the server commits its slots: a first write to each position's page would fault
                // inside the timed steps (the serial column, 4-8 ms a step at 1.4b with four streams)
                caches[c].populate(0, caches[c].byteSize());
            }
            long t2 = System.nanoTime();
            int nLayer = model.hparams().blockCount();
            pool.nLayerRuns = 5 * nLayer;
            ForwardBatch batch = new ForwardBatch(streams);
            for (KvCache c : caches) {
                batch.clear();
                batch.add(c, 1, true, true);
                forward.forward(batch);
            }
            long t3 = System.nanoTime();
            System.out.printf(Locale.ROOT, "%s, %d threads, %d streams, kernels %s: open+load %.0f ms, prepare (repack) %.0f ms,"
                            + " KV %.0f ms, first pass %.0f ms%n", path.getFileName(), threads, streams, kernels.name(),
                    (t0 - tOpen) / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6);
            for (int i = 0; i < 6; i++) { // warm-up
                batch.clear();
                for (int c = 0; c < streams; c++) {
                    batch.add(caches[c], 100 + i + 7 * c, true);
                }
                forward.forward(batch);
            }
            double stepWall = 0;
            pool.recording = true;
            for (int s = 0; s < steps; s++) {
                batch.clear();
                for (int c = 0; c < streams; c++) {
                    batch.add(caches[c], 200 + s + 7 * c, true);
                }
                pool.calls = 0;
                pool.lastEnd = 0;
                long a = System.nanoTime();
                forward.forward(batch);
                stepWall += System.nanoTime() - a;
            }
            pool.recording = false;
            long[] bytes = new long[KINDS.length];
            for (GgufTensorInfo t : file.tensors()) {
                for (int k = 0; k < KINDS.length; k++) {
                    if (TENSORS[k] != null && t.name().endsWith("." + TENSORS[k])) {
                        bytes[k] += t.byteSize();
                    }
                }
                if (t.name().equals("output.weight")) {
                    bytes[5] += t.byteSize();
                }
            }
            if (model.outputTiedToEmbedding()) {
                bytes[5] += file.tensor("token_embd.weight").byteSize();
            }
            System.out.printf(Locale.ROOT, "%-12s %9s %9s %9s %9s %9s %9s%n", "per step", "wall ms", "GB/s",
                    "cpu ms", "wait ms", "serial ms", "MB");
            double sumWall = 0;
            double sumSerial = 0;
            long sumBytes = 0;
            for (int k = 0; k < KINDS.length; k++) {
                double w = pool.wall[k] / steps / 1e6;
                sumWall += w;
                sumSerial += pool.serialBefore[k] / steps / 1e6;
                sumBytes += bytes[k];
                System.out.printf(Locale.ROOT, "%-12s %9.2f %9.2f %9.2f %9.2f %9.2f %9.1f%n", KINDS[k], w,
                        bytes[k] == 0 ? 0 : bytes[k] / (w * 1e6), pool.cpu[k] / steps / 1e6,
                        pool.wait[k] / steps / 1e6, pool.serialBefore[k] / steps / 1e6, bytes[k] / 1e6);
            }
            double step = stepWall / steps / 1e6;
            System.out.printf(Locale.ROOT, "step %.2f ms (%.3f tok/s per stream): parallel parts %.2f ms, serial between %.2f ms,"
                            + " rest %.2f ms; weights %.1f MB, %.2f GB/s over the step; load %s%n", step, 1e3 / step,
                    sumWall, sumSerial, step - sumWall - sumSerial, sumBytes / 1e6, sumBytes / (step * 1e6),
                    java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
            for (KvCache c : caches) {
                c.close();
            }
        }
    }
}
