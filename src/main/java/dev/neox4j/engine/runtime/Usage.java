package dev.neox4j.engine.runtime;

/** Token counts of one finished sequence. */
public record Usage(int promptTokens, int completionTokens) {
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
