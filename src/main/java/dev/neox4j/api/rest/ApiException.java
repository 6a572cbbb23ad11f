package dev.neox4j.api.rest;

/**
 * An API error with its HTTP status and the fields of the OpenAI error body
 * ({@code {"error": {"message", "type", "param", "code"}}}).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final int retryAfterSeconds;

    public ApiException(int status, String type, String message, String param, String code, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400 {@code invalid_request_error} about {@code param} (may be null). */
    public static ApiException badRequest(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, param == null ? null : "invalid_value", 0);
    }

    /** 400 with the {@code context_length_exceeded} code. */
    public static ApiException contextLengthExceeded(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, "context_length_exceeded", 0);
    }

    /** 404 for a model id that is not served; a long id is cut ({@link #cut}), not echoed whole. */
    public static ApiException modelNotFound(String model) {
        return new ApiException(404, "invalid_request_error",
                "The model '" + cut(model) + "' does not exist; GET /v1/models lists the model served here", "model",
                "model_not_found", 0);
    }

    /** Longest client-supplied text an error message quotes. */
    public static final int MAX_QUOTED_CHARS = 100;

    /**
     * {@code text} as an error message may quote it: at most {@link #MAX_QUOTED_CHARS} characters, followed by how
     * long it really was, so that a client sending a 100 KB value does not get it echoed back.
     */
    public static String cut(String text) {
        if (text == null || text.length() <= MAX_QUOTED_CHARS) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_QUOTED_CHARS - 1)) ? MAX_QUOTED_CHARS - 1
                : MAX_QUOTED_CHARS;
        return text.substring(0, end) + "... (" + text.length() + " characters)";
    }

    /** 401: missing or wrong API key. */
    public static ApiException unauthorized(String message) {
        return new ApiException(401, "invalid_request_error", message, null, "invalid_api_key", 0);
    }

    /** 500: something failed inside the server. */
    public static ApiException internal(String message) {
        return new ApiException(500, "server_error", message, null, null, 0);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Seconds for a {@code Retry-After} header, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The OpenAI error body. */
    public ErrorResponse body() {
        return new ErrorResponse(new ErrorResponse.Detail(getMessage(), type, param, code));
    }
}
