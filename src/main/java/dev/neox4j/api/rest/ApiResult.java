package dev.neox4j.api.rest;

import java.util.List;
import java.util.Map;

/**
 * A finished JSON response: status, extra headers and the serialized body.
 *
 * @param status  HTTP status
 * @param headers headers besides the content type
 * @param json    the body
 */
public record ApiResult(int status, Map<String, List<String>> headers, String json) {

    /** The headers including {@code Content-Type: application/json}. */
    public Map<String, List<String>> allHeaders() {
        Map<String, List<String>> h = new java.util.HashMap<>(headers);
        h.put("Content-Type", List.of("application/json"));
        return h;
    }
}
