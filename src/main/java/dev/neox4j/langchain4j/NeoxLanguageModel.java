package dev.neox4j.langchain4j;

import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.output.Response;
import dev.neox4j.engine.JavaVersionCheck;

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
public final class NeoxLanguageModel extends NeoxModelBase implements LanguageModel {

    static {
        JavaVersionCheck.require(); // see NeoxModelBase
    }

    private NeoxLanguageModel(NeoxGenerator generator) {
        super(generator);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response<String> generate(String prompt) {
        return generator.completeText(prompt);
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
