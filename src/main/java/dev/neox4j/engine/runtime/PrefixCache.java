package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.KvCache;

/**
 * Automatic prefix caching over the slot-based KV cache: a new sequence whose prompt starts with tokens whose KV a
 * slot already holds starts its prefill after them.
 *
 * <p>Structure: per slot, the token ids of its leading positions that were computed <em>on the prompt path</em>
 * ({@link #reusable}); positions a generated token wrote are never counted, since generated tokens take another
 * matmul path and their KV is not bit-identical to a prefill of the same tokens, and neither are the positions of a
 * prompt fed like generated tokens (its last token, or all of a short prompt: {@link Sequence#promptPathEnd}); a new
 * sequence reuses only positions its own prompt evaluates on the prompt path. A finished sequence's slot keeps its
 * KV (it is only overwritten when the slot is taken again). On admission the longest common prefix is looked up over
 * every slot, idle or running (a running sequence's prompt positions are final once computed); the matching rows are
 * copied ({@link KvCache#copyPrefixFrom}) into the least valuable free slot (empty, else least recently used), or the
 * new sequence takes the matching slot itself when it is free and that loses no more retained positions (reuse in
 * place, nothing copied). At least the
 * last prompt token is always evaluated (its logits choose the first token; it is fed like a generated token, so
 * an exact repeat costs one decode step), and a sequence that needs the logits of
 * every prompt position (echo with logprobs, an observer) reuses nothing. Idle slots keep at most {@code maxTokens}
 * positions in all; past it the least recently used are dropped. A sequence that fails leaves its slot with nothing
 * reusable; one cancelled keeps only the positions of forward passes that completed.
 *
 * <p>Exact: a reused position holds the same bits a cold prefill writes, because the forward pass computes every
 * row independently of the others in its batch and chunk, so a hit gives the same tokens and logprobs as a cold run.
 * Scheduler thread only; the counters are read by other threads.
 */
final class PrefixCache {
    /** A sequence waits for a running one's prefill when they share at least this many prompt tokens. */
    static final int MIN_SHARED_TO_WAIT = 16;

    private final KvSlotPool pool;
    private final boolean enabled;
    private final long maxTokens;
    /** Per slot, the token ids of its positions; the first {@link #reusable} are valid. */
    private final int[][] tokens;
    private final int[] reusable;
    private final long[] lastUse;
    private long tick;
    private volatile long queries;
    private volatile long hitTokens;
    private volatile long cachedTokens;

    PrefixCache(KvSlotPool pool, boolean enabled, long maxTokens) {
        this.pool = pool;
        this.enabled = enabled;
        this.maxTokens = maxTokens > 0 ? maxTokens : pool.tokensCapacity();
        this.tokens = new int[pool.slots()][];
        this.reusable = new int[pool.slots()];
        this.lastUse = new long[pool.slots()];
    }

    /**
     * Gives {@code s} a free slot, with as much of its prompt as can be reused already in the slot's KV cache.
     *
     * @return the slot, whose cache now holds {@code reused} positions; {@code s.cached} tells how many
     */
    int admit(Sequence s) {
        int limit = enabled && !s.needsEveryPromptRow() ? s.promptPathEnd : 0;
        int source = -1;
        int best = 0;
        for (int slot = 0; slot < reusable.length && limit > 0; slot++) {
            int n = commonPrefix(slot, s.prompt, limit);
            if (n > best || (n == best && n > 0 && !pool.inUse(slot))) {
                best = n;
                source = slot;
            }
        }
        int slot = leastValuableFreeSlot(source);
        if (source >= 0 && !pool.inUse(source)
                && (slot == source || reusable[slot] >= reusable[source] - best)) {
            slot = source; // in place: overwriting the source's unmatched tail loses no more than another slot
        }
        pool.acquire(slot);
        KvCache cache = pool.cache(slot);
        if (best > 0 && slot != source) {
            cache.copyPrefixFrom(pool.cache(source), best);
            ensureTokens(slot);
            System.arraycopy(tokens[source], 0, tokens[slot], 0, best);
        } else {
            cache.truncate(Math.min(best, cache.length()));
        }
        reusable[slot] = best;
        if (enabled) {
            queries++;
            hitTokens += best;
        }
        s.cached = best;
        updateGauge();
        return slot;
    }

    /** Whether {@code s} should wait for {@code leader}'s prefill, which is computing a prompt prefix they share. */
    boolean worthWaiting(Sequence s, Sequence leader) {
        if (!enabled || s.needsEveryPromptRow() || !leader.prefilling() || leader.needsEveryPromptRow()) {
            return false;
        }
        int shared = 0;
        int max = Math.min(s.promptPathEnd, leader.promptPathEnd);
        while (shared < max && s.prompt[shared] == leader.prompt[shared]) {
            shared++;
        }
        return shared >= MIN_SHARED_TO_WAIT && shared > leader.fed;
    }

    /** Positions {@code [.., to)} of the prompt in {@code slot} are now computed (a forward pass completed). */
    void promptComputed(int slot, int[] prompt, int to) {
        if (!enabled) {
            return;
        }
        ensureTokens(slot);
        int from = reusable[slot];
        if (to > from) {
            System.arraycopy(prompt, from, tokens[slot], from, to - from);
            reusable[slot] = to;
            updateGauge();
        }
    }

    /** The slot's sequence ended; with {@code keep} false (it failed) nothing of its KV is reused. */
    void released(int slot, boolean keep) {
        lastUse[slot] = ++tick;
        if (!keep || !enabled) {
            reusable[slot] = 0;
        }
        long idle = 0;
        for (int i = 0; i < reusable.length; i++) {
            idle += pool.inUse(i) ? 0 : reusable[i];
        }
        while (idle > maxTokens) {
            int lru = -1;
            for (int i = 0; i < reusable.length; i++) {
                if (!pool.inUse(i) && reusable[i] > 0 && (lru < 0 || lastUse[i] < lastUse[lru])) {
                    lru = i;
                }
            }
            idle -= reusable[lru];
            reusable[lru] = 0;
        }
        updateGauge();
    }

    long queries() {
        return queries;
    }

    long hitTokens() {
        return hitTokens;
    }

    /** Prompt positions reusable now, over all slots. */
    long cachedTokens() {
        return cachedTokens;
    }

    private int commonPrefix(int slot, int[] prompt, int limit) {
        int n = Math.min(reusable[slot], limit);
        int[] t = tokens[slot];
        int i = 0;
        while (i < n && t[i] == prompt[i]) {
            i++;
        }
        return i;
    }

    /** The free slot whose retained positions are worth least (empty, else least recently used), avoiding one. */
    private int leastValuableFreeSlot(int avoid) {
        int pick = -1;
        for (int i = 0; i < reusable.length; i++) {
            if (pool.inUse(i) || (i == avoid && pool.available() > 1)) {
                continue;
            }
            if (pick < 0 || (reusable[i] == 0 && reusable[pick] > 0)
                    || (reusable[i] > 0 == reusable[pick] > 0 && lastUse[i] < lastUse[pick])) {
                pick = i;
            }
        }
        if (pick < 0) {
            throw new IllegalStateException("no free KV slot");
        }
        return pick;
    }

    private void ensureTokens(int slot) {
        if (tokens[slot] == null) {
            tokens[slot] = new int[pool.capacity()];
        }
    }

    private void updateGauge() {
        long n = 0;
        for (int r : reusable) {
            n += r;
        }
        cachedTokens = n;
    }
}
