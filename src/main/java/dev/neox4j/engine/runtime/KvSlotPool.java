package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxHParams;


/**
 * The bounded pool of KV cache slots: {@code slots} caches of {@code capacity} positions each, allocated once at
 * start-up outside the Java heap ({@link KvCache}; how many fit is {@link KvMemoryBudget}'s decision), committed
 * in the background once the engine is idle ({@link #backgroundCommitter}) and released
 * by {@link #close()}. A sequence holds one slot from admission until it finishes, fails or is cancelled; a released
 * slot keeps its cache's contents for the {@link PrefixCache}, which decides what a new owner reuses. Used by the
 * scheduler thread only (stats read volatile counters).
 */
final class KvSlotPool {
    /** One KV cache per slot; {@code [slots]}, each {@code 2 x layers x capacity x n_embd} elements. */
    private final KvCache[] caches;
    private final boolean[] inUse;
    private final int capacity;
    private volatile int used;

    KvSlotPool(NeoxHParams hp, int slots, int capacity, KvCache.ElementType type) {
        if (slots < 1) {
            throw new IllegalArgumentException("max-sequences must be at least 1, got " + slots);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("context length must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.caches = new KvCache[slots];
        this.inUse = new boolean[slots];
        try {
            for (int i = 0; i < slots; i++) {
                caches[i] = KvCache.forModel(hp, capacity, type);
            }
        } catch (OutOfMemoryError | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * A committer (not started) of every slot's memory in the background, slot by slot, while no slot is held
     * ({@link KvCommitter}).
     */
    KvCommitter backgroundCommitter() {
        long[] sizes = new long[caches.length];
        for (int i = 0; i < caches.length; i++) {
            sizes[i] = caches[i].byteSize();
        }
        return new KvCommitter(sizes, (slot, off, len) -> caches[slot].populate(off, len), () -> used > 0,
                KvCommitter.QUIET_NANOS, KvCommitter.POLL_MILLIS);
    }

    /** Releases every slot's native memory (after the scheduler stopped). */
    void close() {
        for (KvCache c : caches) {
            if (c != null) {
                c.close();
            }
        }
    }

    int slots() {
        return caches.length;
    }

    /** Positions per slot. */
    int capacity() {
        return capacity;
    }

    int used() {
        return used;
    }

    int available() {
        return caches.length - used;
    }

    /** Whether {@code slot} is held by a sequence. */
    boolean inUse(int slot) {
        return inUse[slot];
    }

    /** Takes the free slot {@code slot}; its cache keeps its contents (the caller sets its length). */
    void acquire(int slot) {
        if (inUse[slot]) {
            throw new IllegalStateException("KV slot " + slot + " is in use");
        }
        inUse[slot] = true;
        used++;
    }

    KvCache cache(int slot) {
        return caches[slot];
    }

    /** Returns a slot to the pool; releasing a slot twice is a bug and throws. */
    void release(int slot) {
        if (!inUse[slot]) {
            throw new IllegalStateException("KV slot " + slot + " released twice");
        }
        inUse[slot] = false;
        used--;
    }

    /** KV positions in use over all slots (scheduler thread). */
    long tokensUsed() {
        long n = 0;
        for (int i = 0; i < caches.length; i++) {
            if (inUse[i]) {
                n += caches[i].length();
            }
        }
        return n;
    }

    long tokensCapacity() {
        return (long) capacity * caches.length;
    }
}
