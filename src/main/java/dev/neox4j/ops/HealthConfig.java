package dev.neox4j.ops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The {@code neox.health.*} keys (env {@code NEOX_HEALTH_*}) of the health checks. */
@ConfigMapping(prefix = "neox.health")
public interface HealthConfig {

    /**
     * How long requests may be pending (queued or running) without a scheduler step completing before
     * {@code /q/health/live} reports DOWN. Must be positive; generous, since one prefill step of a large model on a
     * busy CPU can take seconds.
     */
    @WithDefault("120s")
    Duration stallTimeout();
}
