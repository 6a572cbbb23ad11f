package dev.neox4j.engine.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * The tokens of one forward pass, possibly from several sequences: each entry is (KV cache of its sequence,
 * token id, whether its logits are wanted). Reusable: {@link #clear()} and fill again; the arrays grow on
 * demand and never shrink.
 *
 * <p>The position of a token is its cache's length plus the number of earlier tokens of the same cache in this
 * batch, so a sequence's tokens must be added in order. Tokens of different sequences may be interleaved
 * freely; the result for each token does not depend on what else is in the batch.
 */
public final class ForwardBatch {

    private KvCache[] caches;   // [capacity]
    private int[] tokens;       // [capacity]
    private int[] positions;    // [capacity]
    private int[] logitRows;    // [capacity] row in the logits output, or -1
    private boolean[] prompt;   // [capacity] a prompt token (true) or a generated one
    private ForwardObserver[] observers; // [capacity] or null while no entry has carried one
    private int size;
    private int logitCount;
    private int observedCount;

    /** An empty batch with room for 16 tokens (it grows as needed). */
    public ForwardBatch() {
        this(16);
    }

    /** An empty batch with room for {@code initialCapacity} tokens (it grows as needed). */
    public ForwardBatch(int initialCapacity) {
        int c = Math.max(1, initialCapacity);
        caches = new KvCache[c];
        tokens = new int[c];
        positions = new int[c];
        logitRows = new int[c];
        prompt = new boolean[c];
    }

    /** Removes all tokens. */
    public void clear() {
        Arrays.fill(caches, 0, size, null);
        if (observers != null) {
            Arrays.fill(observers, 0, size, null);
        }
        size = 0;
        logitCount = 0;
        observedCount = 0;
    }

    /**
     * Appends a generated token (not a prompt token) of the sequence owning {@code cache}; see
     * {@link #add(KvCache, int, boolean, boolean)}.
     */
    public int add(KvCache cache, int token, boolean wantLogits) {
        return add(cache, token, wantLogits, false);
    }

    /**
     * Appends a token of the sequence owning {@code cache}. Prompt tokens may be evaluated on a faster matmul path
     * whose rounding differs slightly from that of generated tokens (exact integer block sums, as llama.cpp); which
     * path a token takes depends only on this flag, never on the rest of the batch, so a sequence computes the same
     * alone or batched with others.
     *
     * @param prompt whether the token is part of the sequence's prompt (as opposed to a sampled token fed back)
     * @return the token's index in the batch
     * @throws IllegalArgumentException if the token's position would not fit in the cache
     */
    public int add(KvCache cache, int token, boolean wantLogits, boolean prompt) {
        return add(cache, token, wantLogits, prompt, null);
    }

    /**
     * {@link #add(KvCache, int, boolean, boolean)} with an observer that sees this token's residual stream and
     * attention probabilities during the forward pass ({@code null}: none). An observed token must want its logits
     * (so that the last block computes its row).
     */
    public int add(KvCache cache, int token, boolean wantLogits, boolean prompt, ForwardObserver observer) {
        Objects.requireNonNull(cache, "cache");
        if (observer != null && !wantLogits) {
            throw new IllegalArgumentException("an observed token must want its logits");
        }
        int pos = positionOf(cache, size);
        if (pos >= cache.capacity()) {
            throw new IllegalArgumentException("position " + pos + " does not fit in a KV cache of capacity "
                    + cache.capacity());
        }
        if (size == tokens.length) {
            int c = Math.max(8, Math.min(Integer.MAX_VALUE - 16, 2 * size));
            caches = Arrays.copyOf(caches, c);
            tokens = Arrays.copyOf(tokens, c);
            positions = Arrays.copyOf(positions, c);
            logitRows = Arrays.copyOf(logitRows, c);
            this.prompt = Arrays.copyOf(this.prompt, c);
            if (observers != null) {
                observers = Arrays.copyOf(observers, c);
            }
        }
        if (observer != null) {
            if (observers == null) {
                observers = new ForwardObserver[tokens.length];
            }
            observers[size] = observer;
            observedCount++;
        }
        caches[size] = cache;
        tokens[size] = token;
        positions[size] = pos;
        logitRows[size] = wantLogits ? logitCount++ : -1;
        this.prompt[size] = prompt;
        return size++;
    }

    /** Cache length plus the earlier tokens of {@code cache} among the first {@code upTo} entries. */
    private int positionOf(KvCache cache, int upTo) {
        for (int j = upTo - 1; j >= 0; j--) {
            if (caches[j] == cache) {
                return positions[j] + 1;
            }
        }
        return cache.length();
    }

    /**
     * Recomputes every position from the current cache lengths (a cache may have been truncated since the
     * tokens were added) and checks that each fits its cache.
     */
    void resolvePositions() {
        for (int i = 0; i < size; i++) {
            int pos = positionOf(caches[i], i);
            if (pos >= caches[i].capacity()) {
                throw new IllegalArgumentException("batch entry " + i + ": position " + pos
                        + " does not fit in a KV cache of capacity " + caches[i].capacity());
            }
            positions[i] = pos;
        }
    }

    /** Whether any entry carries a {@link ForwardObserver}. */
    public boolean observed() {
        return observedCount > 0;
    }

    /** The observer of entry {@code i}, or {@code null}. */
    public ForwardObserver observer(int i) {
        Objects.checkIndex(i, size);
        return observers == null ? null : observers[i];
    }

    /** Whether entry {@code i} was added as a prompt token. */
    public boolean isPrompt(int i) {
        Objects.checkIndex(i, size);
        return prompt[i];
    }

    /** Number of tokens. */
    public int size() {
        return size;
    }

    /** Whether the batch holds no tokens. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Number of tokens whose logits were requested (rows of the forward pass's result). */
    public int logitCount() {
        return logitCount;
    }

    /** The cache of entry {@code i}. */
    public KvCache cache(int i) {
        Objects.checkIndex(i, size);
        return caches[i];
    }

    /** The token id of entry {@code i}. */
    public int token(int i) {
        Objects.checkIndex(i, size);
        return tokens[i];
    }

    /** The position of entry {@code i} in its sequence (as of when it was added or last resolved). */
    public int position(int i) {
        Objects.checkIndex(i, size);
        return positions[i];
    }

    /** Whether entry {@code i} wants logits. */
    public boolean wantsLogits(int i) {
        Objects.checkIndex(i, size);
        return logitRows[i] >= 0;
    }

    /** The row of entry {@code i} in the logits returned by the forward pass, or -1. */
    public int logitRow(int i) {
        Objects.checkIndex(i, size);
        return logitRows[i];
    }
}
