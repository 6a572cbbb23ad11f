package dev.neox4j.engine.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How one request chooses and limits its tokens: the sampler chain, the length limit, stop strings and logprobs.
 * The one settings type of the engine, the REST API and the LangChain4j models: the constructor checks every value
 * once, against one set of limits, and names the bad one in an {@link InvalidSettingException}; the front ends only
 * map their names onto {@link #builder()} and turn that exception into their own error (a 400, an
 * {@code InvalidRequestException}). What depends on the model (token ids of {@code logit_bias}, the context fit)
 * is checked once more where the model is known, by the engine when the request is submitted.
 *
 * @param temperature       0 = greedy (argmax); otherwise logits are divided by it; in [0, 100]
 * @param topK              keep the k most likely tokens; 0 = off (-1 is accepted as off too and stored as 0)
 * @param topP              nucleus mass in (0, 1]; 1 = off
 * @param minP              drop tokens below minP times the top probability, in [0, 1]; 0 = off
 * @param repetitionPenalty CTRL-style penalty on prompt and output tokens, in (0, 100]; 1 = off
 * @param presencePenalty   OpenAI presence penalty on generated tokens, in [-2, 2]; 0 = off
 * @param frequencyPenalty  OpenAI frequency penalty on generated tokens, in [-2, 2]; 0 = off
 * @param logitBias         token id to a bias in [-100, 100] added to its logit (never null)
 * @param seed              seed of the request's generator; {@code null} draws one
 * @param maxTokens         tokens to generate at most, &ge; 0 (0 = only evaluate the prompt, for echo logprobs)
 * @param stop              stop strings (at most {@link #MAX_STOP_STRINGS}, none empty), matched on the generated
 *                          text and never emitted
 * @param ignoreEos         keep generating past the end-of-text token
 * @param logprobs          top alternatives to report per token, 0..{@link Logprobs#MAX_TOP}; -1 = no logprobs
 */
public record SamplingSettings(float temperature, int topK, float topP, float minP, float repetitionPenalty,
                               float presencePenalty, float frequencyPenalty, Map<Integer, Float> logitBias,
                               Long seed, int maxTokens, List<String> stop, boolean ignoreEos, int logprobs) {

    /** Most stop strings a request may give. */
    public static final int MAX_STOP_STRINGS = 16;
    /** Largest temperature accepted. */
    public static final float MAX_TEMPERATURE = 100f;
    /** Largest magnitude of a logit bias. */
    public static final float MAX_LOGIT_BIAS = 100f;

    /** Argmax decoding, 16 tokens, nothing else (the builder's defaults at temperature 0). */
    public static final SamplingSettings GREEDY = builder().temperature(0).build();

    public SamplingSettings {
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        stop = stop == null ? List.of() : List.copyOf(stop);
        topK = topK == -1 ? 0 : topK;
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw invalid("temperature", "must be between 0 and 100, got " + temperature);
        }
        if (topK < 0) {
            throw invalid("top_k", "must be at least -1 (0 or -1 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw invalid("top_p", (topP == 0 ? "must be greater than 0 and at most 1" : "must be between 0 and 1")
                    + ", got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw invalid("min_p", "must be between 0 and 1, got " + minP);
        }
        if (!(repetitionPenalty > 0 && repetitionPenalty <= 100)) {
            throw invalid("repetition_penalty", (repetitionPenalty <= 0 ? "must be greater than 0"
                    : "must be between 0 and 100") + ", got " + repetitionPenalty);
        }
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) {
            throw invalid("presence_penalty", "must be between -2 and 2, got " + presencePenalty);
        }
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) {
            throw invalid("frequency_penalty", "must be between -2 and 2, got " + frequencyPenalty);
        }
        for (var e : logitBias.entrySet()) {
            if (e.getKey() < 0) {
                throw invalid("logit_bias", "names token id " + e.getKey() + ", but ids are never negative");
            }
            Float v = e.getValue();
            if (v == null || !(v >= -MAX_LOGIT_BIAS && v <= MAX_LOGIT_BIAS)) {
                throw invalid("logit_bias", "values must be numbers between -100 and 100, got " + v + " for token "
                        + e.getKey());
            }
        }
        if (maxTokens < 0) {
            throw invalid("max_tokens", "must be at least 0, got " + maxTokens);
        }
        if (stop.size() > MAX_STOP_STRINGS) {
            throw invalid("stop", "may hold at most " + MAX_STOP_STRINGS + " strings, got " + stop.size());
        }
        for (String s : stop) {
            if (s.isEmpty()) {
                throw invalid("stop", "strings must not be empty");
            }
        }
        if (logprobs < -1 || logprobs > Logprobs.MAX_TOP) {
            throw invalid("logprobs", "must be between 0 and " + Logprobs.MAX_TOP + " (or -1 for none), got "
                    + logprobs);
        }
    }

    private static InvalidSettingException invalid(String setting, String reason) {
        return new InvalidSettingException(setting, reason);
    }

    /** Whether the token is the argmax (temperature 0). */
    public boolean greedy() {
        return temperature == 0f;
    }

    /** A builder with the neutral defaults: temperature 1, every filter and penalty off, 16 tokens, no stop. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings (for per-request overrides of a model's defaults). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.minP = minP;
        b.repetitionPenalty = repetitionPenalty;
        b.presencePenalty = presencePenalty;
        b.frequencyPenalty = frequencyPenalty;
        b.logitBias = logitBias;
        b.seed = seed;
        b.maxTokens = maxTokens;
        b.stop = stop;
        b.ignoreEos = ignoreEos;
        b.logprobs = logprobs;
        return b;
    }

    /** These settings with {@code extra} stop strings appended (duplicates dropped), e.g. a chat template's. */
    public SamplingSettings withExtraStops(List<String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        List<String> all = new ArrayList<>(stop);
        for (String s : extra) {
            if (!all.contains(s)) {
                all.add(s);
            }
        }
        return toBuilder().stop(all).build();
    }

    /** Collects settings; {@link #build()} validates them all at once. Not thread-safe. */
    public static final class Builder {
        private float temperature = 1f;
        private int topK;
        private float topP = 1f;
        private float minP;
        private float repetitionPenalty = 1f;
        private float presencePenalty;
        private float frequencyPenalty;
        private Map<Integer, Float> logitBias = Map.of();
        private Long seed;
        private int maxTokens = 16;
        private List<String> stop = List.of();
        private boolean ignoreEos;
        private int logprobs = -1;

        private Builder() {
        }

        public Builder temperature(double v) {
            temperature = (float) v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(double v) {
            topP = (float) v;
            return this;
        }

        public Builder minP(double v) {
            minP = (float) v;
            return this;
        }

        public Builder repetitionPenalty(double v) {
            repetitionPenalty = (float) v;
            return this;
        }

        public Builder presencePenalty(double v) {
            presencePenalty = (float) v;
            return this;
        }

        public Builder frequencyPenalty(double v) {
            frequencyPenalty = (float) v;
            return this;
        }

        public Builder logitBias(Map<Integer, Float> v) {
            logitBias = v;
            return this;
        }

        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        public Builder maxTokens(int v) {
            maxTokens = v;
            return this;
        }

        public Builder stop(List<String> v) {
            stop = v;
            return this;
        }

        public Builder ignoreEos(boolean v) {
            ignoreEos = v;
            return this;
        }

        public Builder logprobs(int v) {
            logprobs = v;
            return this;
        }

        /**
         * The validated settings.
         *
         * @throws InvalidSettingException naming the first bad setting
         */
        public SamplingSettings build() {
            return new SamplingSettings(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                    frequencyPenalty, logitBias, seed, maxTokens, stop, ignoreEos, logprobs);
        }
    }
}
