package dev.neox4j.bench;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.model.ForwardBatch;
import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxForward;
import dev.neox4j.engine.model.NeoxModel;
import dev.neox4j.engine.runtime.WorkerPool;
import dev.neox4j.engine.tensor.kernel.Kernels;
import dev.neox4j.engine.tensor.kernel.MatmulKernels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Throughput of the model layer alone, as llama-bench measures llama.cpp: no tokenizer, no sampling, no
 * scheduler. {@code pp<N>}: one forward pass over N prompt tokens of an empty sequence, logits of the last one
 * only. {@code tg<M>}: after one token, M forward passes of one token each, logits every time. Aggregate decode
 * of S streams: S sequences with a 4-token prompt each, then M forward passes of S tokens (one per sequence).
 */
final class ForwardBench implements AutoCloseable {

    private final GgufFile file;
    private final NeoxModel model;
    private final MatmulKernels kernels;
    private final WorkerPool pool;
    private final NeoxForward forward;
    private final ForwardBatch batch = new ForwardBatch(256);
    private final KvCache cache;                  // [L][ctx][E] the single-sequence tests' cache
    private final int[] tokens;                   // [ctx] token ids fed to the model
    private final double readyMillis;
    private final double[] readySteps;            // [5] open, load, kernels, pool + buffers, first forward (ms)

    private ForwardBench(GgufFile file, NeoxModel model, MatmulKernels kernels, WorkerPool pool,
                         NeoxForward forward, KvCache cache, int[] tokens, double readyMillis, double[] readySteps) {
        this.file = file;
        this.model = model;
        this.kernels = kernels;
        this.pool = pool;
        this.forward = forward;
        this.cache = cache;
        this.tokens = tokens;
        this.readyMillis = readyMillis;
        this.readySteps = readySteps;
    }

    /**
     * Maps and validates the model, selects the kernels, starts the worker pool and evaluates one token: the
     * time this takes is the time to ready.
     */
    static ForwardBench open(Path path, String kernelPreference, int threads, int ctx, int maxBatch)
            throws IOException {
        long t0 = System.nanoTime();
        double[] steps = new double[5];
        GgufFile file = GgufFile.openToServe(path); // as the engine serves it (2 MiB pages)
        long t1 = System.nanoTime();
        steps[0] = (t1 - t0) / 1e6;
        WorkerPool pool = null;
        try {
            NeoxModel model = NeoxModel.load(file);
            long t2 = System.nanoTime();
            steps[1] = (t2 - t1) / 1e6;
            MatmulKernels kernels = Kernels.select(kernelPreference);
            long t3 = System.nanoTime();
            steps[2] = (t3 - t2) / 1e6;
            pool = new WorkerPool(threads);
            NeoxForward forward = new NeoxForward(model, kernels, pool, maxBatch);
            KvCache cache = KvCache.forModel(model.hparams(), ctx, KvCache.ElementType.F16);
            cache.populate(pool);
            int vocab = model.vocabSize();
            int[] tokens = new int[ctx];
            SplittableRandom rnd = new SplittableRandom(1);
            for (int i = 0; i < ctx; i++) {
                tokens[i] = 1 + rnd.nextInt(Math.max(1, Math.min(vocab, 50_000) - 1));
            }
            ForwardBatch first = new ForwardBatch(1);
            long t4 = System.nanoTime();
            steps[3] = (t4 - t3) / 1e6;
            first.add(cache, tokens[0], true);
            forward.forward(first);
            cache.clear();
            long t5 = System.nanoTime();
            steps[4] = (t5 - t4) / 1e6;
            return new ForwardBench(file, model, kernels, pool, forward, cache, tokens, (t5 - t0) / 1e6, steps);
        } catch (Throwable t) {
            if (pool != null) {
                pool.close();
            }
            file.close();
            throw t;
        }
    }

    NeoxModel model() {
        return model;
    }

    String kernelName() {
        return kernels.name();
    }

    double readyMillis() {
        return readyMillis;
    }

    /** Milliseconds of the steps to ready: open (map), load (validate), kernels, pool + buffers, first forward. */
    double[] readySteps() {
        return readySteps.clone();
    }

    /** KV cache bytes of one sequence of the bench's context length. */
    long kvBytes() {
        return KvCache.bytesFor(model.hparams(), cache.capacity(), KvCache.ElementType.F16);
    }

    /** Prompt processing rate (tokens/s) of one pass over {@code n} tokens. */
    double pp(int n) {
        cache.clear();
        batch.clear();
        for (int i = 0; i < n; i++) {
            // the last token on the generated rows' path, as the server feeds a prompt of 8 or more tokens
            batch.add(cache, tokens[i], i == n - 1, i < n - 1);
        }
        long t = System.nanoTime();
        forward.forward(batch);
        long dt = System.nanoTime() - t;
        batch.clear();
        return n / (dt / 1e9);
    }

    /** Decode rate (tokens/s) of {@code n} single-token passes after a one-token prompt. */
    double tg(int n) {
        promptOfOne();
        long t = System.nanoTime();
        decode(n);
        long dt = System.nanoTime() - t;
        return n / (dt / 1e9);
    }

    /** Starts a fresh sequence with a one-token prompt. */
    private void promptOfOne() {
        cache.clear();
        batch.clear();
        batch.add(cache, tokens[0], true, false); // as the server feeds a one-token prompt
        forward.forward(batch);
    }

    /** {@code n} single-token passes of generated tokens, continuing the sequence. */
    private void decode(int n) {
        for (int i = 0; i < n; i++) {
            batch.clear();
            batch.add(cache, tokens[1 + i], true);
            forward.forward(batch);
        }
        batch.clear();
    }

    /**
     * Bytes allocated by all Java threads (the caller and the worker pool) per decode pass, over {@code n}
     * single-token passes after a one-token prompt; meant to be called once the kernels are compiled. The per-token
     * path is meant not to allocate, so anything above a few bytes points at a kernel C2 did not fully inline.
     */
    long allocatedBytesPerToken(int n) {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        promptOfOne();
        long[] ids = mx.getAllThreadIds();
        long[] before = mx.getThreadAllocatedBytes(ids);
        decode(n);
        long[] after = mx.getThreadAllocatedBytes(ids);
        long sum = 0;
        for (int i = 0; i < ids.length; i++) {
            if (before[i] >= 0 && after[i] >= 0) {
                sum += after[i] - before[i];
            }
        }
        return sum / Math.max(1, n);
    }

    /**
     * Aggregate decode rate (tokens/s) of {@code streams} sequences decoded together: a 4-token prompt each
     * (one pass), then {@code n} passes of one token per sequence.
     */
    double streams(int streams, int n) {
        KvCache[] caches = new KvCache[streams];
        for (int s = 0; s < streams; s++) {
            caches[s] = KvCache.forModel(model.hparams(), cache.capacity(), KvCache.ElementType.F16);
            caches[s].populate(pool); // as the server's slots are, so the timed passes pay no first-touch faults
        }
        batch.clear();
        for (int s = 0; s < streams; s++) {
            for (int i = 0; i < 4; i++) {
                batch.add(caches[s], tokens[s + i], i == 3, true);
            }
        }
        forward.forward(batch);
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            batch.clear();
            for (int s = 0; s < streams; s++) {
                batch.add(caches[s], tokens[4 + s + i], true);
            }
            forward.forward(batch);
        }
        long dt = System.nanoTime() - t;
        batch.clear();
        return (double) streams * n / (dt / 1e9);
    }

    @Override
    public void close() {
        pool.close();
        file.close();
    }
}
