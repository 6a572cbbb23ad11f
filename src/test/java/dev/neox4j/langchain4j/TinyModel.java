package dev.neox4j.langchain4j;

import dev.langchain4j.model.output.TokenUsage;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineObserver;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny random GPT-NeoX fixture (real BPE over the first 512 GPT-NeoX tokens, 2 layers, d=256) the
 * LangChain4j tests run on, and helpers to watch the engine.
 */
final class TinyModel {

    static final Path PATH = Path.of("src/test/resources/fixtures/models/tiny-gptneox-d256-F32.gguf");
    /** Context of the engines the tests open (small KV cache). */
    static final int CONTEXT = 256;

    private TinyModel() {
    }

    /** Records the end of every LangChain4j request an engine runs. */
    static final class Outcomes implements EngineObserver, AutoCloseable {
        record Finished(String outcome, int promptTokens, int generatedTokens) {
        }

        final List<Finished> finished = new CopyOnWriteArrayList<>();
        private final Engine engine;

        Outcomes(Engine engine) {
            this.engine = engine;
            engine.addObserver(this);
        }

        @Override
        public void finished(String source, String outcome, int promptTokens, int generatedTokens, double e2e) {
            if (NeoxGenerator.SOURCE.equals(source)) {
                finished.add(new Finished(outcome, promptTokens, generatedTokens));
            }
        }

        Finished awaitOne() throws InterruptedException {
            await(() -> !finished.isEmpty(), "the engine to finish the request");
            return finished.get(0);
        }

        @Override
        public void close() {
            engine.removeObserver(this);
        }
    }

    /**
     * Same prompt, generated and total counts; the cached count may differ (a repeated prompt is a prefix-cache
     * hit, the first one is not).
     */
    static void assertSameCounts(TokenUsage expected, TokenUsage actual) {
        assertEquals(expected.inputTokenCount(), actual.inputTokenCount(), "prompt tokens");
        assertEquals(expected.outputTokenCount(), actual.outputTokenCount(), "generated tokens");
        assertEquals(expected.totalTokenCount(), actual.totalTokenCount(), "total tokens");
    }

    /** Waits (up to 10 s) for {@code condition}; fails naming {@code what}. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }
}
