package dev.neox4j.langchain4j;

import dev.langchain4j.model.output.TokenUsage;

import java.util.Objects;

/**
 * The {@link TokenUsage} of every neox4j model response, with the prompt tokens the engine took from its prefix
 * cache: {@link #cachedTokens()} is the count the REST API reports as {@code usage.prompt_tokens_details
 * .cached_tokens} (OpenAI's field; {@code langchain4j-open-ai}'s {@code OpenAiTokenUsage} carries it the same way).
 * LangChain4j's core {@code TokenUsage} has no such field, so the models return this subclass wherever a
 * {@code TokenUsage} goes ({@code ChatResponse.tokenUsage()}, {@code Response.tokenUsage()}, an AI service's
 * {@code Result.tokenUsage()}):
 *
 * <pre>{@code
 * if (response.tokenUsage() instanceof NeoxTokenUsage usage) {
 *     int reused = usage.cachedTokens();
 * }
 * }</pre>
 *
 * <p>{@link #inputTokenCount()} still counts every prompt token, cached or evaluated. Sums ({@link #add},
 * {@link TokenUsage#sum}, as an AI service adds the usage of several calls) keep the cached count.
 */
public final class NeoxTokenUsage extends TokenUsage {

    private final Integer cachedTokens;

    /**
     * @param inputTokenCount  prompt tokens (evaluated or taken from the prefix cache)
     * @param outputTokenCount tokens generated
     * @param totalTokenCount  their sum
     * @param cachedTokens     prompt tokens taken from the prefix cache instead of being evaluated
     */
    public NeoxTokenUsage(Integer inputTokenCount, Integer outputTokenCount, Integer totalTokenCount,
            Integer cachedTokens) {
        super(inputTokenCount, outputTokenCount, totalTokenCount);
        this.cachedTokens = cachedTokens;
    }

    /** Prompt tokens taken from the prefix cache instead of being evaluated (0 on a miss or with the cache off). */
    public Integer cachedTokens() {
        return cachedTokens;
    }

    /**
     * The sum of both usages; the cached tokens of {@code that} count when it is a {@code NeoxTokenUsage}.
     *
     * @return this when {@code that} is null
     */
    @Override
    public NeoxTokenUsage add(TokenUsage that) {
        if (that == null) {
            return this;
        }
        Integer thatCached = that instanceof NeoxTokenUsage n ? n.cachedTokens : null;
        return new NeoxTokenUsage(sum(inputTokenCount(), that.inputTokenCount()),
                sum(outputTokenCount(), that.outputTokenCount()),
                sum(totalTokenCount(), that.totalTokenCount()),
                sum(cachedTokens, thatCached));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NeoxTokenUsage that && super.equals(that) && Objects.equals(cachedTokens, that.cachedTokens);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Objects.hashCode(cachedTokens);
    }

    @Override
    public String toString() {
        return "NeoxTokenUsage { inputTokenCount = " + inputTokenCount() + ", cachedTokens = " + cachedTokens
                + ", outputTokenCount = " + outputTokenCount() + ", totalTokenCount = " + totalTokenCount() + " }";
    }
}
