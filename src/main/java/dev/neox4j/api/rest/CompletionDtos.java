package dev.neox4j.api.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.neox4j.api.rest.CommonDtos.TimingsDto;
import dev.neox4j.api.rest.CommonDtos.UsageDto;

import java.util.List;
import java.util.Map;

/** JSON shapes of {@code POST /v1/completions} (OpenAI's legacy completion API). */
public final class CompletionDtos {

    private CompletionDtos() {
    }

    /**
     * A response ({@code object: text_completion}) or, when streaming, one chunk of it. {@code usage} and
     * {@code timings} are left out of chunks that don't carry them.
     */
    public record CompletionResponse(String id, String object, long created, String model,
                                     List<CompletionChoice> choices,
                                     @JsonInclude(JsonInclude.Include.NON_NULL) UsageDto usage,
                                     @JsonInclude(JsonInclude.Include.NON_NULL) TimingsDto timings) {
    }

    /** One choice; {@code logprobs} and {@code finish_reason} are written as null when absent. */
    public record CompletionChoice(String text, int index, LegacyLogprobs logprobs,
                                   @JsonProperty("finish_reason") String finishReason) {
    }

    /**
     * OpenAI's legacy logprobs: parallel lists with one entry per token. With echo the first prompt token has
     * {@code null} in {@code token_logprobs} and {@code top_logprobs}. {@code text_offset} counts characters (code
     * points) into the choice text.
     */
    public record LegacyLogprobs(List<String> tokens,
                                 @JsonProperty("token_logprobs") List<Float> tokenLogprobs,
                                 @JsonProperty("top_logprobs") List<Map<String, Float>> topLogprobs,
                                 @JsonProperty("text_offset") List<Integer> textOffset) {
    }
}
