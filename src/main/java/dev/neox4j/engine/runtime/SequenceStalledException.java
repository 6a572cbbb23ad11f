package dev.neox4j.engine.runtime;

/**
 * A sequence stayed paused ({@link GenerationHandle#pause}) longer than its limit, because its client stopped
 * reading; it was ended and its KV slot freed.
 */
public final class SequenceStalledException extends RuntimeException {
    public SequenceStalledException(String message) {
        super(message);
    }
}
