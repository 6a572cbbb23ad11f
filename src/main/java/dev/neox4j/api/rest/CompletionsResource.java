package dev.neox4j.api.rest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions}: OpenAI's text completion and chat APIs, as
 * JSON or (with {@code "stream": true}) as Server-Sent Events. Parsing and tokenizing run on a worker thread, the
 * generation on the engine's threads. The content type (JSON or SSE) follows the body's {@code stream} field, not
 * the {@code Accept} header ({@link AcceptHeaderFilter}).
 */
@Path("/v1")
public class CompletionsResource {

    @Inject
    GenerationService service;

    @Inject
    ObjectMapper mapper;

    @POST
    @Path("/completions")
    @Blocking
    public RestMulti<String> completions(String body) {
        RequestParser parser = service.parser();
        GenerationPlan plan = parser.completion(JsonFields.of(parse(mapper, body)), "completions");
        return service.respond(plan, parser.engine());
    }

    @POST
    @Path("/chat/completions")
    @Blocking
    public RestMulti<String> chat(String body) {
        RequestParser parser = service.parser();
        GenerationPlan plan = parser.chat(JsonFields.of(parse(mapper, body)), "chat");
        return service.respond(plan, parser.engine());
    }

    /** Parses a request body; not JSON → 400. */
    public static JsonNode parse(ObjectMapper mapper, String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest(null, "the request body must be a JSON object; it is empty");
        }
        try {
            return mapper.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest(null, "We could not parse the JSON body of your request: "
                    + e.getOriginalMessage());
        }
    }
}
