package dev.neox4j.engine.tokenizer;

import java.util.Arrays;

/**
 * BPE merge ranks keyed by the pair of token ids {@code (left, right)}: an open-addressing hash table of
 * primitive longs (no boxing), read-only after construction. The rank of a merge is its index in
 * {@code tokenizer.ggml.merges}; the id of the merged token is kept per rank.
 */
final class MergeTable {

    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int mask;
    private final int[] resultByRank;
    private int size;

    MergeTable(int rankCount) {
        int cap = Integer.highestOneBit(Math.max(4, rankCount * 2 - 1)) << 1;
        keys = new long[cap];
        Arrays.fill(keys, EMPTY);
        ranks = new int[cap];
        mask = cap - 1;
        resultByRank = new int[Math.max(0, rankCount)];
        Arrays.fill(resultByRank, -1);
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /**
     * Adds a merge; returns false (and keeps the first) if the pair already has a rank, as llama.cpp's
     * {@code emplace} does.
     */
    boolean put(int left, int right, int rank, int result) {
        long k = key(left, right);
        int i = slot(k);
        while (keys[i] != EMPTY) {
            if (keys[i] == k) {
                return false;
            }
            i = (i + 1) & mask;
        }
        keys[i] = k;
        ranks[i] = rank;
        resultByRank[rank] = result;
        size++;
        return true;
    }

    /** The rank of merging {@code left} with {@code right}, or -1. */
    int rank(int left, int right) {
        long k = key(left, right);
        int i = slot(k);
        long[] ks = keys;
        while (true) {
            long cur = ks[i];
            if (cur == k) {
                return ranks[i];
            }
            if (cur == EMPTY) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    /** The id of the token produced by the merge of rank {@code rank}. */
    int result(int rank) {
        return resultByRank[rank];
    }

    /** Number of usable merges. */
    int size() {
        return size;
    }
}
