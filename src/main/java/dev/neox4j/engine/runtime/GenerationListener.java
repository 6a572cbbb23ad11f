package dev.neox4j.engine.runtime;

/**
 * Receives the events of one sequence, called from an engine thread. Implementations must return quickly
 * (hand the event to another thread or a buffer); an exception thrown here cancels the sequence.
 * Exactly one of {@link #onComplete} or {@link #onError} is called, last.
 */
public interface GenerationListener {

    /** Called once, before the first token, when the prompt has been evaluated. */
    default void onPromptEvaluated(int promptTokens) {
    }

    /** Called for every generated token, in order. */
    void onToken(GeneratedToken token);

    /** Called once when the sequence finished normally or was cancelled. */
    void onComplete(Completion completion);

    /** Called once when the sequence failed. */
    void onError(Throwable error);
}
