package dev.neox4j.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.GenerationHandle;
import dev.neox4j.engine.runtime.GenerationListener;
import dev.neox4j.engine.runtime.GenerationRequest;
import dev.neox4j.engine.runtime.PromptTokens;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * What the four models share: the engine source, the builder defaults, turning a prompt into an engine request,
 * and running it to completion (blocking) or as a stream. Thread-safe.
 */
final class NeoxGenerator implements AutoCloseable {

    /** Metrics label of requests made through LangChain4j. */
    static final String SOURCE = "langchain4j";

    private final EngineSource source;
    private final GenerationSettings defaults;

    NeoxGenerator(EngineSource source, GenerationSettings defaults) {
        this.source = Objects.requireNonNull(source, "source");
        this.defaults = defaults;
    }

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
     * Runs {@code prompt} to completion on {@code engine} (from {@link #engine()}), blocking the calling thread. An interrupt cancels the sequence.
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

    static TokenUsage tokenUsage(Completion c) {
        return new TokenUsage(c.usage().promptTokens(), c.usage().completionTokens(), c.usage().totalTokens());
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
