package dev.neox4j.ops;

import dev.neox4j.engine.runtime.EngineStats;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Decides whether the scheduler is wedged, from successive {@link EngineStats} snapshots: it is wedged when work is
 * queued or running and the step counter has not moved for longer than the stall timeout. An idle engine is never
 * wedged, however long ago its last step was, and the clock restarts whenever a step completes or the engine is
 * seen idle, so a request that arrives after an hour of silence is not mistaken for a stall.
 *
 * <p>The liveness probe calls {@link #check} periodically; the first call that sees pending work only starts the
 * clock. Thread-safe.
 */
public final class SchedulerWatchdog {

    /**
     * The watchdog's conclusion.
     *
     * @param wedged         whether work has been pending without progress for longer than the timeout
     * @param stalledSeconds how long work has been pending without a step (0 when idle or progressing)
     */
    public record Verdict(boolean wedged, double stalledSeconds) {
    }

    private final long stallTimeoutNanos;
    private final LongSupplier nanoClock;
    private long lastSteps = Long.MIN_VALUE;
    private long progressNanos;

    /**
     * @param stallTimeout how long pending work may see no scheduler step before the scheduler counts as wedged;
     *                     must be positive
     * @param nanoClock    a monotonic clock in nanoseconds ({@code System::nanoTime} in production)
     */
    public SchedulerWatchdog(Duration stallTimeout, LongSupplier nanoClock) {
        if (stallTimeout == null || stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stall timeout must be positive, got " + stallTimeout);
        }
        this.stallTimeoutNanos = stallTimeout.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Looks at a fresh snapshot and says whether the scheduler is wedged. */
    public synchronized Verdict check(EngineStats stats) {
        long now = nanoClock.getAsLong();
        boolean pending = stats.waiting() > 0 || stats.running() > 0;
        if (!pending || stats.steps() != lastSteps) {
            lastSteps = stats.steps();
            progressNanos = now;
            return new Verdict(false, 0);
        }
        long stalled = now - progressNanos;
        return new Verdict(stalled > stallTimeoutNanos, stalled / 1e9);
    }

    /** The configured stall timeout. */
    public Duration stallTimeout() {
        return Duration.ofNanos(stallTimeoutNanos);
    }
}
