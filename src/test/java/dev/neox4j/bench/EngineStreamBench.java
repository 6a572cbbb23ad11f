package dev.neox4j.bench;

import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.GenerationListener;
import dev.neox4j.engine.runtime.GenerationRequest;
import dev.neox4j.engine.sampling.SamplingSettings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Aggregate decode throughput of S concurrent requests through the {@link Engine} (scheduler, continuous
 * batching, greedy sampling, detokenisation), the way llama.cpp's server or node-llama-cpp serves S parallel
 * sequences. Each request has a 4-token prompt and generates {@code tg + 1} tokens ignoring EOS; the clock
 * starts when every stream has its first token (all prompts evaluated) and stops when the last completes, so
 * it covers {@code tg} decode steps per stream.
 */
final class EngineStreamBench implements AutoCloseable {

    private final Engine engine;

    private EngineStreamBench(Engine engine) {
        this.engine = engine;
    }

    static EngineStreamBench open(Path model, String kernels, int threads, int streams, int ctx) throws IOException {
        EngineOptions o = EngineOptions.defaults(model).withThreads(threads).withMaxSequences(streams)
                .withContextLength(ctx).withKernels(kernels).withQueueSize(Math.max(64, streams));
        return new EngineStreamBench(Engine.open(o));
    }

    /** One run: aggregate tokens/s of {@code streams} requests of {@code tg} decode steps each. */
    double run(int streams, int tg) throws InterruptedException {
        CountDownLatch firstTokens = new CountDownLatch(streams);
        CountDownLatch done = new CountDownLatch(streams);
        AtomicLong start = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int s = 0; s < streams; s++) {
            int[] prompt = {100 + s, 200 + s, 300 + s, 400 + s};
            GenerationRequest r = GenerationRequest.builder(prompt).sampling(SamplingSettings.builder()
                    .temperature(0).maxTokens(tg + 1).ignoreEos(true).build()).source("bench").build();
            engine.submit(r, new GenerationListener() {
                @Override
                public void onToken(GeneratedToken token) {
                    if (token.index() == 0) {
                        start.accumulateAndGet(System.nanoTime(), Math::max);
                        firstTokens.countDown();
                    }
                }

                @Override
                public void onComplete(Completion completion) {
                    if (completion.tokens().length != tg + 1) {
                        failure.compareAndSet(null, new IllegalStateException("stream stopped after "
                                + completion.tokens().length + " tokens (" + completion.finishReason() + ")"));
                    }
                    done.countDown();
                }

                @Override
                public void onError(Throwable error) {
                    failure.compareAndSet(null, error);
                    firstTokens.countDown();
                    done.countDown();
                }
            });
        }
        if (!done.await(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("streams did not finish within 30 minutes");
        }
        long end = System.nanoTime();
        if (failure.get() != null) {
            throw new IllegalStateException("stream failed: " + failure.get(), failure.get());
        }
        return (double) streams * tg / ((end - start.get()) / 1e9);
    }

    @Override
    public void close() {
        engine.close();
    }
}
