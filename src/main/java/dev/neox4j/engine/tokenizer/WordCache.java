package dev.neox4j.engine.tokenizer;

/**
 * A bounded, thread-safe cache from pre-token (its UTF-16 chars) to BPE token ids: direct-mapped (one entry
 * per slot, a new word simply replaces the old one), lock-free.
 *
 * <p>Thread safety: entries are immutable objects whose fields are all final, published through a plain array
 * store. Under the Java memory model a reader that sees a reference to an entry also sees its final fields and
 * the arrays they point to fully initialised (JLS 17.5), so a racy read returns either {@code null}, an older
 * entry or the new one, never a half-built one; the key is compared before use.
 */
final class WordCache {

    /** Only words up to this many chars are cached (long runs are rare and would pin memory). */
    static final int MAX_WORD_CHARS = 64;

    private static final class Entry {
        final int hash;
        final char[] key;
        final int[] ids;

        Entry(int hash, char[] key, int[] ids) {
            this.hash = hash;
            this.key = key;
            this.ids = ids;
        }
    }

    private final Entry[] table;
    private final int mask;

    /** A cache of {@code 2^log2Slots} entries. */
    WordCache(int log2Slots) {
        table = new Entry[1 << log2Slots];
        mask = table.length - 1;
    }

    static int hash(char[] text, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + text[i];
        }
        return h ^ (h >>> 16);
    }

    /** The cached ids of {@code text[start, end)}, or null. The returned array must not be modified. */
    int[] get(char[] text, int start, int end, int hash) {
        Entry e = table[hash & mask];
        if (e == null || e.hash != hash) {
            return null;
        }
        char[] k = e.key;
        return java.util.Arrays.equals(k, 0, k.length, text, start, end) ? e.ids : null;
    }

    void put(char[] text, int start, int end, int hash, int[] ids) {
        char[] key = new char[end - start];
        System.arraycopy(text, start, key, 0, key.length);
        table[hash & mask] = new Entry(hash, key, ids);
    }
}
