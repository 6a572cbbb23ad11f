package dev.neox4j.engine.tokenizer;

/**
 * The character classes of llama.cpp's hand-written GPT-2 pre-tokenizer: letter ({@code \p{L}}), number
 * ({@code \p{N}}), whitespace (llama.cpp's own set, not {@link Character#isWhitespace}) and other (everything
 * else: punctuation, symbols, combining marks, controls, unassigned code points and U+FFFD).
 *
 * <p>Letters are the general categories Lu, Ll, Lt, Lm, Lo; numbers Nd, Nl, No (so {@code ½} is a number,
 * unlike {@link Character#isDigit}). The whitespace set is exactly U+0009–U+000D, U+0020, U+0085, U+00A0,
 * U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F and U+3000.
 */
final class CharClass {

    static final byte OTHER = 0;
    static final byte LETTER = 1;
    static final byte NUMBER = 2;
    static final byte WHITESPACE = 3;

    /** Class of every BMP code point, precomputed (64 KiB). */
    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int cp = 0; cp < 0x10000; cp++) {
            BMP[cp] = compute(cp);
        }
    }

    private CharClass() {
    }

    /** The class of a code point. */
    static byte of(int codePoint) {
        return codePoint < 0x10000 ? BMP[codePoint] : compute(codePoint);
    }

    /** The class of a BMP {@code char} (a lone surrogate is "other"). */
    static byte ofChar(char c) {
        return BMP[c];
    }

    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    private static byte compute(int cp) {
        if (isWhitespace(cp)) {
            return WHITESPACE;
        }
        if (UnicodeVersionGap.isUnassignedInLlamaCpp(cp)) {
            return OTHER;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }
}
