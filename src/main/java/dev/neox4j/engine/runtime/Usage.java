package dev.neox4j.engine.runtime;

/**
 * Token counts of one finished sequence.
 *
 * @param promptTokens     prompt tokens (evaluated or taken from the prefix cache)
 * @param completionTokens tokens generated
 * @param cachedTokens     prompt tokens taken from the prefix cache instead of being evaluated (OpenAI's
 *                         {@code prompt_tokens_details.cached_tokens})
 */
public record Usage(int promptTokens, int completionTokens, int cachedTokens) {

    /** Counts without prefix-cache reuse. */
    public Usage(int promptTokens, int completionTokens) {
        this(promptTokens, completionTokens, 0);
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
