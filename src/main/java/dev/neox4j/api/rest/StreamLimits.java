package dev.neox4j.api.rest;

import dev.neox4j.config.NeoxConfig;

import java.time.Duration;

/**
 * The validated {@code neox.stream.*} keys (the one place that checks them): how many bytes of events a streamed
 * request may buffer for a client that does not read, and how long it may then stay paused.
 *
 * @param maxBufferedBytes {@code neox.stream.max-buffered-bytes}, at least {@link #MIN_BUFFERED_BYTES}
 * @param stallTimeout     {@code neox.stream.stall-timeout}, positive
 */
public record StreamLimits(long maxBufferedBytes, Duration stallTimeout) {

    /** Smallest budget: a few events, so that a stream can always make progress. */
    public static final long MIN_BUFFERED_BYTES = 1024;

    public StreamLimits {
        if (maxBufferedBytes < MIN_BUFFERED_BYTES) {
            throw new IllegalArgumentException("neox.stream.max-buffered-bytes must be at least "
                    + MIN_BUFFERED_BYTES + " bytes, got " + maxBufferedBytes);
        }
        if (stallTimeout == null || stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("neox.stream.stall-timeout must be positive, got " + stallTimeout);
        }
    }

    /** The limits of {@code config}. */
    public static StreamLimits of(NeoxConfig.Stream config) {
        return new StreamLimits(config.maxBufferedBytes().asLongValue(), config.stallTimeout());
    }

    /** No limit: for streams not tied to a client (tests, tools). */
    public static StreamLimits unlimited() {
        return new StreamLimits(Long.MAX_VALUE, Duration.ofDays(365));
    }
}
