package dev.neox4j.engine.runtime;

import java.util.Map;

/**
 * How the next token is chosen. Temperature 0 means greedy (argmax, ties to the lowest id).
 *
 * @param temperature       0 = greedy; otherwise logits are divided by it before top-k/top-p/min-p
 * @param topK              keep the k most likely tokens (0 = off)
 * @param topP              nucleus sampling mass (1 = off)
 * @param minP              drop tokens whose probability is below minP times the top probability (0 = off)
 * @param repetitionPenalty CTRL-style penalty on tokens already in prompt or output (1 = off)
 * @param presencePenalty   OpenAI presence penalty on generated tokens (0 = off)
 * @param frequencyPenalty  OpenAI frequency penalty on generated tokens (0 = off)
 * @param logitBias         token id to bias added to its logit (empty = none)
 * @param seed              seed of this request's generator; {@code null} draws one
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repetitionPenalty,
        float presencePenalty,
        float frequencyPenalty,
        Map<Integer, Float> logitBias,
        Long seed) {

    public static final SamplingParams GREEDY = new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, Map.of(), null);

    public SamplingParams {
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
    }

    public boolean greedy() {
        return temperature <= 0f;
    }
}
