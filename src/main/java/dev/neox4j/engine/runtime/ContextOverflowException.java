package dev.neox4j.engine.runtime;

/**
 * A prompt, or a prompt plus the tokens the request asks for, does not fit into the context. Thrown by
 * {@link Engine#submit} unless the request opts in to {@link GenerationRequest#clipMaxTokens()} (which only helps
 * when the prompt itself fits).
 */
public final class ContextOverflowException extends IllegalArgumentException {
    private final int promptTokens;
    private final int maxTokens;
    private final int contextLength;

    /**
     * @param promptTokens  prompt tokens
     * @param maxTokens     tokens asked for (0 when only the prompt overflows)
     * @param contextLength positions of the context
     */
    public ContextOverflowException(int promptTokens, int maxTokens, int contextLength) {
        super(promptTokens > contextLength
                ? "prompt has " + promptTokens + " tokens but the context holds " + contextLength
                        + " tokens; shorten the prompt"
                : "prompt has " + promptTokens + " tokens and max_tokens asks for " + maxTokens + " more, "
                        + (promptTokens + maxTokens) + " in all, but the context holds " + contextLength
                        + " tokens; lower max_tokens or shorten the prompt");
        this.promptTokens = promptTokens;
        this.maxTokens = maxTokens;
        this.contextLength = contextLength;
    }

    public int promptTokens() {
        return promptTokens;
    }

    /** Tokens asked for. */
    public int maxTokens() {
        return maxTokens;
    }

    public int contextLength() {
        return contextLength;
    }

    /** Whether the prompt alone exceeds the context (otherwise the prompt plus max tokens do). */
    public boolean promptTooLong() {
        return promptTokens > contextLength;
    }
}
