package dev.neox4j.api.rest;

import dev.neox4j.config.EngineHolder;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.resteasy.reactive.RestMulti;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Answers an HTTP request with the result of an engine future ({@code /v1/inspect}, {@code /v1/perplexity}): the
 * JSON of its result, made on a worker thread (never on the event loop or the scheduler thread); the API error of
 * its failure; a 504 (time limit) or 503 (shutdown) when the engine cancelled it. A client that goes away cancels
 * the future, and with it the engine's work.
 */
@ApplicationScoped
public class FutureResponder {

    private final GenerationService service;
    private final EngineHolder holder;
    private final ClientConnection client;

    @Inject
    public FutureResponder(GenerationService service, EngineHolder holder, ClientConnection client) {
        this.service = service;
        this.holder = holder;
        this.client = client;
    }

    /** The response for {@code future}, whose result {@code body} turns into the JSON body. */
    public <T> RestMulti<String> respond(CompletableFuture<T> future, Function<? super T, Object> body,
                                         String promptParam) {
        client.onClientGone(() -> future.cancel(true));
        Uni<ApiResult> result = Uni.createFrom().completionStage(future)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(r -> new ApiResult(200, Map.of(), service.json(body.apply(r))))
                .onFailure().recoverWithItem(e -> service.error(error(e, promptParam)))
                .onCancellation().invoke(() -> future.cancel(true));
        return RestMulti.fromUniResponse(result, r -> Multi.createFrom().item(r.json()), ApiResult::allHeaders,
                ApiResult::status);
    }

    private ApiException error(Throwable e, String promptParam) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof CancellationException ? ApiErrors.cancelled(holder)
                : ApiErrors.from(cause, promptParam);
    }
}
