package dev.neox4j.ops;

import dev.neox4j.engine.runtime.EngineStats;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The liveness rule on a fake clock: wedged only when work is pending and no step completes for the timeout. */
class SchedulerWatchdogTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final SchedulerWatchdog watchdog = new SchedulerWatchdog(Duration.ofSeconds(60), clock::get);

    private static EngineStats stats(int waiting, int running, long steps) {
        return new EngineStats(waiting, running, 4, 0, 8192, 2, steps, 0, 10, 1000);
    }

    private void advanceSeconds(long s) {
        clock.addAndGet(Duration.ofSeconds(s).toNanos());
    }

    @Test
    void pendingWorkWithoutStepsForLongerThanTheTimeoutIsWedged() {
        assertFalse(watchdog.check(stats(1, 1, 10)).wedged(), "first sight only starts the clock");
        advanceSeconds(30);
        SchedulerWatchdog.Verdict halfway = watchdog.check(stats(1, 1, 10));
        assertFalse(halfway.wedged());
        assertEquals(30, halfway.stalledSeconds(), 1e-9);
        advanceSeconds(31);
        SchedulerWatchdog.Verdict late = watchdog.check(stats(2, 1, 10));
        assertTrue(late.wedged(), "61 s without a step while work is pending");
        assertEquals(61, late.stalledSeconds(), 1e-9);
    }

    @Test
    void aStepResetsTheClock() {
        watchdog.check(stats(0, 1, 10));
        advanceSeconds(59);
        assertFalse(watchdog.check(stats(0, 1, 11)).wedged());
        advanceSeconds(59);
        assertFalse(watchdog.check(stats(0, 1, 11)).wedged(), "59 s since the last step");
        advanceSeconds(2);
        assertTrue(watchdog.check(stats(0, 1, 11)).wedged());
        advanceSeconds(1);
        assertFalse(watchdog.check(stats(0, 1, 12)).wedged(), "progress again: alive");
    }

    @Test
    void anIdleEngineIsNeverWedgedAndIdlenessRestartsTheClock() {
        watchdog.check(stats(0, 0, 5));
        advanceSeconds(3600);
        assertFalse(watchdog.check(stats(0, 0, 5)).wedged(), "idle for an hour");
        // A request arrives after the long idle period: the step counter has not moved, but that is no stall.
        assertFalse(watchdog.check(stats(1, 0, 5)).wedged());
        advanceSeconds(10);
        SchedulerWatchdog.Verdict v = watchdog.check(stats(0, 1, 5));
        assertFalse(v.wedged());
        assertEquals(10, v.stalledSeconds(), 1e-9);
    }

    @Test
    void aNonPositiveTimeoutIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SchedulerWatchdog(Duration.ZERO, clock::get));
        assertThrows(IllegalArgumentException.class, () -> new SchedulerWatchdog(Duration.ofSeconds(-1), clock::get));
    }
}
