package dev.neox4j.ops;

import dev.neox4j.engine.runtime.EngineStats;
import dev.neox4j.engine.runtime.ModelInfo;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NeoxMetrics} on a real Prometheus registry: the exposed names are exactly the documented ones, counters
 * and histograms move with the observer callbacks, buckets land where the values fall, and gauges read the engine.
 */
class NeoxMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final NeoxMetrics metrics = new NeoxMetrics(registry);

    private PrometheusScrape scrape() {
        return PrometheusScrape.parse(registry.scrape());
    }

    @Test
    void exposedNamesAreTheDocumentedOnes() {
        metrics.bindGauges(Optional::empty);
        metrics.queued("completions");
        metrics.started("completions", 0.002, 7);
        metrics.firstToken("completions", 0.03);
        metrics.interToken("completions", 0.02);
        metrics.finished("completions", "success", 7, 3, 0.1);
        metrics.rejected("chat");
        metrics.requestFinished("completions", "success");
        PrometheusScrape s = scrape();

        for (String counter : List.of("neox_requests_total", "neox_choices_total", "neox_prompt_tokens_total", "neox_generation_tokens_total",
                "neox_scheduler_steps_total")) {
            assertTrue(s.has(counter), counter + " in " + s.names());
        }
        assertEquals("counter", s.type("neox_requests_total"));
        assertEquals("counter", s.type("neox_choices_total"));
        for (String histogram : List.of("neox_time_to_first_token_seconds", "neox_inter_token_latency_seconds",
                "neox_e2e_request_latency_seconds", "neox_queue_time_seconds", "neox_request_prompt_tokens",
                "neox_request_generation_tokens")) {
            assertEquals("histogram", s.type(histogram), histogram);
            for (String suffix : List.of("_bucket", "_count", "_sum")) {
                assertTrue(s.has(histogram + suffix), histogram + suffix + " in " + s.names());
            }
        }
        for (String gauge : List.of("neox_requests_running", "neox_requests_waiting", "neox_kv_cache_usage_ratio",
                "neox_kv_cache_slots_used", "neox_kv_cache_slots_total", "neox_kv_cache_tokens_used",
                "neox_kv_cache_tokens_capacity", "neox_worker_threads", "neox_model_load_seconds",
                "neox_model_mapped_bytes")) {
            assertEquals("gauge", s.type(gauge), gauge);
            assertTrue(s.has(gauge), gauge);
        }
        assertFalse(s.names().stream().anyMatch(n -> n.contains("tokens_tokens") || n.contains("seconds_seconds")),
                "no doubled units: " + s.names());
    }

    @Test
    void requestCountersMoveByOutcomeAndSource() {
        metrics.finished("completions", "success", 10, 4, 0.5);
        metrics.finished("completions", "success", 6, 2, 0.25);
        metrics.finished("chat", "cancelled", 3, 1, 0.1);
        metrics.finished("websocket", "error", 5, 0, 0.01);
        metrics.rejected("completions");
        metrics.rejected("completions");
        metrics.finished("completions", "bogus", 1, 0, 0.0);
        metrics.requestFinished("completions", "success");
        metrics.requestFinished("chat", "rejected");
        metrics.requestFinished("chat", "bogus");
        PrometheusScrape s = scrape();

        assertEquals(2, s.value("neox_choices_total", "source", "completions", "outcome", "success"));
        assertEquals(1, s.value("neox_choices_total", "source", "chat", "outcome", "cancelled"));
        assertEquals(1, s.value("neox_choices_total", "source", "websocket", "outcome", "error"));
        assertEquals(2, s.value("neox_choices_total", "source", "completions", "outcome", "rejected"));
        assertEquals(1, s.value("neox_choices_total", "source", "completions", "outcome", "error"),
                "an unknown outcome counts as an error");
        assertEquals(7, s.sum("neox_choices_total"));
        // requests are counted from requestFinished only, once per request whatever its n
        assertEquals(1, s.value("neox_requests_total", "source", "completions", "outcome", "success"));
        assertEquals(1, s.value("neox_requests_total", "source", "chat", "outcome", "rejected"));
        assertEquals(1, s.value("neox_requests_total", "source", "chat", "outcome", "error"));
        assertEquals(3, s.sum("neox_requests_total"));

        assertEquals(16 + 1, s.value("neox_prompt_tokens_total", "source", "completions"));
        assertEquals(3 + 5 + 16 + 1, s.sum("neox_prompt_tokens_total"));
        assertEquals(6, s.value("neox_generation_tokens_total", "source", "completions"));
        assertEquals(7, s.sum("neox_generation_tokens_total"));
    }

    @Test
    void histogramsCountIntoTheRightBuckets() {
        metrics.firstToken("completions", 0.004);   // between 2.5 ms and 5 ms
        metrics.firstToken("completions", 0.8);     // between 0.75 s and 1 s
        metrics.firstToken("completions", 200);     // beyond 120 s: only +Inf
        PrometheusScrape s = scrape();
        String h = "neox_time_to_first_token_seconds_bucket";
        assertEquals(0, s.value(h, "source", "completions", "le", "0.0025"));
        assertEquals(1, s.value(h, "source", "completions", "le", "0.005"));
        assertEquals(1, s.value(h, "source", "completions", "le", "0.75"));
        assertEquals(2, s.value(h, "source", "completions", "le", "1.0"));
        assertEquals(2, s.value(h, "source", "completions", "le", "120.0"));
        assertEquals(3, s.value(h, "source", "completions", "le", "+Inf"));
        assertEquals(3, s.value("neox_time_to_first_token_seconds_count", "source", "completions"));
        assertEquals(200.804, s.value("neox_time_to_first_token_seconds_sum", "source", "completions"), 1e-6);
        assertEquals(NeoxMetrics.LATENCY_BUCKETS_SECONDS.length + 1,
                s.samples(h).size(), "one bucket per boundary plus +Inf");

        metrics.finished("chat", "success", 300, 40, 2.0);
        s = scrape();
        assertEquals(0, s.value("neox_request_prompt_tokens_bucket", "source", "chat", "le", "200.0"));
        assertEquals(1, s.value("neox_request_prompt_tokens_bucket", "source", "chat", "le", "500.0"));
        assertEquals(1, s.value("neox_request_generation_tokens_bucket", "source", "chat", "le", "50.0"));
        assertEquals(0, s.value("neox_request_generation_tokens_bucket", "source", "chat", "le", "20.0"));
        assertEquals(1, s.value("neox_e2e_request_latency_seconds_count", "source", "chat"));
        assertEquals(2.0, s.value("neox_e2e_request_latency_seconds_sum", "source", "chat"), 1e-9);
    }

    @Test
    void queueAndInterTokenTimesAreRecordedInSeconds() {
        metrics.started("langchain4j", 1.5, 12);
        metrics.interToken("langchain4j", 0.04);
        metrics.interToken("langchain4j", 0.06);
        metrics.interToken("langchain4j", Double.NaN); // ignored, never corrupts the sum
        metrics.interToken("langchain4j", -1);         // ignored
        PrometheusScrape s = scrape();
        assertEquals(1, s.value("neox_queue_time_seconds_count", "source", "langchain4j"));
        assertEquals(1.5, s.value("neox_queue_time_seconds_sum", "source", "langchain4j"), 1e-9);
        assertEquals(2, s.value("neox_inter_token_latency_seconds_count", "source", "langchain4j"));
        assertEquals(0.1, s.value("neox_inter_token_latency_seconds_sum", "source", "langchain4j"), 1e-9);
        assertEquals(1, s.value("neox_inter_token_latency_seconds_bucket", "source", "langchain4j", "le", "0.05"));
    }

    @Test
    void gaugesReadTheEngineStatsAndZeroWithoutAnEngine() {
        AtomicReference<EngineStats> current = new AtomicReference<>();
        metrics.bindGauges(() -> Optional.ofNullable(current.get()));
        PrometheusScrape s = scrape();
        assertEquals(0, s.value("neox_requests_running"));
        assertEquals(0, s.value("neox_kv_cache_usage_ratio"));

        current.set(new EngineStats(3, 2, 4, 512, 8192, 6, 42, System.nanoTime(), 1500, 123_456_789L));
        s = scrape();
        assertEquals(3, s.value("neox_requests_waiting"));
        assertEquals(2, s.value("neox_requests_running"));
        assertEquals(2, s.value("neox_kv_cache_slots_used"));
        assertEquals(4, s.value("neox_kv_cache_slots_total"));
        assertEquals(512, s.value("neox_kv_cache_tokens_used"));
        assertEquals(8192, s.value("neox_kv_cache_tokens_capacity"));
        assertEquals(512.0 / 8192, s.value("neox_kv_cache_usage_ratio"), 1e-12);
        assertEquals(6, s.value("neox_worker_threads"));
        assertEquals(1.5, s.value("neox_model_load_seconds"), 1e-12);
        assertEquals(123_456_789L, s.value("neox_model_mapped_bytes"));
        assertEquals(42, s.value("neox_scheduler_steps_total"));
    }

    @Test
    void aFailingStatsSourceReadsAsZeroInsteadOfBreakingTheScrape() {
        metrics.bindGauges(() -> {
            throw new IllegalStateException("engine closed");
        });
        assertEquals(0, scrape().value("neox_requests_waiting"));
    }

    @Test
    void modelInfoIsPublishedAsLabels() {
        ModelInfo info = new ModelInfo("pythia-70m", "gptneox", "Pythia", null, 70_000_000L, "Q8_0", 2048, 2048,
                50304, 512, 6, 8, 75_000_000L, false);
        metrics.bindModelInfo(info, "my-model");
        assertEquals(1, scrape().value("neox_model_info", "model", "my-model", "quant_type", "Q8_0",
                "context_length", "2048", "architecture", "gptneox"));
    }
}
