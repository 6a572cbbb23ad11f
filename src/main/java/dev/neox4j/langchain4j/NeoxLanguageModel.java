package dev.neox4j.langchain4j;

import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.output.Response;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.Engine;

/**
 * A GPT-NeoX / Pythia GGUF model as a LangChain4j {@link LanguageModel}: plain text completion, the natural
 * fit for a base model. The prompt is continued as is; the response carries the generated text, the
 * {@code TokenUsage} and the finish reason ({@code STOP} at end-of-text or a stop string, {@code LENGTH} at
 * {@code maxTokens} or the context length). Runs in-process; thread-safe; concurrent calls are batched by the
 * engine's scheduler.
 *
 * <pre>{@code
 * try (var model = NeoxLanguageModel.builder().modelPath(Path.of("pythia-410m.Q8_0.gguf")).maxTokens(64).build()) {
 *     String text = model.generate("The capital of France is").content();
 * }
 * }</pre>
 *
 * <p>Failures are LangChain4j exceptions: {@code InvalidRequestException} (bad parameter, prompt longer than the
 * context), {@code RateLimitException} (the engine's admission queue is full), {@code TimeoutException},
 * {@code RetriableException} (engine shutting down). Interrupting the calling thread cancels the generation.
 */
public final class NeoxLanguageModel implements LanguageModel, AutoCloseable {

    private final NeoxGenerator generator;

    private NeoxLanguageModel(NeoxGenerator generator) {
        this.generator = generator;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response<String> generate(String prompt) {
        Completion c = generator.generate(generator.engine(), prompt, generator.defaults());
        return Response.from(c.text(), NeoxGenerator.tokenUsage(c), NeoxGenerator.finishReason(c));
    }

    /** The engine this model runs on (shared with every model built from the same file). */
    public Engine engine() {
        return generator.engine();
    }

    /** Releases this model's reference to a shared engine (idempotent); later calls fail. */
    @Override
    public void close() {
        generator.close();
    }

    /** Builder of {@link NeoxLanguageModel}; see {@link NeoxModelBuilder} for the settings. */
    public static final class Builder extends NeoxModelBuilder<Builder> {
        private Builder() {
        }

        /**
         * Validates the settings and opens (or shares) the engine.
         *
         * @throws IllegalArgumentException     for a bad setting
         * @throws java.io.UncheckedIOException when the model file cannot be opened
         */
        public NeoxLanguageModel build() {
            return new NeoxLanguageModel(generator());
        }
    }
}
