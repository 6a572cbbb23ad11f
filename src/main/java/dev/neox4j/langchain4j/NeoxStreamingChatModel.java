package dev.neox4j.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.ReplyTrimmer;

import java.util.Objects;

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
public final class NeoxStreamingChatModel extends NeoxChatModelBase implements StreamingChatModel {

    private NeoxStreamingChatModel(NeoxChatCore core) {
        super(core);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(handler, "handler");
        StreamRelay.Sink sink = sink(handler);
        NeoxChatCore.Prepared prepared;
        try {
            prepared = core.prepare(request);
        } catch (RuntimeException e) {
            NeoxGenerator.failedStream(sink, e);
            return;
        }
        generator.stream(prepared.prompt(), prepared.settings(), sink);
    }

    private StreamRelay.Sink sink(StreamingChatResponseHandler handler) {
        ReplyTrimmer trimmer = core.replyTrimmer();
        return new StreamRelay.Sink() {
            @Override
            public void partial(String text, StreamingHandle handle) {
                String reply = trimmer.next(text);
                if (!reply.isEmpty()) {
                    handler.onPartialResponse(new PartialResponse(reply), new PartialResponseContext(handle));
                }
            }

            @Override
            public void complete(Completion c, String modelName) {
                handler.onCompleteResponse(core.response(c, modelName));
            }

            @Override
            public void error(Throwable error) {
                handler.onError(error);
            }
        };
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
            return new NeoxStreamingChatModel(chatCore());
        }
    }
}
