package dev.neox4j.api.rest;

/** The OpenAI error body: {@code {"error": {"message", "type", "param", "code"}}}. */
public record ErrorResponse(Detail error) {

    /** The error's fields; {@code param} and {@code code} may be null (and are then written as null). */
    public record Detail(String message, String type, String param, String code) {
    }
}
