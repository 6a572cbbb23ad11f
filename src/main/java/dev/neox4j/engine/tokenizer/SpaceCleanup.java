package dev.neox4j.engine.tokenizer;

/**
 * llama.cpp's {@code clean_spaces} post-processing of detokenized bytes (the equivalent of Hugging Face's
 * {@code clean_up_tokenization_spaces}, with llama.cpp's exact rules), three passes in place:
 * <ol>
 *   <li>drop a space directly before {@code ?}, {@code !}, {@code .} or {@code ,};</li>
 *   <li>{@code " ' "} (an apostrophe with a space on both sides) becomes {@code "'"}; the character after the
 *       removed second space is not treated as preceded by a space in this pass;</li>
 *   <li>drop a space before {@code 's}, {@code 'm}, {@code 're}, {@code 've} ({@code 't}, {@code 'd},
 *       {@code 'll} keep it).</li>
 * </ol>
 * Each pass looks at the output of the previous one. All characters involved are ASCII, so working on UTF-8
 * bytes never changes a multi-byte character.
 */
final class SpaceCleanup {

    private SpaceCleanup() {
    }

    /** Cleans {@code b[0, n)} in place; returns the new length. */
    static int apply(byte[] b, int n) {
        n = punctuation(b, n);
        n = lonelyApostrophe(b, n);
        return contractions(b, n);
    }

    private static int punctuation(byte[] b, int n) {
        if (n == 0) {
            return 0;
        }
        int w = 1;
        byte prev = b[0];
        for (int i = 1; i < n; i++) {
            byte x = b[i];
            if (prev == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                w--;
            }
            prev = x;
            b[w++] = x;
        }
        return w;
    }

    private static int lonelyApostrophe(byte[] b, int n) {
        if (n == 0) {
            return 0;
        }
        int w = 1;
        byte prev = b[0];
        for (int i = 1; i < n; i++) {
            byte x = b[i];
            if (x == '\'' && i + 1 < n && prev == ' ' && b[i + 1] == ' ') {
                w--;
                b[w++] = x;
                i++;          // skip the following space
                prev = 0;     // it no longer counts as a space before the next character
                continue;
            }
            prev = x;
            b[w++] = x;
        }
        return w;
    }

    private static int contractions(byte[] b, int n) {
        if (n == 0) {
            return 0;
        }
        int w = 1;
        byte prev = b[0];
        for (int i = 1; i < n; i++) {
            byte x = b[i];
            if (prev == ' ' && x == '\'' && i + 1 < n) {
                byte x1 = b[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    w--;
                } else if (x1 != 't' && x1 != 'd' && i + 2 < n) {
                    byte x2 = b[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
                        w--;
                    }
                }
            }
            prev = x;
            b[w++] = x;
        }
        return w;
    }
}
