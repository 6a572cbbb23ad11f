package dev.neox4j.api.rest;

import com.fasterxml.jackson.core.JacksonException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the API leaves as an OpenAI error body with the matching status. */
public class ApiExceptionMappers {

    /** The response for {@code e}: status, {@code Retry-After} when set, OpenAI error body. */
    public static Response toResponse(ApiException e) {
        Response.ResponseBuilder builder = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(e.body());
        if (e.retryAfterSeconds() > 0) {
            builder.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        return builder.build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return toResponse(e);
    }

    @ServerExceptionMapper
    public Response json(JacksonException e) {
        return toResponse(ApiException.badRequest(null,
                "We could not parse the JSON body of your request: " + e.getOriginalMessage()));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 -> "Unknown path; the API serves /v1/models, /v1/completions, /v1/chat/completions, "
                    + "/tokenize, /detokenize, /tokenizer_info and the WebSocket /v1/stream";
            case 405 -> "Method not allowed on this path";
            case 415 -> "Unsupported content type; send application/json";
            default -> e.getMessage();
        };
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        return toResponse(new ApiException(status, type, message, null, status == 404 ? "not_found" : null, 0));
    }

    @ServerExceptionMapper
    public Response other(RuntimeException e) {
        return toResponse(ApiErrors.from(e, "prompt"));
    }
}
