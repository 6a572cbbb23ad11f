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
 * <p>To stay fast on long texts, one pass over the text finds every occurrence of every candidate (a bit filter on
 * the first two chars, then a walk down a trie of the candidate texts); the order-sensitive splitting is then
 * simulated on those occurrences. Texts without any candidate come back as a single fragment at once. If the
 * occurrences get too many (very long whitespace runs), the splitting falls back to llama.cpp's procedure
 * literally, one {@link String#indexOf(String, int, int)} pass per occurring candidate.
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
    /** Bit per first char of a candidate. */
    private final long[] firstCharFilter = new long[1024];
    /** Bit per hashed (first, second) char pair of candidates of length 2 or more. */
    private final long[] pairFilter = new long[1024];
    /** Bit per text of one-char candidates. */
    private final long[] singleFilter = new long[1024];

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
            if (t.length() == 1) {
                singleFilter[c0 >>> 6] |= 1L << c0;
            } else {
                int h = pairHash(c0, t.charAt(1));
                pairFilter[h >>> 6] |= 1L << h;
            }
        }
    }

    private static int pairHash(char c0, char c1) {
        return ((c0 << 5) ^ c1) & 0xFFFF;
    }

    /** Number of candidate tokens. */
    int size() {
        return ids.length;
    }

    /**
     * Partitions {@code text} (whose chars are {@code chars}) into raw fragments and tokens, in order.
     */
    void partition(String text, char[] chars, boolean parseSpecial, Sink sink) {
        partition(text, chars, parseSpecial, sink, 2L * chars.length + 4096);   // <= 16 bytes per char
    }

    /**
     * As {@link #partition(String, char[], boolean, Sink)}; at most {@code maxOccurrences} candidate occurrences
     * are recorded during the scan (long whitespace runs contain one occurrence per run length and start), beyond
     * that the splitting falls back to one {@code indexOf} pass per occurring candidate. Both give the same result.
     */
    void partition(String text, char[] chars, boolean parseSpecial, Sink sink, long maxOccurrences) {
        int n = chars.length;
        if (n == 0) {
            return;
        }
        if (ids.length == 0) {
            sink.raw(0, n);
            return;
        }
        // one scan: which candidates occur, and where (candidate ranks and positions, in position order)
        boolean[] occurs = null;
        int[] foundCand = null;
        int[] foundPos = null;
        int count = 0;
        boolean recording = true;
        long[] filter = firstCharFilter;
        long[] pairs = pairFilter;
        for (int i = 0; i < n; i++) {
            char c = chars[i];
            if ((filter[c >>> 6] & (1L << c)) == 0) {
                continue;
            }
            if ((singleFilter[c >>> 6] & (1L << c)) == 0) {
                if (i + 1 >= n) {
                    continue;
                }
                int h = pairHash(c, chars[i + 1]);
                if ((pairs[h >>> 6] & (1L << h)) == 0) {
                    continue;
                }
            }
            Node node = root.child(c);
            int j = i + 1;
            while (node != null) {
                int cand = node.candidate;
                if (cand >= 0 && (parseSpecial || !needsParseSpecial[cand])) {
                    if (occurs == null) {
                        occurs = new boolean[ids.length];
                        foundCand = new int[64];
                        foundPos = new int[64];
                    }
                    occurs[cand] = true;
                    if (recording) {
                        if (count == foundCand.length) {
                            if (count >= maxOccurrences) {
                                recording = false;
                                foundCand = null;
                                foundPos = null;
                            } else {
                                int cap = (int) Math.min(maxOccurrences, 2L * count);
                                foundCand = Arrays.copyOf(foundCand, cap);
                                foundPos = Arrays.copyOf(foundPos, cap);
                            }
                        }
                        if (recording) {
                            foundCand[count] = cand;
                            foundPos[count++] = i;
                        }
                    }
                }
                if (j >= n) {
                    break;
                }
                node = node.child(chars[j++]);
            }
        }
        if (occurs == null) {
            sink.raw(0, n);
        } else if (recording) {
            splitRecorded(foundCand, foundPos, count, n, sink);
        } else {
            splitByScanning(text, occurs, n, sink);
        }
    }

    /**
     * Applies the candidates in order using the recorded occurrences: for each candidate (ascending rank) take,
     * left to right, every occurrence that neither overlaps the previous one taken for it nor touches text already
     * claimed by an earlier candidate. That is exactly the leftmost non-overlapping search inside the remaining
     * raw fragments.
     */
    private void splitRecorded(int[] foundCand, int[] foundPos, int count, int n, Sink sink) {
        // bucket the positions by candidate rank (stable, so each bucket stays in position order)
        int[] start = new int[ids.length + 1];
        for (int k = 0; k < count; k++) {
            start[foundCand[k] + 1]++;
        }
        for (int c = 0; c < ids.length; c++) {
            start[c + 1] += start[c];
        }
        int[] fill = Arrays.copyOf(start, ids.length);
        int[] byCand = new int[count];
        for (int k = 0; k < count; k++) {
            byCand[fill[foundCand[k]]++] = foundPos[k];
        }
        long[] covered = new long[(n + 63) >>> 6];
        long[] taken = new long[Math.min(count, 16)];   // (position << 32 | rank) of accepted tokens
        int nTaken = 0;
        for (int cand = 0; cand < ids.length; cand++) {
            int len = texts[cand].length();
            int lastEnd = -1;
            for (int k = start[cand]; k < start[cand + 1]; k++) {
                int p = byCand[k];
                if (p < lastEnd || anySet(covered, p, p + len)) {
                    continue;
                }
                setRange(covered, p, p + len);
                lastEnd = p + len;
                if (nTaken == taken.length) {
                    taken = Arrays.copyOf(taken, taken.length * 2);
                }
                taken[nTaken++] = ((long) p << 32) | cand;
            }
        }
        Arrays.sort(taken, 0, nTaken);
        int pos = 0;
        for (int t = 0; t < nTaken; t++) {
            int p = (int) (taken[t] >>> 32);
            int cand = (int) taken[t];
            if (p > pos) {
                sink.raw(pos, p);
            }
            sink.token(ids[cand]);
            pos = p + texts[cand].length();
        }
        if (pos < n) {
            sink.raw(pos, n);
        }
    }

    private static boolean anySet(long[] bits, int from, int to) {
        for (int i = from; i < to; i++) {
            if ((bits[i >>> 6] & (1L << i)) != 0) {
                return true;
            }
        }
        return false;
    }

    private static void setRange(long[] bits, int from, int to) {
        for (int i = from; i < to; i++) {
            bits[i >>> 6] |= 1L << i;
        }
    }

    /** llama.cpp's procedure literally: per occurring candidate, split every raw fragment at its occurrences. */
    private void splitByScanning(String text, boolean[] occurs, int n, Sink sink) {
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
