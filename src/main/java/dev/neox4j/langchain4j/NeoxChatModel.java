package dev.neox4j.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.neox4j.engine.JavaVersionCheck;

import java.util.List;

/**
 * A GPT-NeoX / Pythia GGUF model as a LangChain4j {@link ChatModel}, so that {@code AiServices} work on it.
 * Pythia is a base model: the messages are rendered as plain text with the {@link
 * dev.neox4j.engine.runtime.ChatTemplate} the REST chat endpoint uses (system, user and AI messages; no tools,
 * images or JSON mode), and generation stops where the model starts the next user turn.
 *
 * <p>Per-request {@code ChatRequestParameters} (temperature, topP, topK, maxOutputTokens, stopSequences,
 * presence and frequency penalties; with {@link NeoxChatRequestParameters} also seed, minP and repetition
 * penalty) override the builder defaults. Every {@link ChatResponse} has {@code TokenUsage} and a finish reason
 * ({@code STOP} or {@code LENGTH}); {@link ChatModelListener}s see every request, response and error. Failures are
 * LangChain4j exceptions (see {@link NeoxLanguageModel}). Thread-safe; runs in-process.
 */
public final class NeoxChatModel extends NeoxModelBase implements ChatModel {

    static {
        JavaVersionCheck.require(); // see NeoxModelBase
    }

    private NeoxChatModel(NeoxGenerator generator) {
        super(generator);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return generator.chat(request);
    }

    /** The builder defaults, as a {@link NeoxChatRequestParameters}. */
    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return generator.defaultParameters();
    }

    /** The listeners called on every request, response and error. */
    @Override
    public List<ChatModelListener> listeners() {
        return generator.listeners();
    }

    /** Builder of {@link NeoxChatModel}; see {@link NeoxChatModelBuilder} for the settings. */
    public static final class Builder extends NeoxChatModelBuilder<Builder> {
        private Builder() {
        }

        /**
         * Validates the settings and opens (or shares) the engine.
         *
         * @throws IllegalArgumentException     for a bad setting
         * @throws java.io.UncheckedIOException when the model file cannot be opened
         */
        public NeoxChatModel build() {
            return new NeoxChatModel(generator());
        }
    }
}
