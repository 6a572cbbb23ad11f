package dev.neox4j.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.neox4j.engine.sampling.InvalidSettingException;
import dev.neox4j.engine.sampling.SamplingSettings;

import java.util.List;

/**
 * The generation settings of one request: a model's builder defaults, overridden per request. Immutable. The
 * sampling values live in the engine's {@link SamplingSettings}, which checks them; this type only maps
 * LangChain4j's names onto its builder and its {@link InvalidSettingException} onto LangChain4j's exceptions,
 * naming the parameter as LangChain4j does ({@code topP}, {@code maxTokens}).
 *
 * @param sampling      the validated sampling settings (at least one token)
 * @param timeoutMillis per-request time limit (0 = the engine's default)
 */
record GenerationSettings(SamplingSettings sampling, long timeoutMillis) {

    /** Defaults of llama.cpp's sampler, 256 new tokens, no stop strings, no seed. */
    static final GenerationSettings DEFAULTS = new GenerationSettings(SamplingSettings.builder().temperature(0.8)
            .topK(40).topP(0.95).minP(0.05).maxTokens(256).build(), 0);

    /** @throws IllegalArgumentException for no token to generate or a negative time limit */
    GenerationSettings {
        if (sampling.maxTokens() < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + sampling.maxTokens());
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeout must be >= 0, got " + timeoutMillis + " ms");
        }
    }

    /**
     * Builds settings from a builder's values, naming a bad one as LangChain4j does.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    static GenerationSettings of(SamplingSettings.Builder sampling, long timeoutMillis) {
        try {
            return new GenerationSettings(sampling.build(), timeoutMillis);
        } catch (InvalidSettingException e) {
            throw new IllegalArgumentException(javaName(e.setting()) + " " + e.reason(), e);
        }
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
        SamplingSettings.Builder b = sampling.toBuilder();
        if (p.temperature() != null) {
            b.temperature(p.temperature());
        }
        if (p.topK() != null) {
            b.topK(p.topK());
        }
        if (p.topP() != null) {
            b.topP(p.topP());
        }
        if (p.presencePenalty() != null) {
            b.presencePenalty(p.presencePenalty());
        }
        if (p.frequencyPenalty() != null) {
            b.frequencyPenalty(p.frequencyPenalty());
        }
        if (p.maxOutputTokens() != null) {
            b.maxTokens(p.maxOutputTokens());
        }
        if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
            b.stop(p.stopSequences());
        }
        if (p instanceof NeoxChatRequestParameters n) {
            if (n.minP() != null) {
                b.minP(n.minP());
            }
            if (n.repetitionPenalty() != null) {
                b.repetitionPenalty(n.repetitionPenalty());
            }
            if (n.seed() != null) {
                b.seed(n.seed());
            }
        }
        try {
            return of(b, timeoutMillis);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    /** These settings with {@code extra} stop strings appended (duplicates dropped). */
    GenerationSettings withExtraStops(List<String> extra) {
        return new GenerationSettings(sampling.withExtraStops(extra), timeoutMillis);
    }

    double temperature() {
        return exact(sampling.temperature());
    }

    int topK() {
        return sampling.topK();
    }

    double topP() {
        return exact(sampling.topP());
    }

    double minP() {
        return exact(sampling.minP());
    }

    double repetitionPenalty() {
        return exact(sampling.repetitionPenalty());
    }

    double presencePenalty() {
        return exact(sampling.presencePenalty());
    }

    double frequencyPenalty() {
        return exact(sampling.frequencyPenalty());
    }

    Long seed() {
        return sampling.seed();
    }

    int maxTokens() {
        return sampling.maxTokens();
    }

    List<String> stop() {
        return sampling.stop();
    }

    /** The double a user wrote for this float ({@code 0.9f} is {@code 0.9}, not {@code 0.899999976}). */
    private static double exact(float v) {
        return Double.parseDouble(Float.toString(v));
    }

    /** The LangChain4j builder's name of an API setting: {@code top_p} is {@code topP}. */
    static String javaName(String setting) {
        StringBuilder b = new StringBuilder();
        boolean upper = false;
        for (char c : setting.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                b.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return b.toString();
    }
}
