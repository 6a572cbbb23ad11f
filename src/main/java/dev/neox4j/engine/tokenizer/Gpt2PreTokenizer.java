package dev.neox4j.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The GPT-2 pre-tokenizer exactly as llama.cpp runs it ({@code unicode_regex_split_custom_gpt2}): a hand-written
 * equivalent of the regex
 * <pre>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</pre>
 * applied to one raw-text fragment (the text between special tokens). No regex engine is involved.
 *
 * <p>At each position, with {@code c} the current code point:
 * <ol>
 *   <li>{@code '} followed by {@code s t m d} gives a 2-char piece, by {@code re ve ll} a 3-char piece
 *       (case-sensitive);</li>
 *   <li>an optional single U+0020 followed by a maximal run of letters, or of numbers, or of "other"
 *       characters (see {@link CharClass});</li>
 *   <li>otherwise a whitespace run of length {@code w}: if {@code w > 1} and a character follows inside the
 *       fragment, the piece is the first {@code w-1} whitespace characters (the last one prefixes the next
 *       piece), else the whole run.</li>
 * </ol>
 * Positions are UTF-16 indexes into a {@code char[]}; the input must not contain lone surrogates (the
 * tokenizer replaces them with U+FFFD first).
 */
final class Gpt2PreTokenizer {

    /** Receives the pieces, in order, as {@code [start, end)} char ranges. */
    interface Sink {
        void piece(char[] text, int start, int end);
    }

    private Gpt2PreTokenizer() {
    }

    /** Splits {@code text[from, to)} into pieces, reported in order to {@code sink}. */
    static void split(char[] text, int from, int to, Sink sink) {
        int pos = from;
        while (pos < to) {
            char c = text[pos];
            // 's 't 're 've 'm 'll 'd
            if (c == '\'' && pos + 1 < to) {
                char n1 = text[pos + 1];
                if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') {
                    sink.piece(text, pos, pos + 2);
                    pos += 2;
                    continue;
                }
                if (pos + 2 < to) {
                    char n2 = text[pos + 2];
                    if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) {
                        sink.piece(text, pos, pos + 3);
                        pos += 3;
                        continue;
                    }
                }
            }
            int cls;
            int start = pos;
            int p;
            if (c == ' ') {
                p = pos + 1;
                cls = p < to ? classAt(text, p, to) : -1;
            } else {
                p = pos;
                cls = classAt(text, p, to);
            }
            if (cls == CharClass.LETTER || cls == CharClass.NUMBER || cls == CharClass.OTHER) {
                // optional space + maximal run of one class
                while (p < to) {
                    char ch = text[p];
                    int cp;
                    int len;
                    if (Character.isHighSurrogate(ch) && p + 1 < to && Character.isLowSurrogate(text[p + 1])) {
                        cp = Character.toCodePoint(ch, text[p + 1]);
                        len = 2;
                    } else {
                        cp = ch;
                        len = 1;
                    }
                    if (CharClass.of(cp) != cls) {
                        break;
                    }
                    p += len;
                }
                sink.piece(text, start, p);
                pos = p;
                continue;
            }
            // whitespace run (all whitespace code points are single UTF-16 chars)
            int w = 0;
            while (pos + w < to && CharClass.ofChar(text[pos + w]) == CharClass.WHITESPACE) {
                w++;
            }
            if (w > 1 && pos + w < to) {
                sink.piece(text, pos, pos + w - 1);
                pos += w - 1;
            } else if (w > 0) {
                sink.piece(text, pos, pos + w);
                pos += w;
            } else {
                // cannot happen for well-formed input; consume one code point so the loop always advances
                int len = Character.isHighSurrogate(c) && pos + 1 < to && Character.isLowSurrogate(text[pos + 1]) ? 2 : 1;
                sink.piece(text, pos, pos + len);
                pos += len;
            }
        }
    }

    /** Convenience for tests and tools: the pieces of {@code text} as strings. */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        char[] a = text.toCharArray();
        split(a, 0, a.length, (t, s, e) -> out.add(new String(t, s, e - s)));
        return out;
    }

    private static int classAt(char[] text, int p, int to) {
        char ch = text[p];
        if (Character.isHighSurrogate(ch) && p + 1 < to && Character.isLowSurrogate(text[p + 1])) {
            return CharClass.of(Character.toCodePoint(ch, text[p + 1]));
        }
        return CharClass.ofChar(ch);
    }
}
