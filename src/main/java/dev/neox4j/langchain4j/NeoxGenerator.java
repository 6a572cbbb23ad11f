package dev.neox4j.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.Response;
import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.GenerationHandle;
import dev.neox4j.engine.runtime.GenerationListener;
import dev.neox4j.engine.runtime.GenerationRequest;
import dev.neox4j.engine.runtime.PromptTokens;
import dev.neox4j.engine.runtime.ReplyTrimmer;

import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The one core behind the four models ({@link NeoxModelBase} is the one base class they extend): the engine
 * source, the builder defaults, the chat template and listeners of the chat models, and the four operations
 * (text or chat, blocking or streamed) from the LangChain4j request to the engine request and back. The models
 * only delegate here, which also keeps them loadable on old JVMs (see {@link NeoxModelBase}). Thread-safe.
 */
final class NeoxGenerator implements AutoCloseable {

    /** Metrics label of requests made through LangChain4j. */
    static final String SOURCE = "langchain4j";

    /** A chat request ready for the engine. */
    record Prepared(String prompt, GenerationSettings settings) {
    }

    private final EngineSource source;
    private final GenerationSettings defaults;
    private final ChatTemplate template;
    private final List<ChatModelListener> listeners;
    private final NeoxChatRequestParameters defaultParameters;

    /**
     * @param template  renders the chat models' messages ({@link ChatTemplate#DEFAULT} for the language models,
     *                  which do not use it)
     * @param listeners called by LangChain4j on every chat request, response and error
     */
    NeoxGenerator(EngineSource source, GenerationSettings defaults, ChatTemplate template,
            List<ChatModelListener> listeners) {
        this.source = Objects.requireNonNull(source, "source");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.template = Objects.requireNonNull(template, "template");
        this.listeners = List.copyOf(listeners);
        this.defaultParameters = asParameters(this.defaults);
    }

    // ---- the four operations ----

    /** {@code LanguageModel.generate}: the generated text as is. */
    Response<String> completeText(String prompt) {
        return textResponse(generate(engine(), prompt, defaults));
    }

    /** {@code StreamingLanguageModel.generate}; returns at once with the handle that cancels the stream. */
    StreamingHandle streamText(String prompt, StreamingResponseHandler<String> handler) {
        Objects.requireNonNull(handler, "handler");
        return stream(prompt, defaults, new StreamRelay.Sink() {
            @Override
            public void partial(String text, StreamingHandle handle) {
                handler.onNext(text);
            }

            @Override
            public void complete(Completion c, String modelName) {
                handler.onComplete(textResponse(c));
            }

            @Override
            public void error(Throwable error) {
                handler.onError(error);
            }
        });
    }

    /** {@code ChatModel.doChat}. */
    ChatResponse chat(ChatRequest request) {
        Prepared prepared = prepare(request);
        Engine engine = engine();
        Completion c = generate(engine, prepared.prompt(), prepared.settings());
        return chatResponse(c, modelId(engine));
    }

    /** {@code StreamingChatModel.doChat}; returns at once, every failure goes to {@code handler.onError}. */
    void streamChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(handler, "handler");
        ReplyTrimmer trimmer = template.replyTrimmer();
        StreamRelay.Sink sink = new StreamRelay.Sink() {
            @Override
            public void partial(String text, StreamingHandle handle) {
                String reply = trimmer.next(text);
                if (!reply.isEmpty()) {
                    handler.onPartialResponse(new PartialResponse(reply), new PartialResponseContext(handle));
                }
            }

            @Override
            public void complete(Completion c, String modelName) {
                handler.onCompleteResponse(chatResponse(c, modelName));
            }

            @Override
            public void error(Throwable error) {
                handler.onError(error);
            }
        };
        Prepared prepared;
        try {
            prepared = prepare(request);
        } catch (RuntimeException e) {
            failedStream(sink, e);
            return;
        }
        stream(prepared.prompt(), prepared.settings(), sink);
    }

    /** The builder defaults as chat request parameters. */
    NeoxChatRequestParameters defaultParameters() {
        return defaultParameters;
    }

    private static NeoxChatRequestParameters asParameters(GenerationSettings d) {
        return NeoxChatRequestParameters.builder()
                .temperature(d.temperature())
                .topK(d.topK())
                .topP(d.topP())
                .minP(d.minP())
                .repetitionPenalty(d.repetitionPenalty())
                .presencePenalty(d.presencePenalty())
                .frequencyPenalty(d.frequencyPenalty())
                .seed(d.seed())
                .maxOutputTokens(d.maxTokens())
                .stopSequences(d.stop())
                .build();
    }

    List<ChatModelListener> listeners() {
        return listeners;
    }

    /**
     * The prompt and settings of {@code request}: its parameters over the builder defaults (also when
     * {@code doChat} is called directly, without LangChain4j's merge), plus the template's end-of-turn stops.
     */
    Prepared prepare(ChatRequest request) {
        ChatPrompts.Rendered rendered = ChatPrompts.render(template, request);
        GenerationSettings settings = defaults.overriddenBy(request.parameters()).withExtraStops(rendered.stops());
        return new Prepared(rendered.prompt(), settings);
    }

    /** The chat response for a completion; its text is the template's {@link ChatTemplate#reply}. */
    ChatResponse chatResponse(Completion c, String modelName) {
        return ChatResponse.builder()
                .id("neox-" + UUID.randomUUID())
                .modelName(modelName)
                .aiMessage(AiMessage.from(template.reply(c.text())))
                .tokenUsage(tokenUsage(c))
                .finishReason(finishReason(c))
                .build();
    }

    // ---- engine side ----

    GenerationSettings defaults() {
        return defaults;
    }

    Engine engine() {
        return source.engine();
    }

    EngineSource source() {
        return source;
    }

    /** The model id the engine serves (the file name without {@code .gguf}). */
    String modelId(Engine engine) {
        return engine.modelInfo().id();
    }

    /**
     * The engine request for {@code prompt}, tokenized as the REST API does by default ({@link PromptTokens}:
     * special-token text such as {@code <|endoftext|>} is the special token; an empty prompt is the BOS token).
     */
    GenerationRequest request(Engine engine, String prompt, GenerationSettings s) {
        if (prompt == null) {
            throw new InvalidRequestException("prompt must not be null");
        }
        int[] ids = PromptTokens.encode(engine.tokenizer(), prompt);
        return GenerationRequest.builder(ids).sampling(s.sampling()).timeoutMillis(s.timeoutMillis()).source(SOURCE)
                .build();
    }

    /**
     * Runs {@code prompt} to completion on {@code engine} (from {@link #engine()}), blocking the calling thread.
     * An interrupt cancels the sequence.
     *
     * @return the completion, never one that was cancelled
     * @throws RuntimeException mapped by {@link EngineErrors}
     */
    Completion generate(Engine engine, String prompt, GenerationSettings s) {
        GenerationRequest request = request(engine, prompt, s);
        long start = System.nanoTime();
        CompletableFuture<Completion> result = new CompletableFuture<>();
        GenerationHandle handle;
        try {
            handle = engine.submit(request, new GenerationListener() {
                @Override
                public void onToken(GeneratedToken token) {
                }

                @Override
                public void onComplete(Completion completion) {
                    result.complete(completion);
                }

                @Override
                public void onError(Throwable error) {
                    result.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            throw EngineErrors.unchecked(e);
        }
        Completion completion;
        try {
            completion = result.get();
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
            throw new dev.langchain4j.exception.LangChain4jException("interrupted while generating", e);
        } catch (ExecutionException e) {
            throw EngineErrors.unchecked(e.getCause());
        }
        if (completion.finishReason() == FinishReason.CANCELLED) {
            throw EngineErrors.cancelledByEngine(timedOut(engine, s, start));
        }
        return completion;
    }

    /**
     * Starts {@code prompt} as a stream; returns at once. Every failure, including one while preparing or
     * submitting the request, reaches {@code sink.error} on the delivery thread.
     *
     * @return the handle that cancels the stream
     */
    StreamRelay stream(String prompt, GenerationSettings s, StreamRelay.Sink sink) {
        long timeout = s.timeoutMillis();
        StreamRelay relay;
        try {
            Engine engine = engine();
            if (timeout == 0 && engine.options() != null) {
                timeout = engine.options().requestTimeoutMillis();
            }
            relay = new StreamRelay(sink, timeout, modelId(engine));
            GenerationRequest request = request(engine, prompt, s);
            relay.attach(engine.submit(request, relay));
        } catch (RuntimeException e) {
            return failedStream(sink, e);
        }
        return relay;
    }

    /** A stream that only reports {@code error} (asynchronously, like every stream event). */
    static StreamRelay failedStream(StreamRelay.Sink sink, Throwable error) {
        StreamRelay relay = new StreamRelay(sink, 0, null);
        relay.fail(error);
        return relay;
    }

    /** The language models' response: the generated text as is, with usage and finish reason. */
    static Response<String> textResponse(Completion c) {
        return Response.from(c.text(), tokenUsage(c), finishReason(c));
    }

    /** The usage of a completion, with the prompt tokens taken from the prefix cache. */
    static NeoxTokenUsage tokenUsage(Completion c) {
        return new NeoxTokenUsage(c.usage().promptTokens(), c.usage().completionTokens(), c.usage().totalTokens(),
                c.usage().cachedTokens());
    }

    static dev.langchain4j.model.output.FinishReason finishReason(Completion c) {
        return switch (c.finishReason()) {
            case STOP -> dev.langchain4j.model.output.FinishReason.STOP;
            case LENGTH -> dev.langchain4j.model.output.FinishReason.LENGTH;
            case CANCELLED -> dev.langchain4j.model.output.FinishReason.OTHER;
        };
    }

    private static boolean timedOut(Engine engine, GenerationSettings s, long startNanos) {
        long limit = s.timeoutMillis() > 0 ? s.timeoutMillis()
                : engine.options() != null ? engine.options().requestTimeoutMillis() : 0;
        return limit > 0 && (System.nanoTime() - startNanos) / 1_000_000 >= limit;
    }

    /** Releases the engine lease, if the model holds one. */
    @Override
    public void close() {
        source.close();
    }
}
