package dev.neox4j.api.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.neox4j.api.rest.CommonDtos.TimingsDto;
import dev.neox4j.api.rest.CommonDtos.UsageDto;

import java.util.List;

/** JSON shapes of {@code POST /v1/chat/completions}. */
public final class ChatDtos {

    private ChatDtos() {
    }

    /** A response ({@code object: chat.completion}). */
    public record ChatCompletionResponse(String id, String object, long created, String model,
                                         List<ChatChoice> choices, UsageDto usage, TimingsDto timings) {
    }

    /** One choice of a response. */
    public record ChatChoice(int index, ChatMessage message, ChatLogprobs logprobs,
                             @JsonProperty("finish_reason") String finishReason) {
    }

    /** The assistant's message. */
    public record ChatMessage(String role, String content) {
    }

    /** One streamed chunk ({@code object: chat.completion.chunk}). */
    public record ChatChunk(String id, String object, long created, String model, List<ChatChunkChoice> choices,
                            @JsonInclude(JsonInclude.Include.NON_NULL) UsageDto usage,
                            @JsonInclude(JsonInclude.Include.NON_NULL) TimingsDto timings) {
    }

    /** One choice of a chunk. */
    public record ChatChunkChoice(int index, ChatDelta delta, ChatLogprobs logprobs,
                                  @JsonProperty("finish_reason") String finishReason) {
    }

    /** What a chunk adds: the role in the first chunk, then content. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatDelta(String role, String content) {
    }

    /** Chat-shaped logprobs: one entry per token. */
    public record ChatLogprobs(List<ChatTokenLogprob> content) {
    }

    /** One token with its logprob, UTF-8 bytes and top alternatives. */
    public record ChatTokenLogprob(String token, float logprob, List<Integer> bytes,
                                   @JsonProperty("top_logprobs") List<ChatTopLogprob> topLogprobs) {
    }

    /** One alternative. */
    public record ChatTopLogprob(String token, float logprob, List<Integer> bytes) {
    }
}
