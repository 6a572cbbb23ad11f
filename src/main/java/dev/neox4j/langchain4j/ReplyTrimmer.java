package dev.neox4j.langchain4j;

/**
 * Streams a chat reply the way {@link dev.neox4j.engine.runtime.ChatTemplate#reply} trims the whole text:
 * leading whitespace (the space the model writes after {@code "Assistant:"}) is dropped, and whitespace is held
 * back until something other than whitespace follows it, so trailing whitespace is never streamed. The
 * concatenated output therefore equals {@code generated.strip()}. One instance per stream; not thread-safe
 * (called on the stream's delivery thread).
 */
final class ReplyTrimmer {

    private boolean started;
    private final StringBuilder pending = new StringBuilder();

    /** The text to emit for the next piece of generated text (possibly empty). */
    String next(String piece) {
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
