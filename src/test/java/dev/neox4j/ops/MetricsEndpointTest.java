package dev.neox4j.ops;

import dev.neox4j.api.ApiTestClient;
import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineStats;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.GenerationHandle;
import dev.neox4j.engine.runtime.QueueFullException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scrapes {@code /q/metrics} before and after real requests submitted straight into the engine (as every entry point
 * does) and checks that the documented series moved by exactly what the requests did; {@link MetricsApiRequestsTest}
 * does the same through the HTTP API.
 */
@QuarkusTest
class MetricsEndpointTest {

    @Inject
    EngineHolder holder;

    @BeforeEach
    void engineIsReady() throws InterruptedException {
        ApiTestClient.awaitReady(holder);
    }

    @Test
    void rejectedAndCancelledRequestsAreCounted() throws InterruptedException {
        Engine engine = holder.require();
        EngineStats stats = engine.stats();
        int longTokens = engine.modelInfo().contextLength() - 4;
        PrometheusScrape before = OpsTestSupport.scrape();

        List<GenerationHandle> handles = new ArrayList<>();
        List<OpsTestSupport.Recorder> recorders = new ArrayList<>();
        int rejected = 0;
        // More submissions than slots + queue: at least one must be refused.
        int attempts = stats.slotsTotal() + engine.options().queueSize() + 3;
        for (int i = 0; i < attempts; i++) {
            OpsTestSupport.Recorder r = new OpsTestSupport.Recorder(0);
            try {
                handles.add(engine.submit(EngineDrainTest.request(longTokens, "ops-metrics"), r));
                recorders.add(r);
            } catch (QueueFullException e) {
                rejected++;
            }
        }
        assertTrue(rejected >= 1, "the queue filled up");
        handles.forEach(GenerationHandle::cancel);
        int cancelled = 0;
        int succeeded = 0;
        int failed = 0;
        for (OpsTestSupport.Recorder r : recorders) {
            Completion c = r.awaitCompletion();
            if (c == null) {
                failed++;
            } else if (c.finishReason() == FinishReason.CANCELLED) {
                cancelled++;
            } else {
                succeeded++;
            }
        }
        assertTrue(cancelled >= 1, "cancelled requests");
        PrometheusScrape after = OpsTestSupport.scrape();
        assertEquals(rejected, PrometheusScrape.delta(before, after, "neox_requests_total", "source", "ops-metrics", "outcome", "rejected"));
        assertEquals(cancelled, PrometheusScrape.delta(before, after, "neox_requests_total", "source", "ops-metrics", "outcome", "cancelled"));
        assertEquals(succeeded, PrometheusScrape.delta(before, after, "neox_requests_total", "source", "ops-metrics", "outcome", "success"));
        assertEquals(failed, PrometheusScrape.delta(before, after, "neox_requests_total", "source", "ops-metrics", "outcome", "error"));
    }

    @Test
    void gaugesDescribeTheEngineAndMoveWithARunningRequest() throws InterruptedException {
        Engine engine = holder.require();
        EngineStats stats = engine.stats();
        PrometheusScrape idle = OpsTestSupport.scrape();
        assertEquals(stats.slotsTotal(), idle.value("neox_kv_cache_slots_total"));
        assertEquals(engine.options().maxSequences(), idle.value("neox_kv_cache_slots_total"));
        assertEquals(stats.threads(), idle.value("neox_worker_threads"));
        assertEquals(stats.kvTokensCapacity(), idle.value("neox_kv_cache_tokens_capacity"));
        assertEquals(engine.modelInfo().mappedBytes(), idle.value("neox_model_mapped_bytes"));
        assertTrue(idle.value("neox_model_mapped_bytes") > 0);
        assertTrue(idle.value("neox_model_load_seconds") > 0);
        assertEquals(1, idle.value("neox_model_info", "model", holder.modelId()));

        OpsTestSupport.Recorder slow = new OpsTestSupport.Recorder(5); // > 10 s: outlives the scrape
        GenerationHandle handle = engine.submit(
                EngineDrainTest.request(engine.modelInfo().contextLength() - 4, "ops-gauges"), slow);
        long deadline = System.nanoTime() + OpsTestSupport.HANG_GUARD.toNanos();
        while (slow.tokens.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        PrometheusScrape busy = OpsTestSupport.scrape();
        boolean stillRunning = !handle.isDone();
        handle.cancel();
        slow.awaitCompletion();
        assertTrue(stillRunning, "the request outlived the scrape");
        assertTrue(busy.value("neox_requests_running") >= 1);
        assertTrue(busy.value("neox_kv_cache_slots_used") >= 1);
        assertTrue(busy.value("neox_kv_cache_tokens_used") > 0);
        double ratio = busy.value("neox_kv_cache_usage_ratio");
        assertTrue(ratio > 0 && ratio <= 1, "usage ratio " + ratio);
        assertTrue(busy.value("neox_scheduler_steps_total") > idle.value("neox_scheduler_steps_total"));
    }
}
