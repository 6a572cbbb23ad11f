package dev.neox4j.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.neox4j.engine.JavaVersionCheck;

import java.util.List;

/**
 * A GPT-NeoX / Pythia GGUF model as a LangChain4j {@link StreamingChatModel}: the chat of {@link NeoxChatModel},
 * streamed token by token.
 *
 * <p>{@code chat(...)} returns at once; the handler is called on a separate (virtual) thread, never on the
 * caller's or an engine thread: {@code onPartialResponse(PartialResponse, PartialResponseContext)} per token
 * with the whole UTF-8 characters it completes (the reply is trimmed like the template's {@code reply}: the
 * partial texts add up to the final message text) (the context's {@link StreamingHandle} cancels the generation; no
 * callback follows a cancel), then exactly one of {@code onCompleteResponse} (with {@code TokenUsage} and finish
 * reason) or {@code onError} (every failure, including a rejected or invalid request). When the handler throws,
 * the generation is cancelled and the exception goes to {@code onError}. {@link ChatModelListener}s see every
 * request, response and error.
 */
public final class NeoxStreamingChatModel extends NeoxModelBase implements StreamingChatModel {

    static {
        JavaVersionCheck.require(); // see NeoxModelBase
    }

    private NeoxStreamingChatModel(NeoxGenerator generator) {
        super(generator);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        generator.streamChat(request, handler);
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

    /** Builder of {@link NeoxStreamingChatModel}; see {@link NeoxChatModelBuilder} for the settings. */
    public static final class Builder extends NeoxChatModelBuilder<Builder> {
        private Builder() {
        }

        /**
         * Validates the settings and opens (or shares) the engine.
         *
         * @throws IllegalArgumentException     for a bad setting
         * @throws java.io.UncheckedIOException when the model file cannot be opened
         */
        public NeoxStreamingChatModel build() {
            return new NeoxStreamingChatModel(generator());
        }
    }
}
