package dev.neox4j.engine.tokenizer;

/**
 * Turns a stream of token ids into text without ever emitting a broken UTF-8 sequence.
 *
 * <p>Each {@link #push} returns only complete characters: the bytes of a character split across tokens (e.g.
 * an emoji whose four bytes come in two or three tokens) are held back until the character is complete and then
 * come out whole. Bytes that cannot form a character produce U+FFFD as soon as that is certain (see
 * {@link Utf8Decoder}); {@link #flush} turns an incomplete tail into U+FFFD. No space clean-up is applied (the
 * concatenation of all outputs equals {@link Tokenizer#decodeRaw(int[])}). Not thread-safe: one per stream.
 */
public final class StreamingDecoder {

    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private final Utf8Decoder utf8 = new Utf8Decoder();
    private final StringBuilder out = new StringBuilder();

    StreamingDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /**
     * Adds one token; returns the text that is now complete (possibly empty).
     *
     * @throws IllegalArgumentException if the id is outside the vocabulary (the decoder state is unchanged)
     */
    public String push(int tokenId) {
        byte[] piece = tokenizer.pieceBytes(tokenId, renderSpecial);
        utf8.feed(piece, 0, piece.length, out);
        return take();
    }

    /** Ends the stream: returns what is left, invalid or incomplete sequences as U+FFFD. */
    public String flush() {
        utf8.finish(out);
        return take();
    }

    /** Whether bytes of an incomplete character are being held back. */
    public boolean hasPending() {
        return utf8.pending();
    }

    private String take() {
        if (out.isEmpty()) {
            return "";
        }
        String s = out.toString();
        out.setLength(0);
        return s;
    }
}
