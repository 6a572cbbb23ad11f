package dev.neox4j.langchain4j;

import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.language.StreamingLanguageModel;
import dev.neox4j.engine.JavaVersionCheck;

/**
 * A GPT-NeoX / Pythia GGUF model as a LangChain4j {@link StreamingLanguageModel}: plain text completion,
 * streamed token by token.
 *
 * <p>{@link #generate(String, StreamingResponseHandler)} returns at once; the handler is called on a separate
 * (virtual) thread, never on the caller's or an engine thread: {@code onNext} once per token with the whole
 * UTF-8 characters it completes, then exactly one of {@code onComplete} (text, {@code TokenUsage}, finish reason)
 * or {@code onError} (every failure, including a rejected request). When {@code onNext} throws, the generation
 * is cancelled and the exception goes to {@code onError}. {@link #start} additionally returns a
 * {@link StreamingHandle} that cancels the generation (no callback follows a cancel).
 *
 * <pre>{@code
 * var model = NeoxStreamingLanguageModel.builder()
 *         .modelPath(Path.of("pythia-12b.Q4_K_M.gguf")).temperature(0.7).maxTokens(256).build();
 * }</pre>
 */
public final class NeoxStreamingLanguageModel extends NeoxModelBase implements StreamingLanguageModel {

    static {
        JavaVersionCheck.require(); // see NeoxModelBase
    }

    private NeoxStreamingLanguageModel(NeoxGenerator generator) {
        super(generator);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void generate(String prompt, StreamingResponseHandler<String> handler) {
        start(prompt, handler);
    }

    /**
     * Like {@link #generate(String, StreamingResponseHandler)}, returning the handle that cancels the generation.
     */
    public StreamingHandle start(String prompt, StreamingResponseHandler<String> handler) {
        return generator.streamText(prompt, handler);
    }

    /** Builder of {@link NeoxStreamingLanguageModel}; see {@link NeoxModelBuilder} for the settings. */
    public static final class Builder extends NeoxModelBuilder<Builder> {
        private Builder() {
        }

        /**
         * Validates the settings and opens (or shares) the engine.
         *
         * @throws IllegalArgumentException     for a bad setting
         * @throws java.io.UncheckedIOException when the model file cannot be opened
         */
        public NeoxStreamingLanguageModel build() {
            return new NeoxStreamingLanguageModel(generator());
        }
    }
}
