package dev.neox4j.engine.tokenizer;

import java.util.Arrays;

/**
 * Byte-level BPE for one pre-token, with scratch buffers reused across the words of one encode call (not
 * thread-safe; one per call).
 *
 * <p>The word's UTF-8 bytes become symbols (one per byte, i.e. per byte-level code point), kept in a doubly
 * linked list. Every adjacent pair that has a merge rank goes into a binary min-heap keyed by
 * {@code (rank, left position)}, so the lowest rank is applied first and ties go to the leftmost pair — the
 * order of llama.cpp's {@code llm_tokenizer_bpe_session}. A popped entry is stale (skipped) when its pair no
 * longer has that rank because one side merged in the meantime; ranks identify a pair uniquely, so this is the
 * same test as llama.cpp's text comparison. After a merge the two new neighbour pairs are pushed. Cost
 * O(n log n) for a word of n bytes.
 *
 * <p>A single byte whose byte-level character is not a token (impossible for complete GPT-2 style vocabularies
 * and valid UTF-8 input) is dropped, as llama.cpp's fallback does.
 */
final class BpeSession {

    private static final int DEAD = -2;

    private final MergeTable merges;
    private final int[] byteToken;

    private byte[] utf8 = new byte[64];
    private int[] sym = new int[64];
    private int[] prev = new int[64];
    private int[] next = new int[64];
    private long[] heap = new long[128];
    private int heapSize;

    BpeSession(MergeTable merges, int[] byteToken) {
        this.merges = merges;
        this.byteToken = byteToken;
    }

    /** Appends the token ids of the pre-token {@code text[start, end)} to {@code out}. */
    void encode(char[] text, int start, int end, IntList out) {
        int n = toUtf8(text, start, end);
        if (n == 1) {
            int id = byteToken[utf8[0] & 0xFF];
            if (id >= 0) {
                out.add(id);
            }
            return;
        }
        if (sym.length < n) {
            int cap = Math.max(n, sym.length * 2);
            sym = new int[cap];
            prev = new int[cap];
            next = new int[cap];
        }
        int[] s = sym;
        for (int i = 0; i < n; i++) {
            s[i] = byteToken[utf8[i] & 0xFF];
            prev[i] = i - 1;
            next[i] = i + 1;
        }
        next[n - 1] = -1;
        heapSize = 0;
        for (int i = 0; i + 1 < n; i++) {
            pushPair(i, i + 1);
        }
        while (heapSize > 0) {
            long top = pop();
            int rank = (int) (top >>> 32);
            int left = (int) top;
            int idL = s[left];
            if (idL < 0) {
                continue;
            }
            int right = next[left];
            if (right < 0) {
                continue;
            }
            int idR = s[right];
            if (idR < 0 || merges.rank(idL, idR) != rank) {
                continue;
            }
            s[left] = merges.result(rank);
            s[right] = DEAD;
            int after = next[right];
            next[left] = after;
            if (after >= 0) {
                prev[after] = left;
            }
            if (prev[left] >= 0) {
                pushPair(prev[left], left);
            }
            if (after >= 0) {
                pushPair(left, after);
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            if (s[i] >= 0) {
                out.add(s[i]);
            }
        }
    }

    private void pushPair(int left, int right) {
        int a = sym[left];
        int b = sym[right];
        if (a < 0 || b < 0) {
            return;
        }
        int rank = merges.rank(a, b);
        if (rank < 0) {
            return;
        }
        push(((long) rank << 32) | left);
    }

    private void push(long v) {
        if (heapSize == heap.length) {
            heap = Arrays.copyOf(heap, heap.length * 2);
        }
        long[] h = heap;
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            long pv = h[parent];
            if (pv <= v) {
                break;
            }
            h[i] = pv;
            i = parent;
        }
        h[i] = v;
    }

    private long pop() {
        long[] h = heap;
        long top = h[0];
        long last = h[--heapSize];
        int n = heapSize;
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && h[child + 1] < h[child]) {
                child++;
            }
            if (h[child] >= last) {
                break;
            }
            h[i] = h[child];
            i = child;
        }
        if (n > 0) {
            h[i] = last;
        }
        return top;
    }

    /** Encodes {@code text[start, end)} (no lone surrogates) as UTF-8 into {@link #utf8}; returns the length. */
    private int toUtf8(char[] text, int start, int end) {
        int max = (end - start) * 3;
        if (utf8.length < max) {
            utf8 = new byte[Math.max(max, utf8.length * 2)];
        }
        byte[] b = utf8;
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = text[i];
            if (c < 0x80) {
                b[n++] = (byte) c;
            } else if (c < 0x800) {
                b[n++] = (byte) (0xC0 | (c >> 6));
                b[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text[i + 1])) {
                int cp = Character.toCodePoint(c, text[++i]);
                b[n++] = (byte) (0xF0 | (cp >> 18));
                b[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                b[n++] = (byte) (0xE0 | (c >> 12));
                b[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return n;
    }
}
