package dev.neox4j.engine.runtime;

/**
 * Streams a chat reply the way {@link ChatTemplate#reply} trims the whole text: leading whitespace (the space the
 * model writes after {@code "Assistant:"}) is dropped, and whitespace is held back until something other than
 * whitespace follows it, so trailing whitespace is never streamed. The concatenated output therefore equals
 * {@code reply(generated)}, in the REST chat stream, the WebSocket chat and the LangChain4j streaming chat model
 * alike. One instance per streamed reply ({@link ChatTemplate#replyTrimmer()}); not thread-safe.
 */
public final class ReplyTrimmer {

    private boolean started;
    private final StringBuilder pending = new StringBuilder();

    ReplyTrimmer() {
    }

    /** The text to emit for the next piece of generated text (possibly empty). */
    public String next(String piece) {
        String text = started ? piece : piece.stripLeading();
        if (text.isEmpty()) {
            return "";
        }
        started = true;
        pending.append(text);
        int end = pending.length();
        while (end > 0) {
            int cp = Character.codePointBefore(pending, end);
            if (!Character.isWhitespace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        String out = pending.substring(0, end);
        pending.delete(0, end);
        return out;
    }
}
