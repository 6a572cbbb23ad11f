package dev.neox4j.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;

import java.util.Objects;

/**
 * LangChain4j's chat request parameters plus the sampler settings neox4j has beyond them: {@code seed} (a
 * seeded request is reproducible), {@code minP} and {@code repetitionPenalty}. Use it per request
 * ({@code ChatRequest.builder().parameters(NeoxChatRequestParameters.builder().seed(42L).build())}); the neox4j
 * chat models also return their builder defaults as an instance of this class from
 * {@code defaultRequestParameters()}. Null values mean "not set" (the model's default applies). Immutable.
 */
public final class NeoxChatRequestParameters extends DefaultChatRequestParameters {

    /** No parameter set. */
    public static final NeoxChatRequestParameters EMPTY = builder().build();

    private final Long seed;
    private final Double minP;
    private final Double repetitionPenalty;

    private NeoxChatRequestParameters(Builder builder) {
        super(builder);
        this.seed = builder.seed;
        this.minP = builder.minP;
        this.repetitionPenalty = builder.repetitionPenalty;
    }

    /** Seed of the request's random generator ({@code null}: a fresh one per request). */
    public Long seed() {
        return seed;
    }

    /** Min-p sampling threshold (0 = off). */
    public Double minP() {
        return minP;
    }

    /** CTRL-style repetition penalty (1 = off). */
    public Double repetitionPenalty() {
        return repetitionPenalty;
    }

    /** These parameters with every non-null value of {@code that} taking precedence. */
    @Override
    public NeoxChatRequestParameters overrideWith(ChatRequestParameters that) {
        return builder().overrideWith(this).overrideWith(that).build();
    }

    /** {@code that}'s values where these are null. */
    @Override
    public NeoxChatRequestParameters defaultedBy(ChatRequestParameters that) {
        return builder().overrideWith(that).overrideWith(this).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NeoxChatRequestParameters that && super.equals(o) && Objects.equals(seed, that.seed)
                && Objects.equals(minP, that.minP) && Objects.equals(repetitionPenalty, that.repetitionPenalty);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, minP, repetitionPenalty);
    }

    @Override
    public String toString() {
        return "NeoxChatRequestParameters{" + super.toString() + ", seed=" + seed + ", minP=" + minP
                + ", repetitionPenalty=" + repetitionPenalty + "}";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link NeoxChatRequestParameters}. */
    public static final class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private Long seed;
        private Double minP;
        private Double repetitionPenalty;

        /** Copies every non-null value of {@code parameters} (including the neox4j ones when it is one). */
        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof NeoxChatRequestParameters n) {
                if (n.seed != null) {
                    seed = n.seed;
                }
                if (n.minP != null) {
                    minP = n.minP;
                }
                if (n.repetitionPenalty != null) {
                    repetitionPenalty = n.repetitionPenalty;
                }
            }
            return this;
        }

        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        public Builder minP(Double minP) {
            this.minP = minP;
            return this;
        }

        public Builder repetitionPenalty(Double repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        @Override
        public NeoxChatRequestParameters build() {
            return new NeoxChatRequestParameters(this);
        }
    }
}
