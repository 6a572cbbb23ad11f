package dev.neox4j.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.Perplexity;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.jboss.resteasy.reactive.RestMulti;

import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/perplexity}: the {@code perplexity} command's computation ({@link Perplexity}, llama-perplexity's
 * method) over the text of the request, on the served model. Each chunk is a request of the scheduler.
 */
@Path("/v1")
public class PerplexityResource {

    /** The response. */
    public record Response(String model, String object, double perplexity, double uncertainty,
                           @JsonProperty("mean_nll") double meanNll, int tokens, int ctx, int chunks,
                           @JsonProperty("scored_tokens") int scoredTokens,
                           @JsonProperty("chunk_perplexities") double[] chunkPerplexities,
                           @JsonProperty("final_estimate") String finalEstimate) {
    }

    private final EngineHolder holder;
    private final GenerationService service;
    private final FutureResponder responder;

    @Inject
    public PerplexityResource(EngineHolder holder, GenerationService service, FutureResponder responder) {
        this.holder = holder;
        this.service = service;
        this.responder = responder;
    }

    @POST
    @Path("/perplexity")
    @Blocking
    public RestMulti<String> perplexity(String body) {
        RequestParser parser = service.parser();
        Engine engine = parser.engine();
        JsonFields f = service.fields(parser, body);
        String text = f.string("text", null);
        if (text == null) {
            throw ApiException.badRequest("text", "'text' is required");
        }
        int maxCtx = engine.modelInfo().contextLength();
        int ctx = f.integer("ctx", Math.min(Perplexity.DEFAULT_CONTEXT, maxCtx), 4, maxCtx);
        int[] tokens = Perplexity.tokenize(engine.tokenizer(), text);
        int maxTokens = holder.config().perplexity().maxTokens();
        if (tokens.length > maxTokens) {
            throw ApiException.badRequest("text", "the text has " + tokens.length + " tokens; at most " + maxTokens
                    + " are allowed (neox.perplexity.max-tokens)");
        }
        if (tokens.length < 2 * ctx) {
            throw ApiException.badRequest("text", "you need at least " + 2 * ctx + " tokens to evaluate perplexity "
                    + "with a context of " + ctx + "; the text has " + tokens.length);
        }
        CompletableFuture<Perplexity.Result> future;
        try {
            future = Perplexity.start(engine, tokens, ctx, 0, "perplexity", null);
        } catch (RuntimeException e) {
            throw ApiErrors.from(e, "text");
        }
        String model = holder.modelId();
        return responder.respond(future, r -> new Response(model, "perplexity", r.perplexity(), r.uncertainty(),
                r.meanNll(), r.tokens(), r.context(), r.chunks(), r.scored(), r.chunkPerplexity(),
                r.finalEstimate()), "text");
    }
}
