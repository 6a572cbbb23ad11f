package dev.neox4j.engine.runtime;

import dev.neox4j.engine.sampling.InvalidSettingException;
import dev.neox4j.engine.sampling.SamplingSettings;

import java.util.List;
import java.util.Objects;

/**
 * One sequence to evaluate and continue: a prompt and its {@link SamplingSettings}. Build one with
 * {@link #builder(int[])}; the constructor checks what does not depend on the model, the engine checks the rest
 * (token ids, the context fit) once when the request is submitted.
 *
 * @param prompt          prompt token ids (at least one)
 * @param sampling        sampling settings, length limit, stop strings and logprobs
 * @param echo            also report logprobs for the prompt tokens (the first has none); needs logprobs &ge; 0
 * @param timeoutMillis   time limit for this request (0 = the engine default)
 * @param clipMaxTokens   when the prompt plus {@code maxTokens} exceeds the context, generate only what fits
 *                        (ending with {@link FinishReason#LENGTH}) instead of refusing the request with a
 *                        {@link ContextOverflowException}; an explicit opt-in, off by default
 * @param source          where the request came from ({@code completions}, {@code chat}, {@code websocket},
 *                        {@code langchain4j}, ...), used as a metrics label
 * @param observer        sees the sequence's logits (inspection), or {@code null}
 * @param group           the client request this sequence is one choice of ({@link Engine#requestGroup}), or
 *                        {@code null} for a request of its own
 */
public record GenerationRequest(
        int[] prompt,
        SamplingSettings sampling,
        boolean echo,
        long timeoutMillis,
        boolean clipMaxTokens,
        String source,
        SequenceObserver observer,
        RequestGroup group) {

    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        sampling = sampling == null ? SamplingSettings.GREEDY : sampling;
        source = source == null ? "engine" : source;
        if (prompt.length == 0) {
            throw new InvalidSettingException("prompt", "is empty: at least one token is needed");
        }
        if (timeoutMillis < 0) {
            throw new InvalidSettingException("timeout", "must be at least 0 ms, got " + timeoutMillis);
        }
    }

    /** A greedy request for {@code maxTokens} tokens without logprobs, stop strings or time limit. */
    public static GenerationRequest greedy(int[] prompt, int maxTokens) {
        return builder(prompt).sampling(SamplingSettings.builder().temperature(0).maxTokens(maxTokens).build())
                .build();
    }

    /** A builder for a request of {@code prompt} with greedy settings and nothing else set. */
    public static Builder builder(int[] prompt) {
        return new Builder(prompt);
    }

    /** A builder starting from this request. */
    public Builder toBuilder() {
        Builder b = new Builder(prompt);
        b.sampling = sampling;
        b.echo = echo;
        b.timeoutMillis = timeoutMillis;
        b.clipMaxTokens = clipMaxTokens;
        b.source = source;
        b.observer = observer;
        b.group = group;
        return b;
    }

    /** Tokens to generate at most. */
    public int maxTokens() {
        return sampling.maxTokens();
    }

    /** Stop strings. */
    public List<String> stop() {
        return sampling.stop();
    }

    /** Whether the end-of-text token is ignored. */
    public boolean ignoreEos() {
        return sampling.ignoreEos();
    }

    /** Top alternatives per token, or -1 for no logprobs. */
    public int logprobs() {
        return sampling.logprobs();
    }

    /** Collects a request; {@link #build()} validates it. */
    public static final class Builder {
        private final int[] prompt;
        private SamplingSettings sampling = SamplingSettings.GREEDY;
        private boolean echo;
        private long timeoutMillis;
        private boolean clipMaxTokens;
        private String source = "engine";
        private SequenceObserver observer;
        private RequestGroup group;

        private Builder(int[] prompt) {
            this.prompt = prompt;
        }

        public Builder sampling(SamplingSettings v) {
            sampling = v;
            return this;
        }

        public Builder echo(boolean v) {
            echo = v;
            return this;
        }

        public Builder timeoutMillis(long v) {
            timeoutMillis = v;
            return this;
        }

        public Builder clipMaxTokens(boolean v) {
            clipMaxTokens = v;
            return this;
        }

        public Builder source(String v) {
            source = v;
            return this;
        }

        public Builder observer(SequenceObserver v) {
            observer = v;
            return this;
        }

        public Builder group(RequestGroup v) {
            group = v;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(prompt, sampling, echo, timeoutMillis, clipMaxTokens, source, observer,
                    group);
        }
    }
}
