package dev.neox4j.engine.runtime;

/** Why a sequence stopped. */
public enum FinishReason {
    /** End-of-text token or a stop string. */
    STOP,
    /** {@code maxTokens} or the context length was reached. */
    LENGTH,
    /** Cancelled by the client, by shutdown or by its time limit. */
    CANCELLED;

    /** The OpenAI spelling ({@code stop}, {@code length}, {@code cancelled}). */
    public String openAi() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
