package dev.neox4j.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Splits text on special and added tokens before pre-tokenization, exactly like llama.cpp's
 * {@code tokenizer_st_partition}.
 *
 * <p>Candidates are the CONTROL, USER_DEFINED and UNKNOWN tokens, ordered by the UTF-8 byte length of their
 * text, longest first (ties: lower id first; llama.cpp's sort leaves that order unspecified). USER_DEFINED
 * tokens always take part; CONTROL and UNKNOWN ones only when special-token parsing is on. Candidates are
 * applied one after another: each splits every still-raw fragment at its leftmost non-overlapping occurrences.
 * Matching is exact; on valid UTF-16 it equals llama.cpp's byte-exact matching on UTF-8.
 *
 * <p>To stay fast on long texts, one pass over the text with a trie of all candidate texts first finds which
 * candidates occur at all; only those run the (order-sensitive) splitting, each scanning with
 * {@link String#indexOf(String, int, int)}. Texts without any candidate come back as a single fragment.
 */
final class SpecialTokenSplitter {

    /** Receives the fragments in text order. */
    interface Sink {
        /** Raw text {@code [start, end)} (never empty), to be pre-tokenized. */
        void raw(int start, int end);

        /** A token decided by the partition. */
        void token(int id);
    }

    private static final class Node {
        char[] keys = new char[0];
        Node[] kids = new Node[0];
        int candidate = -1;

        Node child(char c) {
            char[] k = keys;
            for (int i = 0; i < k.length; i++) {
                if (k[i] == c) {
                    return kids[i];
                }
            }
            return null;
        }

        Node childOrCreate(char c) {
            Node n = child(c);
            if (n == null) {
                n = new Node();
                keys = Arrays.copyOf(keys, keys.length + 1);
                kids = Arrays.copyOf(kids, kids.length + 1);
                keys[keys.length - 1] = c;
                kids[kids.length - 1] = n;
            }
            return n;
        }
    }

    private final int[] ids;
    private final String[] texts;
    private final boolean[] needsParseSpecial;
    private final Node root = new Node();
    private final long[] firstCharFilter = new long[1024];

    /**
     * @param tokenIds          ids of all candidate tokens (CONTROL, USER_DEFINED or UNKNOWN)
     * @param tokenTexts        their texts, by the same index; never empty
     * @param controlOrUnknown  whether each is CONTROL/UNKNOWN (used only with special-token parsing)
     */
    SpecialTokenSplitter(int[] tokenIds, String[] tokenTexts, boolean[] controlOrUnknown) {
        int n = tokenIds.length;
        Integer[] order = new Integer[n];
        int[] byteLen = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            byteLen[i] = tokenTexts[i].getBytes(StandardCharsets.UTF_8).length;
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> -byteLen[i]).thenComparingInt(i -> tokenIds[i]));
        ids = new int[n];
        texts = new String[n];
        needsParseSpecial = new boolean[n];
        for (int r = 0; r < n; r++) {
            int i = order[r];
            ids[r] = tokenIds[i];
            texts[r] = tokenTexts[i];
            needsParseSpecial[r] = controlOrUnknown[i];
            Node node = root;
            String t = tokenTexts[i];
            for (int k = 0; k < t.length(); k++) {
                node = node.childOrCreate(t.charAt(k));
            }
            node.candidate = r;
            char c0 = t.charAt(0);
            firstCharFilter[c0 >>> 6] |= 1L << c0;
        }
    }

    /** Number of candidate tokens. */
    int size() {
        return ids.length;
    }

    /**
     * Partitions {@code text} (whose chars are {@code chars}) into raw fragments and tokens, in order.
     */
    void partition(String text, char[] chars, boolean parseSpecial, Sink sink) {
        int n = chars.length;
        if (n == 0) {
            return;
        }
        boolean[] occurs = null;
        if (ids.length > 0) {
            long[] filter = firstCharFilter;
            for (int i = 0; i < n; i++) {
                char c = chars[i];
                if ((filter[c >>> 6] & (1L << c)) == 0) {
                    continue;
                }
                Node node = root.child(c);
                int j = i + 1;
                while (node != null) {
                    int cand = node.candidate;
                    if (cand >= 0 && (parseSpecial || !needsParseSpecial[cand])) {
                        if (occurs == null) {
                            occurs = new boolean[ids.length];
                        }
                        occurs[cand] = true;
                    }
                    if (j >= n) {
                        break;
                    }
                    node = node.child(chars[j++]);
                }
            }
        }
        if (occurs == null) {
            sink.raw(0, n);
            return;
        }
        // fragment list: start, end, token id (-1 = raw text)
        List<int[]> frags = new ArrayList<>();
        frags.add(new int[] {0, n, -1});
        for (int c = 0; c < ids.length; c++) {
            if (!occurs[c]) {
                continue;
            }
            String tok = texts[c];
            int len = tok.length();
            List<int[]> out = new ArrayList<>(frags.size() + 8);
            for (int[] f : frags) {
                if (f[2] >= 0) {
                    out.add(f);
                    continue;
                }
                int from = f[0];
                int end = f[1];
                while (from < end) {
                    int m = text.indexOf(tok, from, end);
                    if (m < 0) {
                        break;
                    }
                    if (m > from) {
                        out.add(new int[] {from, m, -1});
                    }
                    out.add(new int[] {m, m + len, ids[c]});
                    from = m + len;
                }
                if (from < end) {
                    out.add(new int[] {from, end, -1});
                }
            }
            frags = out;
        }
        for (int[] f : frags) {
            if (f[2] >= 0) {
                sink.token(f[2]);
            } else {
                sink.raw(f[0], f[1]);
            }
        }
    }
}
