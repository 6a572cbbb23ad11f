package dev.neox4j.api.rest;

import dev.neox4j.config.EngineHolder;
import dev.neox4j.config.EngineUnavailableException;
import dev.neox4j.engine.runtime.ContextOverflowException;
import dev.neox4j.engine.runtime.EngineClosedException;
import dev.neox4j.engine.runtime.QueueFullException;
import dev.neox4j.engine.runtime.SequenceStalledException;
import dev.neox4j.engine.sampling.InvalidSettingException;
import org.jboss.logging.Logger;

/** Translates what the engine and the holder throw into {@link ApiException}s with the right status. */
public final class ApiErrors {

    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    /**
     * The API error for {@code error}.
     *
     * @param promptParam the request field holding the prompt ({@code prompt} or {@code messages}), named in
     *                    context-length errors
     */
    public static ApiException from(Throwable error, String promptParam) {
        return switch (error) {
            case ApiException api -> api;
            case EngineUnavailableException unavailable -> new ApiException(503, "server_error",
                    unavailable.getMessage(), null, switch (unavailable.state()) {
                        case LOADING, READY -> "model_loading";
                        case DRAINING -> "shutting_down";
                        case FAILED -> "model_load_failed";
                    }, unavailable.retryAfterSeconds());
            case QueueFullException full -> new ApiException(429, "rate_limit_exceeded",
                    full.getMessage(), null, "queue_full", Math.max(1, full.retryAfterSeconds()));
            case ContextOverflowException overflow when overflow.promptTooLong() ->
                    ApiException.contextLengthExceeded(promptParam, "This model's maximum context length is "
                            + overflow.contextLength() + " tokens, however your prompt has " + overflow.promptTokens()
                            + " tokens. Please shorten the prompt"
                            + ("prompt".equals(promptParam) ? " or set truncate_prompt_tokens." : "."));
            case ContextOverflowException overflow -> ApiException.contextLengthExceeded("max_tokens",
                    "This model's maximum context length is " + overflow.contextLength() + " tokens. However, you "
                            + "requested " + (overflow.promptTokens() + overflow.maxTokens()) + " tokens ("
                            + overflow.promptTokens() + " in the " + promptParam + ", " + overflow.maxTokens()
                            + " in the completion). Please reduce the length of the " + promptParam
                            + " or max_tokens.");
            case InvalidSettingException invalid -> ApiException.badRequest(invalid.setting(), invalid.getMessage());
            case EngineClosedException closed -> new ApiException(503, "server_error", closed.getMessage(), null,
                    "shutting_down", 30);
            case IllegalArgumentException invalid -> ApiException.badRequest(null, invalid.getMessage());
            case SequenceStalledException stalled -> {
                // the client stopped reading: its own doing, logged once at DEBUG
                LOG.debugf("slow client: %s", stalled.getMessage());
                yield new ApiException(408, "invalid_request_error", "The client did not read the stream: more "
                        + "than neox.stream.max-buffered-bytes waited for it for longer than "
                        + "neox.stream.stall-timeout, so the request was cancelled", null, "slow_client", 0);
            }
            case java.nio.channels.ClosedChannelException gone -> {
                // the client went away (closed the connection, aborted the stream): normal, not a server error
                LOG.debugf("client connection closed: %s", gone);
                yield ApiException.internal("the client connection is closed");
            }
            case Throwable gone when ClientDisconnectLogFilter.clientGone(gone) != null -> {
                LOG.debugf("client connection closed: %s", gone);
                yield ApiException.internal("the client connection is closed");
            }
            default -> {
                LOG.error("request failed", error);
                yield ApiException.internal("internal error: " + error);
            }
        };
    }

    /** The error for a sequence the engine cancelled (not the client): shutdown or time limit. */
    public static ApiException cancelled(EngineHolder holder) {
        if (holder.state() == EngineHolder.State.DRAINING) {
            return new ApiException(503, "server_error",
                    "the server is shutting down; the request was cancelled", null, "shutting_down", 30);
        }
        return new ApiException(504, "server_error",
                "the request exceeded its time limit (neox.request-timeout) and was cancelled", null, "timeout", 0);
    }
}
