package dev.neox4j.engine.sampling;

import java.util.Map;

/**
 * Settings of one request's sampler chain (the runtime maps its {@code SamplingParams} into this record).
 * The constructor validates every value and names the bad one.
 *
 * @param temperature       0 = greedy; otherwise positive
 * @param topK              0 = off; otherwise keep the k most likely tokens
 * @param topP              in (0, 1]; 1 = off
 * @param minP              in [0, 1]; 0 = off
 * @param repetitionPenalty positive; 1 = off
 * @param presencePenalty   finite; 0 = off
 * @param frequencyPenalty  finite; 0 = off
 * @param logitBias         token id to bias (never null)
 * @param seed              the generator's seed, or {@code null} to draw one
 */
public record SamplerSettings(float temperature, int topK, float topP, float minP, float repetitionPenalty,
                              float presencePenalty, float frequencyPenalty, Map<Integer, Float> logitBias,
                              Long seed) {

    /** Argmax decoding. */
    public static final SamplerSettings GREEDY = new SamplerSettings(0f, 0, 1f, 0f, 1f, 0f, 0f, Map.of(), null);

    public SamplerSettings {
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0: " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 = off): " + topK);
        }
        if (!(topP > 0) || topP > 1) {
            throw new IllegalArgumentException("top_p must be in (0, 1]: " + topP);
        }
        if (!(minP >= 0) || minP > 1) {
            throw new IllegalArgumentException("min_p must be in [0, 1]: " + minP);
        }
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition_penalty must be a finite number > 0: "
                    + repetitionPenalty);
        }
        if (!Float.isFinite(presencePenalty)) {
            throw new IllegalArgumentException("presence_penalty must be finite: " + presencePenalty);
        }
        if (!Float.isFinite(frequencyPenalty)) {
            throw new IllegalArgumentException("frequency_penalty must be finite: " + frequencyPenalty);
        }
        for (var e : logitBias.entrySet()) {
            if (e.getValue() == null || e.getValue().isNaN()) {
                throw new IllegalArgumentException("logit_bias for token " + e.getKey() + " is not a number");
            }
        }
    }

    public boolean greedy() {
        return temperature == 0f;
    }
}
