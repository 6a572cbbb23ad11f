package dev.neox4j.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.neox4j.engine.runtime.SamplingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The generation settings of one request: a model's builder defaults, overridden per request. Immutable.
 *
 * @param temperature       0 = greedy
 * @param topK              0 = off
 * @param topP              1 = off
 * @param minP              0 = off
 * @param repetitionPenalty 1 = off
 * @param presencePenalty   0 = off
 * @param frequencyPenalty  0 = off
 * @param seed              sampling seed, {@code null} = a fresh one per request
 * @param maxTokens         tokens to generate at most (&ge; 1)
 * @param stop              stop strings (never part of the output)
 * @param timeoutMillis     per-request time limit (0 = the engine's default)
 */
record GenerationSettings(double temperature, int topK, double topP, double minP, double repetitionPenalty,
                          double presencePenalty, double frequencyPenalty, Long seed, int maxTokens,
                          List<String> stop, long timeoutMillis) {

    /** Defaults of llama.cpp's sampler, 256 new tokens, no stop strings, no seed. */
    static final GenerationSettings DEFAULTS = new GenerationSettings(0.8, 40, 0.95, 0.05, 1.0, 0, 0, null, 256,
            List.of(), 0);

    GenerationSettings {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /**
     * Checks every value; the message names the parameter.
     *
     * @throws IllegalArgumentException for an out-of-range value
     */
    GenerationSettings validate() {
        check(Double.isFinite(temperature) && temperature >= 0, "temperature must be >= 0, got " + temperature);
        check(topK >= 0, "topK must be >= 0 (0 = off), got " + topK);
        check(topP > 0 && topP <= 1, "topP must be in (0, 1], got " + topP);
        check(minP >= 0 && minP <= 1, "minP must be in [0, 1], got " + minP);
        check(Double.isFinite(repetitionPenalty) && repetitionPenalty > 0,
                "repetitionPenalty must be > 0 (1 = off), got " + repetitionPenalty);
        check(presencePenalty >= -2 && presencePenalty <= 2, "presencePenalty must be in [-2, 2], got " + presencePenalty);
        check(frequencyPenalty >= -2 && frequencyPenalty <= 2,
                "frequencyPenalty must be in [-2, 2], got " + frequencyPenalty);
        check(maxTokens >= 1, "maxTokens must be >= 1, got " + maxTokens);
        check(timeoutMillis >= 0, "timeout must be >= 0, got " + timeoutMillis + " ms");
        for (String s : stop) {
            check(s != null && !s.isEmpty(), "stop strings must not be null or empty");
        }
        return this;
    }

    /**
     * These settings overridden by the non-null values of {@code p} (LangChain4j's generic parameters plus, for
     * {@link NeoxChatRequestParameters}, seed, minP and repetition penalty), validated. An empty stop list means
     * "not set", as in LangChain4j.
     *
     * @throws InvalidRequestException for an out-of-range value
     */
    GenerationSettings overriddenBy(ChatRequestParameters p) {
        if (p == null) {
            return this;
        }
        GenerationSettings s = new GenerationSettings(
                or(p.temperature(), temperature),
                or(p.topK(), topK),
                or(p.topP(), topP),
                p instanceof NeoxChatRequestParameters n ? or(n.minP(), minP) : minP,
                p instanceof NeoxChatRequestParameters n ? or(n.repetitionPenalty(), repetitionPenalty)
                        : repetitionPenalty,
                or(p.presencePenalty(), presencePenalty),
                or(p.frequencyPenalty(), frequencyPenalty),
                p instanceof NeoxChatRequestParameters n && n.seed() != null ? n.seed() : seed,
                or(p.maxOutputTokens(), maxTokens),
                p.stopSequences() != null && !p.stopSequences().isEmpty() ? p.stopSequences() : stop,
                timeoutMillis);
        try {
            return s.validate();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    /** These settings with {@code extra} stop strings appended (duplicates dropped). */
    GenerationSettings withExtraStops(List<String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        List<String> all = new ArrayList<>(stop);
        for (String s : extra) {
            if (!all.contains(s)) {
                all.add(s);
            }
        }
        return new GenerationSettings(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, all, timeoutMillis);
    }

    /** The engine's sampler settings. */
    SamplingParams sampling() {
        return new SamplingParams((float) temperature, topK, (float) topP, (float) minP, (float) repetitionPenalty,
                (float) presencePenalty, (float) frequencyPenalty, Map.of(), seed);
    }

    private static double or(Double v, double d) {
        return v != null ? v : d;
    }

    private static int or(Integer v, int d) {
        return v != null ? v : d;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
