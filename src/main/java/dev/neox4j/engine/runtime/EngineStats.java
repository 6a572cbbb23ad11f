package dev.neox4j.engine.runtime;

/**
 * A snapshot of the scheduler for health checks and metrics.
 *
 * @param waiting          requests in the admission queue
 * @param running          sequences holding a KV slot
 * @param slotsTotal       KV slots in the pool
 * @param kvTokensUsed     KV positions in use over all slots
 * @param kvTokensCapacity KV positions over all slots
 * @param threads          worker threads
 * @param steps            scheduler steps run since start
 * @param lastStepNanos    {@link System#nanoTime()} at the end of the last step (0 before the first)
 * @param loadMillis       time taken to map, validate and warm up the model
 * @param mappedBytes      bytes of weights mapped
 * @param prefixCacheQueries   admissions that looked for a cached prompt prefix
 * @param prefixCacheHitTokens prompt tokens taken from the prefix cache instead of being evaluated, in all
 * @param prefixCacheTokens    prompt positions reusable now, over all KV slots
 */
public record EngineStats(int waiting, int running, int slotsTotal, long kvTokensUsed, long kvTokensCapacity,
                          int threads, long steps, long lastStepNanos, double loadMillis, long mappedBytes,
                          long prefixCacheQueries, long prefixCacheHitTokens, long prefixCacheTokens) {

    /** A snapshot without prefix-cache figures. */
    public EngineStats(int waiting, int running, int slotsTotal, long kvTokensUsed, long kvTokensCapacity,
                       int threads, long steps, long lastStepNanos, double loadMillis, long mappedBytes) {
        this(waiting, running, slotsTotal, kvTokensUsed, kvTokensCapacity, threads, steps, lastStepNanos, loadMillis,
                mappedBytes, 0, 0, 0);
    }

    public double kvUsageRatio() {
        return kvTokensCapacity == 0 ? 0 : (double) kvTokensUsed / kvTokensCapacity;
    }
}
