package dev.neox4j.engine.runtime;

/**
 * Hooks the engine calls for every request, whatever its entry point (REST, WebSocket, LangChain4j), so
 * that metrics are recorded in one place. Called from engine threads: implementations must be fast and
 * must not throw. Register with {@code Engine.addObserver}.
 */
public interface EngineObserver {

    /** The sequence was refused because the admission queue was full. */
    default void rejected(String source) {
    }

    /** The request entered the admission queue. */
    default void queued(String source) {
    }

    /** The request got a KV slot after waiting {@code queueSeconds}; its prompt has {@code promptTokens}. */
    default void started(String source, double queueSeconds, int promptTokens) {
    }

    /** The first token was generated {@code seconds} after submission. */
    default void firstToken(String source, double seconds) {
    }

    /** A further token was generated {@code seconds} after the previous one. */
    default void interToken(String source, double seconds) {
    }

    /**
     * The sequence (one choice of a request) ended.
     *
     * @param outcome          {@code success}, {@code error} or {@code cancelled}
     * @param promptTokens     prompt tokens evaluated
     * @param generatedTokens  tokens generated
     * @param e2eSeconds       submission to completion
     */
    default void finished(String source, String outcome, int promptTokens, int generatedTokens, double e2eSeconds) {
    }

    /**
     * A client request ended: once per {@link RequestGroup} (after its last sequence), or with each sequence that
     * has no group; {@link #finished} and {@link #rejected} are called per sequence.
     *
     * @param outcome {@code success}, {@code error}, {@code cancelled} or {@code rejected}
     */
    default void requestFinished(String source, String outcome) {
    }
}
