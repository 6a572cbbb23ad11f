package dev.neox4j.api.rest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Parses a request body (HTTP or WebSocket message) as one JSON value. Anything else, including text after the value
 * ({@code {"prompt": "x"} xyz}), is a 400 like any other malformed body: a client that sends two objects or a
 * truncated concatenation must learn of it instead of having half of its request silently ignored.
 */
public final class JsonBody {

    private JsonBody() {
    }

    /** The body as one JSON value; empty, malformed or followed by more tokens → 400. */
    public static JsonNode parse(ObjectMapper mapper, String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest(null, "the request body must be a JSON object; it is empty");
        }
        try {
            return mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest(null, "We could not parse the JSON body of your request: "
                    + ApiException.cut(e.getOriginalMessage()));
        }
    }

    /** The body as a JSON object's fields. */
    public static JsonFields object(ObjectMapper mapper, String body) {
        return JsonFields.of(parse(mapper, body));
    }
}
