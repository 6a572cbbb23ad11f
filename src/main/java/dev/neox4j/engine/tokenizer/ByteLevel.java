package dev.neox4j.engine.tokenizer;

/**
 * GPT-2's {@code bytes_to_unicode} table: every byte value is shown as one printable code point so that
 * byte-level BPE token texts are valid strings.
 *
 * <p>Bytes 0x21–0x7E, 0xA1–0xAC and 0xAE–0xFF map to the code point with the same value; the other 68 bytes
 * (0x00–0x20, 0x7F–0xA0, 0xAD), in increasing order, map to U+0100 … U+0143 (so a space becomes U+0120
 * {@code Ġ} and a newline U+010A {@code Ċ}).
 */
final class ByteLevel {

    /** Code point shown for each byte value (all below U+0144, so a {@code char} holds them). */
    private static final char[] BYTE_TO_CHAR = new char[256];

    /** Byte value of each code point below U+0144, or -1 when the code point stands for no byte. */
    private static final short[] CHAR_TO_BYTE = new short[0x144];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private ByteLevel() {
    }

    /** The code point that represents byte {@code b} (0..255) in token texts. */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a token-text code point stands for, or -1 if it is not one of the 256 mapped code points. */
    static int byteOf(int codePoint) {
        return codePoint >= 0 && codePoint < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[codePoint] : -1;
    }
}
