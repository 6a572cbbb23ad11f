package dev.neox4j.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.neox4j.engine.runtime.Timings;

import java.util.List;

/** JSON shapes shared by the completion and chat responses: {@code usage} and llama.cpp's {@code timings}. */
public final class CommonDtos {

    private CommonDtos() {
    }

    /**
     * OpenAI {@code usage}; {@code prompt_tokens_details.cached_tokens} counts the prompt tokens taken from the
     * prefix cache instead of being evaluated.
     */
    public record UsageDto(@JsonProperty("prompt_tokens") int promptTokens,
                           @JsonProperty("completion_tokens") int completionTokens,
                           @JsonProperty("total_tokens") int totalTokens,
                           @JsonProperty("prompt_tokens_details") PromptTokensDetails promptTokensDetails) {
        public static UsageDto of(int prompt, int completion) {
            return of(prompt, completion, 0);
        }

        public static UsageDto of(int prompt, int completion, int cached) {
            return new UsageDto(prompt, completion, prompt + completion, new PromptTokensDetails(cached));
        }

        /** The usage of one finished sequence. */
        public static UsageDto of(dev.neox4j.engine.runtime.Usage u) {
            return of(u.promptTokens(), u.completionTokens(), u.cachedTokens());
        }
    }

    /** OpenAI {@code usage.prompt_tokens_details}. */
    public record PromptTokensDetails(@JsonProperty("cached_tokens") int cachedTokens) {
    }

    /**
     * llama.cpp's {@code timings} (plus queue wait and time to first token). For several choices the counts and
     * times are summed, so the rates are per sequence.
     */
    public record TimingsDto(@JsonProperty("prompt_n") int promptN,
                             @JsonProperty("prompt_ms") double promptMs,
                             @JsonProperty("prompt_per_second") double promptPerSecond,
                             @JsonProperty("predicted_n") int predictedN,
                             @JsonProperty("predicted_ms") double predictedMs,
                             @JsonProperty("predicted_per_second") double predictedPerSecond,
                             @JsonProperty("queue_ms") double queueMs,
                             @JsonProperty("ttft_ms") double ttftMs) {

        public static TimingsDto of(Timings t) {
            return sum(List.of(t));
        }

        /** Counts and times summed over {@code timings}. */
        public static TimingsDto sum(List<Timings> timings) {
            int promptN = 0;
            int predictedN = 0;
            double promptMs = 0;
            double predictedMs = 0;
            double queueMs = 0;
            double ttftMs = 0;
            for (Timings t : timings) {
                promptN += t.promptN();
                promptMs += t.promptMs();
                predictedN += t.predictedN();
                predictedMs += t.predictedMs();
                queueMs = Math.max(queueMs, t.queueMs());
                ttftMs = Math.max(ttftMs, t.ttftMs());
            }
            return new TimingsDto(promptN, round(promptMs), rate(promptN, promptMs), predictedN, round(predictedMs),
                    rate(predictedN, predictedMs), round(queueMs), round(ttftMs));
        }

        private static double rate(int n, double ms) {
            return ms > 0 ? round(n * 1000.0 / ms) : 0;
        }

        private static double round(double v) {
            return Math.round(v * 1000.0) / 1000.0;
        }
    }
}
