package dev.neox4j.langchain4j;

import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineClosedException;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.engine.runtime.GenerationRequest;
import dev.neox4j.engine.runtime.GenerationListener;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.Completion;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models built from one file share one engine; the engine closes with the last model. */
class NeoxEnginesTest {

    /** A listener that ignores every event. */
    static final GenerationListener IGNORE = new GenerationListener() {
        @Override
        public void onToken(GeneratedToken token) {
        }

        @Override
        public void onComplete(Completion completion) {
        }

        @Override
        public void onError(Throwable error) {
        }
    };

    @Test
    void modelsFromOneFileShareOneEngineUntilTheLastCloses() throws Exception {
        int before = NeoxEngines.references(TinyModel.PATH);
        NeoxChatModel chat = NeoxChatModel.builder().modelPath(TinyModel.PATH).threads(1)
                .contextLength(TinyModel.CONTEXT).maxTokens(2).build();
        // another spelling of the same file (absolute, with a detour) shares the engine too
        Path other = TinyModel.PATH.toAbsolutePath().getParent().resolve("../models")
                .resolve(TinyModel.PATH.getFileName());
        NeoxStreamingLanguageModel language = NeoxStreamingLanguageModel.builder().modelPath(other).maxTokens(2)
                .build();
        Engine engine = chat.engine();
        assertSame(engine, language.engine());
        assertEquals(before + 2, NeoxEngines.references(TinyModel.PATH));

        chat.close();
        assertEquals(before + 1, NeoxEngines.references(TinyModel.PATH));
        assertEquals(1, NeoxLanguageModel.builder().engine(engine).maxTokens(1).build().generate("x")
                .tokenUsage().inputTokenCount(), "the engine is still open");
        language.close();
        assertEquals(before, NeoxEngines.references(TinyModel.PATH));
        if (before == 0) {
            assertThrows(EngineClosedException.class, () -> engine.submit(GenerationRequest.greedy(new int[] {1}, 1),
                    IGNORE));
        }
    }

    @Test
    void anEngineTheApplicationOwnsIsNotClosedByItsModels() throws Exception {
        try (Engine engine = Engine.open(EngineOptions.builder(TinyModel.PATH).threads(1)
                .contextLength(TinyModel.CONTEXT).build())) {
            NeoxLanguageModel model = NeoxLanguageModel.builder().engine(engine).temperature(0).maxTokens(3).build();
            int out = model.generate("Hello").tokenUsage().outputTokenCount();
            assertTrue(out >= 1 && out <= 3, "output tokens " + out);
            model.close();
            assertSame(engine, NeoxLanguageModel.builder().engine(engine).build().engine());
            engine.submit(GenerationRequest.greedy(new int[] {1}, 1), IGNORE); // still open: no exception
        }
    }

    @Test
    void aSuppliedEngineIsLookedUpLazilyOnEveryRequest() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        try (Engine engine = Engine.open(EngineOptions.builder(TinyModel.PATH).threads(1)
                .contextLength(TinyModel.CONTEXT).build())) {
            NeoxLanguageModel model = NeoxLanguageModel.builder().engineSupplier(() -> {
                lookups.incrementAndGet();
                return engine;
            }).maxTokens(1).build();
            assertEquals(0, lookups.get(), "nothing is looked up when the model is built");
            model.generate("a");
            model.generate("b");
            assertEquals(2, lookups.get());
        }
        NeoxLanguageModel notReady = NeoxLanguageModel.builder().engineSupplier(() -> {
            throw new dev.langchain4j.exception.RetriableException("engine still loading");
        }).build();
        assertTrue(assertThrows(dev.langchain4j.exception.RetriableException.class, () -> notReady.generate("a"))
                .getMessage().contains("loading"));
    }
}
