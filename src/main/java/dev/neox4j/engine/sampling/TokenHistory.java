package dev.neox4j.engine.sampling;

import java.util.Arrays;

/**
 * The tokens one sequence has seen, as the penalties need them: every distinct token of prompt and output
 * (repetition penalty) and how often each token was generated (presence and frequency penalties).
 * Sized once for the vocabulary; recording a token is O(1).
 */
public final class TokenHistory {
    private final int vocab;
    /** Whether the token occurs in prompt or output; {@code [vocab]}. */
    private final boolean[] seen;
    /** Distinct tokens of prompt and output, in first-seen order; grows on demand. */
    private int[] seenList = new int[64];
    private int seenCount;
    /** How often each token was generated; {@code [vocab]}. */
    private final int[] generatedCount;
    /** Distinct generated tokens, in first-generated order; grows on demand. */
    private int[] generatedList = new int[64];
    private int generatedDistinct;
    private int generatedTotal;

    /** A history for a vocabulary of {@code vocab} tokens, starting with the prompt (ids out of range are ignored). */
    public TokenHistory(int vocab, int[] prompt) {
        this.vocab = vocab;
        this.seen = new boolean[vocab];
        this.generatedCount = new int[vocab];
        if (prompt != null) {
            for (int id : prompt) {
                markSeen(id);
            }
        }
    }

    /** Records a generated token. */
    public void addGenerated(int id) {
        if (id < 0 || id >= vocab) {
            return;
        }
        markSeen(id);
        if (generatedCount[id]++ == 0) {
            if (generatedDistinct == generatedList.length) {
                generatedList = Arrays.copyOf(generatedList, generatedList.length * 2);
            }
            generatedList[generatedDistinct++] = id;
        }
        generatedTotal++;
    }

    private void markSeen(int id) {
        if (id < 0 || id >= vocab || seen[id]) {
            return;
        }
        seen[id] = true;
        if (seenCount == seenList.length) {
            seenList = Arrays.copyOf(seenList, seenList.length * 2);
        }
        seenList[seenCount++] = id;
    }

    /** Number of distinct tokens in prompt and output. */
    public int seenCount() {
        return seenCount;
    }

    /** The {@code i}-th distinct token of prompt and output. */
    public int seenToken(int i) {
        return seenList[i];
    }

    /** Number of distinct generated tokens. */
    public int generatedDistinct() {
        return generatedDistinct;
    }

    /** The {@code i}-th distinct generated token. */
    public int generatedToken(int i) {
        return generatedList[i];
    }

    /** How often {@code id} was generated. */
    public int generatedCount(int id) {
        return id >= 0 && id < vocab ? generatedCount[id] : 0;
    }

    /** Number of generated tokens. */
    public int generatedTotal() {
        return generatedTotal;
    }
}
