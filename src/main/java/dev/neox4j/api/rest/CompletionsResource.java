package dev.neox4j.api.rest;

import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions}: OpenAI's text completion and chat APIs, as
 * JSON or (with {@code "stream": true}) as Server-Sent Events. Parsing and tokenizing run on a worker thread, the
 * generation on the engine's threads ({@link GenerationService}). The content type (JSON or SSE) follows the body's
 * {@code stream} field, not the {@code Accept} header ({@link AcceptHeaderFilter}).
 */
@Path("/v1")
public class CompletionsResource {

    @Inject
    GenerationService service;

    @POST
    @Path("/completions")
    @Blocking
    public RestMulti<String> completions(String body) {
        return service.completions(body);
    }

    @POST
    @Path("/chat/completions")
    @Blocking
    public RestMulti<String> chat(String body) {
        return service.chat(body);
    }
}
