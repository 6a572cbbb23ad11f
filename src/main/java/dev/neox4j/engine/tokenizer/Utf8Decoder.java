package dev.neox4j.engine.tokenizer;

/**
 * Incremental UTF-8 to UTF-16 decoder that never emits a partial character.
 *
 * <p>Ill-formed input is replaced with U+FFFD per "maximal subpart" (Unicode Standard §3.9 / Table 3-7, as in the
 * WHATWG Encoding Standard and Python's {@code errors="replace"}; the JDK's own decoder deviates in a few cases,
 * e.g. it gives one U+FFFD for the truncated surrogate prefix {@code ED BF} where the standard gives two): a byte
 * that cannot start a
 * sequence gives one U+FFFD; a valid but interrupted prefix gives one U+FFFD as soon as the interrupting byte
 * arrives, and that byte is then decoded afresh. Overlong forms, surrogates (ED A0..BF) and code points above
 * U+10FFFF are rejected at the byte where they become impossible. A prefix still incomplete at the end is held
 * back until {@link #finish(StringBuilder)}, which turns it into one U+FFFD.
 */
final class Utf8Decoder {

    private int need;      // continuation bytes still expected
    private int cp;        // code point bits so far
    private int lo = 0x80; // allowed range of the next continuation byte
    private int hi = 0xBF;

    /** Decodes one byte, appending any completed characters (or U+FFFD) to {@code out}. */
    void feed(int b, StringBuilder out) {
        b &= 0xFF;
        if (need > 0) {
            if (b >= lo && b <= hi) {
                cp = (cp << 6) | (b & 0x3F);
                lo = 0x80;
                hi = 0xBF;
                if (--need == 0) {
                    out.appendCodePoint(cp);
                }
                return;
            }
            out.append('\uFFFD');
            need = 0;
            lo = 0x80;
            hi = 0xBF;
            // fall through: b starts afresh
        }
        if (b < 0x80) {
            out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
            cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            cp = b & 0x0F;
            if (b == 0xE0) {
                lo = 0xA0;
            } else if (b == 0xED) {
                hi = 0x9F;
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            cp = b & 0x07;
            if (b == 0xF0) {
                lo = 0x90;
            } else if (b == 0xF4) {
                hi = 0x8F;
            }
        } else {
            out.append('\uFFFD');
        }
    }

    /** Decodes {@code bytes[from, to)}. */
    void feed(byte[] bytes, int from, int to, StringBuilder out) {
        for (int i = from; i < to; i++) {
            feed(bytes[i], out);
        }
    }

    /** Whether an incomplete sequence is being held back. */
    boolean pending() {
        return need > 0;
    }

    /** Ends the input: an incomplete sequence becomes one U+FFFD. */
    void finish(StringBuilder out) {
        if (need > 0) {
            out.append('\uFFFD');
            need = 0;
            lo = 0x80;
            hi = 0xBF;
        }
    }

    /** Decodes a complete byte array with replacement. */
    static String decode(byte[] bytes, int from, int to) {
        Utf8Decoder d = new Utf8Decoder();
        StringBuilder sb = new StringBuilder(to - from);
        d.feed(bytes, from, to, sb);
        d.finish(sb);
        return sb.toString();
    }
}
