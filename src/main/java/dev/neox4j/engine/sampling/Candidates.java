package dev.neox4j.engine.sampling;

import java.util.Arrays;

/**
 * The candidate tokens of one position: parallel arrays of token ids and (transformed) logits, reused for every
 * position of a sequence so that sampling allocates nothing per token.
 *
 * <p>After {@link #load} the candidates are the whole vocabulary in id order ({@link #isIdentity()}), so processors
 * that work on specific ids (penalties, logit bias) can address them directly. Filters reorder and shrink the list;
 * {@link #sortTop(int)} moves the {@code m} most likely candidates to the front in descending order by partial
 * selection (not a full sort). Order between equal logits is always by lower id, so every operation is
 * deterministic.
 */
public final class Candidates {
    private final int capacity;
    /** Token id per candidate position; {@code [capacity]}. */
    private final int[] ids;
    /** Logit per candidate position; {@code [capacity]}. */
    private final float[] logits;
    /** Sort keys built by {@link #sortTop}; {@code [capacity]}, allocated on first use. */
    private long[] keys;
    private int size;
    private boolean identity;
    /** The first {@code sortedPrefix} candidates are the most likely ones, in descending order. */
    private int sortedPrefix;

    /** A buffer for rows of {@code vocab} logits. */
    public Candidates(int vocab) {
        if (vocab <= 0) {
            throw new IllegalArgumentException("vocabulary size must be positive: " + vocab);
        }
        this.capacity = vocab;
        this.ids = new int[vocab];
        this.logits = new float[vocab];
    }

    /** Vocabulary size (rows handed to {@link #load} have this many logits). */
    public int vocab() {
        return capacity;
    }

    /**
     * Makes every token of the vocabulary a candidate with its logit from {@code row[offset .. offset+vocab)}.
     * NaN logits become negative infinity (never chosen unless everything is NaN).
     */
    public void load(float[] row, int offset) {
        if (offset < 0 || offset + capacity > row.length) {
            throw new IllegalArgumentException("logit row [" + offset + ", " + (offset + capacity)
                    + ") out of bounds for an array of " + row.length);
        }
        for (int i = 0; i < capacity; i++) {
            float v = row[offset + i];
            ids[i] = i;
            logits[i] = v != v ? Float.NEGATIVE_INFINITY : v;
        }
        size = capacity;
        identity = true;
        sortedPrefix = 0;
    }

    public int size() {
        return size;
    }

    public int id(int i) {
        return ids[i];
    }

    public float logit(int i) {
        return logits[i];
    }

    public void setLogit(int i, float value) {
        logits[i] = value != value ? Float.NEGATIVE_INFINITY : value;
        sortedPrefix = 0;
    }

    /** Multiplies every candidate's logit by {@code factor} (order is preserved for positive factors). */
    public void scale(float factor) {
        for (int i = 0; i < size; i++) {
            logits[i] *= factor;
        }
        if (!(factor > 0)) {
            sortedPrefix = 0;
        }
    }

    /** Divides every candidate's logit by {@code divisor} (order is preserved for positive divisors). */
    public void divide(float divisor) {
        for (int i = 0; i < size; i++) {
            logits[i] /= divisor;
        }
        if (!(divisor > 0)) {
            sortedPrefix = 0;
        }
    }

    /** Whether position {@code i} holds token {@code i} for every candidate (true right after {@link #load}). */
    public boolean isIdentity() {
        return identity;
    }

    /** Whether the candidates are in descending logit order (ties by lower id). */
    public boolean isSorted() {
        return sortedPrefix >= size;
    }

    /** Number of leading candidates known to be the most likely ones in descending order. */
    public int sortedPrefix() {
        return sortedPrefix;
    }

    /** Position of token {@code id}, or -1 when it is no longer a candidate. */
    public int indexOf(int id) {
        if (identity) {
            return id >= 0 && id < size ? id : -1;
        }
        for (int i = 0; i < size; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    /** The largest logit among the candidates. */
    public float maxLogit() {
        if (sortedPrefix > 0) {
            return logits[0];
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            if (logits[i] > max) {
                max = logits[i];
            }
        }
        return max;
    }

    /** Position of the most likely candidate (ties: lower id). */
    public int argmax() {
        if (sortedPrefix > 0) {
            return 0;
        }
        int best = 0;
        for (int i = 1; i < size; i++) {
            float v = logits[i];
            if (v > logits[best] || (v == logits[best] && ids[i] < ids[best])) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Moves the {@code m} most likely candidates to positions {@code [0, m)} in descending order (ties by lower id),
     * by partial selection: O(size + m log m). The remaining candidates keep no particular order.
     */
    public void sortTop(int m) {
        m = Math.min(m, size);
        if (m <= sortedPrefix) {
            return;
        }
        if (keys == null) {
            keys = new long[capacity];
        }
        for (int i = 0; i < size; i++) {
            keys[i] = key(logits[i], ids[i]);
        }
        if (m < size) {
            select(keys, 0, size - 1, m);
        }
        Arrays.sort(keys, 0, m);
        for (int i = 0; i < size; i++) {
            long k = keys[i];
            ids[i] = (int) k;
            logits[i] = logitOf(k);
        }
        identity = false;
        sortedPrefix = m;
    }

    /** Keeps the first {@code n} candidates (call after {@link #sortTop} with at least {@code n}). */
    public void truncate(int n) {
        if (n < 1 || n > size) {
            throw new IllegalArgumentException("cannot keep " + n + " of " + size + " candidates");
        }
        if (n < size) {
            if (sortedPrefix < n) {
                throw new IllegalStateException("truncate(" + n + ") needs the first " + n + " candidates sorted");
            }
            size = n;
            identity = false;
            sortedPrefix = n;
        }
    }

    /** Removes the candidates whose logit is below {@code threshold}, preserving order; keeps at least the best. */
    public void keepAtLeast(float threshold) {
        int best = argmax();
        int out = 0;
        int prefixKept = 0;
        for (int i = 0; i < size; i++) {
            if (logits[i] >= threshold || i == best) {
                ids[out] = ids[i];
                logits[out] = logits[i];
                out++;
                if (i < sortedPrefix) {
                    prefixKept++;
                }
            }
        }
        if (out < size) {
            // a threshold removes the least likely first, so the survivors of the sorted prefix stay the top ones
            size = out;
            identity = false;
            sortedPrefix = prefixKept;
        }
    }

    /** Sort key: ascending key order = descending logit, then ascending id. */
    static long key(float logit, int id) {
        int bits = Float.floatToIntBits(logit);
        int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~sortable << 32) | (id & 0xffffffffL);
    }

    static float logitOf(long key) {
        int sortable = ~(int) (key >> 32);
        int bits = sortable ^ ((sortable >> 31) & 0x7fffffff);
        return Float.intBitsToFloat(bits);
    }

    /** Quickselect: after the call the {@code m} smallest keys of {@code a[lo..hi]} are in {@code a[lo .. lo+m)}. */
    private static void select(long[] a, int lo, int hi, int m) {
        int k = lo + m - 1; // index of the m-th smallest
        while (hi > lo) {
            int mid = (lo + hi) >>> 1;
            // median of three as pivot, placed at hi
            if (a[mid] < a[lo]) {
                swap(a, mid, lo);
            }
            if (a[hi] < a[lo]) {
                swap(a, hi, lo);
            }
            if (a[mid] < a[hi]) {
                swap(a, mid, hi);
            }
            long pivot = a[hi];
            int store = lo;
            for (int i = lo; i < hi; i++) {
                if (a[i] < pivot) {
                    swap(a, i, store++);
                }
            }
            swap(a, store, hi);
            if (store == k) {
                return;
            } else if (store < k) {
                lo = store + 1;
            } else {
                hi = store - 1;
            }
        }
    }

    private static void swap(long[] a, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
