package dev.neox4j.engine.runtime;

/** A prompt (plus the tokens it asks for, where that matters) does not fit into the context. */
public final class ContextOverflowException extends IllegalArgumentException {
    private final int promptTokens;
    private final int contextLength;

    public ContextOverflowException(int promptTokens, int contextLength) {
        super("prompt has " + promptTokens + " tokens but the context holds " + contextLength
                + " tokens; shorten the prompt or ask for truncation");
        this.promptTokens = promptTokens;
        this.contextLength = contextLength;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextLength() {
        return contextLength;
    }
}
