package dev.neox4j.engine.tokenizer;

/**
 * Turns a stream of token ids into text without ever emitting a broken UTF-8 sequence.
 * API contract; implementation in progress.
 */
public final class StreamingDecoder {

    /** Adds one token; returns the text that is now complete (possibly empty). */
    public String push(int tokenId) {
        throw new UnsupportedOperationException();
    }

    /** Ends the stream: returns what is left, invalid or incomplete sequences as U+FFFD. */
    public String flush() {
        throw new UnsupportedOperationException();
    }
}
