package dev.neox4j.api.rest;

import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.InspectRequest;
import dev.neox4j.engine.runtime.Inspection;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.jboss.resteasy.reactive.RestMulti;

import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/inspect}: the logit lens, hidden states and attention probabilities of a prompt
 * ({@link Engine#inspect}). Parsing runs on a worker thread, the forward passes in the engine's scheduler with the
 * other requests, the JSON (base64 tensors) again on a worker thread; a client that goes away cancels the request.
 */
@Path("/v1")
public class InspectResource {

    private final EngineHolder holder;
    private final GenerationService service;
    private final FutureResponder responder;
    private final InspectLimits limits;

    @Inject
    public InspectResource(EngineHolder holder, GenerationService service, FutureResponder responder) {
        this.holder = holder;
        this.service = service;
        this.responder = responder;
        this.limits = InspectLimits.of(holder.config().inspect());
    }

    @POST
    @Path("/inspect")
    @Blocking
    public RestMulti<String> inspect(String body) {
        RequestParser parser = service.parser();
        Engine engine = parser.engine();
        JsonFields f = service.fields(parser, body);
        InspectRequest request = new InspectParser(engine, limits).parse(f);
        CompletableFuture<Inspection> future;
        try {
            future = engine.inspect(request);
        } catch (RuntimeException e) {
            throw ApiErrors.from(e, "prompt");
        }
        InspectFormatter formatter = new InspectFormatter(engine.tokenizer());
        String model = holder.modelId();
        return responder.respond(future, r -> formatter.format(model, r, request.lensTopK() > 0,
                f.has("hidden_states"), f.has("attention")), "prompt");
    }
}
