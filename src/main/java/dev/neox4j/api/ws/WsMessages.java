package dev.neox4j.api.ws;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.neox4j.api.rest.CommonDtos.TimingsDto;
import dev.neox4j.api.rest.CommonDtos.UsageDto;
import dev.neox4j.api.rest.ErrorResponse;

import java.util.List;

/** The JSON messages the server sends on {@code /v1/stream} (see the README's "WebSocket protocol"). */
public final class WsMessages {

    private WsMessages() {
    }

    /** One generated token of choice {@code index} of request {@code id}; logprob fields only when asked for. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Token(String type, String id, int index, String text, @JsonProperty("token_id") int tokenId,
                        Float logprob, @JsonProperty("top_logprobs") List<TopLogprob> topLogprobs) {
        public Token(String id, int index, String text, int tokenId, Float logprob, List<TopLogprob> top) {
            this("token", id, index, text, tokenId, logprob, top);
        }
    }

    /** One alternative token. */
    public record TopLogprob(String token, @JsonProperty("token_id") int tokenId, float logprob) {
    }

    /** Choice {@code index} of request {@code id} finished; {@code text} is the whole choice text. */
    public record Done(String type, String id, int index, @JsonProperty("finish_reason") String finishReason,
                       String text, UsageDto usage, TimingsDto timings) {
        public Done(String id, int index, String finishReason, String text, UsageDto usage, TimingsDto timings) {
            this("done", id, index, finishReason, text, usage, timings);
        }
    }

    /** Request {@code id} failed (or a message could not be understood: then {@code id} may be null). */
    public record Error(String type, String id, ErrorResponse.Detail error) {
        public Error(String id, ErrorResponse.Detail error) {
            this("error", id, error);
        }
    }
}
