package dev.neox4j.engine.tokenizer;

import java.util.SplittableRandom;

/**
 * Seeded generator of awkward Unicode text for property tests: runs of spaces and mixed whitespace, ASCII words
 * and contractions (any case), digits and other numbers, punctuation, Latin-1 and accented letters, combining
 * marks, CJK, Hangul, Cyrillic, Arabic, Devanagari, emoji and ZWJ sequences, supplementary-plane characters,
 * zero-width and control characters including U+0000, noncharacters, U+FFFD and special-token texts. Never emits
 * lone surrogates.
 */
final class RandomText {

    private static final String[] SNIPPETS = {
            "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'RE", "'Ve", "'lL", "' ", " ' ", "''",
            "<|endoftext|>", "<|padding|>", "<|endoftext", "[PAD50300]", "[PAD50277]",
            "👨‍👩‍👧‍👦", "🏳️‍🌈", "😶‍🌫️", "🦙", "✅", "1️⃣", "🇫🇷",
            "e\u0301", "a\u0308\u0304", "\u200d", "\u200c", "\u200b", "\ufeff",
            "\r\n", "\n\n", "\t\t", " \n ", "  \t", "\u00a0\u00a0", "\u3000",
            "½", "²", "Ⅻ", "٣", "१२", "①",
            "...", "!=", "->", "::", "??", "?!", " .", " ,", " ?", " !",
            "3333", "1,000.50", "0x1F",
    };

    private static final String PUNCT = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'";

    private final SplittableRandom rnd;

    RandomText(long seed) {
        rnd = new SplittableRandom(seed);
    }

    /** A string of about {@code maxPieces} random pieces. */
    String next(int maxPieces) {
        StringBuilder sb = new StringBuilder();
        int pieces = rnd.nextInt(maxPieces + 1);
        for (int i = 0; i < pieces; i++) {
            appendPiece(sb);
        }
        return sb.toString();
    }

    private void appendPiece(StringBuilder sb) {
        switch (rnd.nextInt(22)) {
            case 0, 1, 2 -> word(sb, 'a', 26);
            case 3 -> word(sb, 'A', 26);
            case 4 -> sb.repeat(' ', 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 40 : 4));
            case 5 -> sb.append(" \t\n\r\u000b\f".charAt(rnd.nextInt(6)));
            case 6 -> word(sb, '0', 10);
            case 7 -> sb.append(PUNCT.charAt(rnd.nextInt(PUNCT.length())));
            case 8 -> sb.append(SNIPPETS[rnd.nextInt(SNIPPETS.length)]);
            case 9 -> sb.appendCodePoint(0xA0 + rnd.nextInt(0x250 - 0xA0));        // Latin-1, Latin Ext
            case 10 -> sb.appendCodePoint(0x300 + rnd.nextInt(0x70));              // combining marks
            case 11 -> sb.appendCodePoint(0x4E00 + rnd.nextInt(0x5000));           // CJK
            case 12 -> sb.appendCodePoint(0xAC00 + rnd.nextInt(0x2BA4));           // Hangul
            case 13 -> sb.appendCodePoint(0x400 + rnd.nextInt(0x100));             // Cyrillic
            case 14 -> sb.appendCodePoint(0x600 + rnd.nextInt(0x100));             // Arabic
            case 15 -> sb.appendCodePoint(0x900 + rnd.nextInt(0x80));              // Devanagari
            case 16 -> sb.appendCodePoint(0x1F300 + rnd.nextInt(0x300));           // emoji
            case 17 -> sb.appendCodePoint(rnd.nextInt(0x20));                      // C0 controls incl. U+0000
            case 18 -> sb.appendCodePoint(0x2000 + rnd.nextInt(0x70));             // general punctuation/spaces
            case 19 -> sb.appendCodePoint(0x10000 + rnd.nextInt(0x10FFFF - 0xFFFF)); // any supplementary
            case 20 -> sb.appendCodePoint(new int[] {0xFFFD, 0xFFFE, 0xFFFF, 0xFDD0, 0x7F, 0x85, 0xAD}[rnd.nextInt(7)]);
            default -> sb.appendCodePoint(rnd.nextInt(0xD800));                    // any BMP below surrogates
        }
    }

    private void word(StringBuilder sb, char base, int range) {
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            sb.append((char) (base + rnd.nextInt(range)));
        }
    }
}
