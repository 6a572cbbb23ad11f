package dev.neox4j.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.GenerationHandle;
import dev.neox4j.engine.runtime.QueueFullException;
import dev.neox4j.engine.runtime.RequestGroup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.resteasy.reactive.RestMulti;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs {@link GenerationPlan}s on the engine and turns their events into HTTP responses: Server-Sent Events exactly
 * as OpenAI streams them ({@code data: {json}} lines and a final {@code data: [DONE]}), or one JSON body. Engine
 * threads only hand events over; formatting and JSON happen on the worker pool.
 */
@ApplicationScoped
public class GenerationService {

    /** The line that ends every stream. */
    public static final String DONE = "data: [DONE]\n\n";

    private final EngineHolder holder;
    private final ObjectMapper mapper;
    private final Executor executor = Infrastructure.getDefaultWorkerPool();
    private final StreamLimits limits;
    private final ClientConnection client;

    @Inject
    public GenerationService(EngineHolder holder, ObjectMapper mapper, ClientConnection client) {
        this.holder = holder;
        this.mapper = mapper;
        this.client = client;
        this.limits = StreamLimits.of(holder.config().stream());
    }

    /** Answers a {@code POST /v1/completions} body. */
    public RestMulti<String> completions(String body) {
        RequestParser parser = parser();
        return respond(parser.completion(JsonBody.object(mapper, body), "completions"), parser.engine());
    }

    /** Answers a {@code POST /v1/chat/completions} body. */
    public RestMulti<String> chat(String body) {
        RequestParser parser = parser();
        return respond(parser.chat(JsonBody.object(mapper, body), "chat"), parser.engine());
    }

    /** The JSON fields of a request body, after checking that its {@code model} (if any) names the served model. */
    public JsonFields fields(RequestParser parser, String body) {
        JsonFields f = JsonBody.object(mapper, body);
        parser.checkModel(f);
        return f;
    }

    /** The request parser for the ready engine (503 while it is not). */
    public RequestParser parser() {
        Engine engine = holder.require();
        return new RequestParser(engine, holder.modelId(), holder.config().maxLogprobs(), holder.chatTemplate(),
                holder.config().clipMaxTokens());
    }

    /**
     * The formatter for {@code plan}. A sequence the engine cancelled (shutdown, time limit) ends the response with
     * that error; one cancelled because its client went away has nobody to tell (null: no error).
     */
    public ResponseFormatter formatter(GenerationPlan plan, Engine engine, List<SequenceStream> streams) {
        Supplier<ApiException> cancelled = () -> streams.stream().anyMatch(SequenceStream::cancelRequested)
                ? null : ApiErrors.cancelled(holder);
        return plan.chat()
                ? new ChatFormatter(plan, engine.tokenizer(), holder.chatTemplate(), cancelled)
                : new CompletionFormatter(plan, engine.tokenizer(), cancelled);
    }

    /**
     * Submits every sequence of {@code plan}. If one is refused (queue full, prompt too long, ...) the ones already
     * submitted are cancelled and the error is thrown as an {@link ApiException}.
     */
    public List<SequenceStream> submit(Engine engine, GenerationPlan plan) {
        List<SequenceStream> streams = new ArrayList<>(plan.sequences().size());
        List<GenerationHandle> handles = new ArrayList<>(plan.sequences().size());
        StreamBudget budget = new StreamBudget(limits);
        try {
            for (SequenceSpec spec : plan.sequences()) {
                SequenceStream s = new SequenceStream(spec.index(), budget);
                GenerationHandle h = engine.submit(spec.request(), s);
                s.handle(h);
                streams.add(s);
                handles.add(h);
            }
        } catch (RuntimeException e) {
            RequestGroup group = plan.sequences().getFirst().request().group();
            if (group != null) { // the refused one and the ones after it will never run
                group.abandon(plan.sequences().size() - streams.size(),
                        e instanceof QueueFullException ? "rejected" : null);
            }
            streams.forEach(SequenceStream::cancel);
            throw ApiErrors.from(e, plan.promptParam());
        }
        budget.attach(handles);
        return streams;
    }

    /**
     * All sequences' events, merged, delivered on the worker pool. An event leaves the request's
     * {@link StreamBudget} here, when the transport takes it: the SSE response and the WebSocket request the next
     * one only once the previous write has reached the socket.
     */
    public Multi<SequenceEvent> merged(List<SequenceStream> streams) {
        Multi<SequenceEvent> events = streams.size() == 1 ? streams.getFirst().events()
                : Multi.createBy().merging().withConcurrency(streams.size())
                .streams(streams.stream().map(SequenceStream::events).toList());
        StreamBudget budget = streams.getFirst().budget();
        return events.emitOn(executor).onItem().invoke(budget::taken);
    }

    /** Validates, submits and answers a completion or chat request as JSON or as an SSE stream. */
    public RestMulti<String> respond(GenerationPlan plan, Engine engine) {
        List<SequenceStream> streams = submit(engine, plan);
        client.onClientGone(() -> streams.forEach(SequenceStream::cancel));
        ResponseFormatter formatter = formatter(plan, engine, streams);
        if (plan.stream()) {
            return RestMulti.fromMultiData(sse(streams, formatter))
                    .status(200)
                    .header("Content-Type", "text/event-stream; charset=utf-8")
                    .header("Cache-Control", "no-cache")
                    .header("X-Accel-Buffering", "no")
                    .build();
        }
        Uni<ApiResult> result = merged(streams)
                .collect().in(() -> formatter, ResponseFormatter::onEvent)
                .map(f -> new ApiResult(200, Map.of(), json(f.response())))
                .onFailure().recoverWithItem(e -> error(ApiErrors.from(e, plan.promptParam())))
                .onCancellation().invoke(() -> streams.forEach(SequenceStream::cancel));
        return RestMulti.fromUniResponse(result, r -> Multi.createFrom().item(r.json()), ApiResult::allHeaders,
                ApiResult::status);
    }

    /** The SSE lines of a stream: start chunks, event chunks, end chunks, {@code [DONE]}; errors as an error event. */
    public Multi<String> sse(List<SequenceStream> streams, ResponseFormatter formatter) {
        Multi<Object> chunks = Multi.createBy().concatenating().streams(
                Multi.createFrom().deferred(() -> Multi.createFrom().iterable(formatter.start())),
                merged(streams).onItem().transformToIterable(formatter::onEvent),
                Multi.createFrom().deferred(() -> Multi.createFrom().iterable(formatter.end())));
        return chunks.map(chunk -> "data: " + json(chunk) + "\n\n")
                .onFailure().recoverWithItem(e -> "data: " + json(ApiErrors.from(e, "prompt").body()) + "\n\n")
                .onCompletion().continueWith(DONE)
                .onCancellation().invoke(() -> streams.forEach(SequenceStream::cancel));
    }

    /** The error as a result. */
    public ApiResult error(ApiException e) {
        Map<String, List<String>> headers = e.retryAfterSeconds() > 0
                ? Map.of("Retry-After", List.of(Integer.toString(e.retryAfterSeconds()))) : Map.of();
        return new ApiResult(e.status(), headers, json(e.body()));
    }

    /** Serializes {@code value}. */
    public String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }
}
