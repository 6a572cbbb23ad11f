package dev.neox4j.ops;

import dev.neox4j.engine.runtime.EngineObserver;
import dev.neox4j.engine.runtime.EngineStats;
import dev.neox4j.engine.runtime.ModelInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The engine's Prometheus metrics, named after vLLM's under a {@code neox_} prefix. As an {@link EngineObserver} it
 * records every request, whatever its entry point (label {@code source}); {@link #bindGauges} adds gauges that read
 * the scheduler's {@link EngineStats} at scrape time.
 *
 * <p>Micrometer names are dotted; the Prometheus registry turns {@code neox.requests} (a counter) into
 * {@code neox_requests_total} and a timer {@code neox.time.to.first.token} into
 * {@code neox_time_to_first_token_seconds} (with {@code _bucket}, {@code _count}, {@code _sum} and {@code _max}).
 * The names as exposed are listed in the README ("Metrics") and checked by the tests.
 */
public final class NeoxMetrics implements EngineObserver {

    /** Outcomes, the values of the {@code outcome} label of {@code neox_requests_total} and {@code neox_choices_total}. */
    public static final String SUCCESS = "success";
    public static final String ERROR = "error";
    public static final String CANCELLED = "cancelled";
    public static final String REJECTED = "rejected";

    /** Latency buckets in seconds, 1 ms .. 120 s: a decode step on a small model up to a long generation. */
    static final double[] LATENCY_BUCKETS_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2,
            0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120};

    /** Token-count buckets, 1 .. 100k, in a 1-2-5 series (as vLLM's). */
    static final double[] TOKEN_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000,
            50000, 100000};

    private static final Duration[] LATENCY_SLOS = Arrays.stream(LATENCY_BUCKETS_SECONDS)
            .mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> choices = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, SourceMeters> bySource = new ConcurrentHashMap<>();
    private volatile Supplier<Optional<EngineStats>> statsSource = Optional::empty;

    /** The per-source meters, created on first use of a source. */
    private record SourceMeters(Counter promptTokens, Counter generationTokens, Timer timeToFirstToken,
                                Timer interTokenLatency, Timer e2eLatency, Timer queueTime,
                                DistributionSummary requestPromptTokens, DistributionSummary requestGenerationTokens) {
    }

    public NeoxMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    // ---------------------------------------------------------------------------------------- observer callbacks

    @Override
    public void rejected(String source) {
        counter(choices, "neox.choices", CHOICES_DESCRIPTION, source, REJECTED).increment();
    }

    @Override
    public void requestFinished(String source, String outcome) {
        counter(requests, "neox.requests", REQUESTS_DESCRIPTION, source, outcome(outcome)).increment();
    }

    @Override
    public void started(String source, double queueSeconds, int promptTokens) {
        record(meters(source).queueTime(), queueSeconds);
    }

    @Override
    public void firstToken(String source, double seconds) {
        record(meters(source).timeToFirstToken(), seconds);
    }

    @Override
    public void interToken(String source, double seconds) {
        record(meters(source).interTokenLatency(), seconds);
    }

    @Override
    public void finished(String source, String outcome, int promptTokens, int generatedTokens, double e2eSeconds) {
        SourceMeters m = meters(source);
        counter(choices, "neox.choices", CHOICES_DESCRIPTION, source, outcome(outcome)).increment();
        if (promptTokens > 0) {
            m.promptTokens().increment(promptTokens);
        }
        if (generatedTokens > 0) {
            m.generationTokens().increment(generatedTokens);
        }
        m.requestPromptTokens().record(Math.max(0, promptTokens));
        m.requestGenerationTokens().record(Math.max(0, generatedTokens));
        record(m.e2eLatency(), e2eSeconds);
    }

    private static String outcome(String outcome) {
        return switch (outcome == null ? "" : outcome) {
            case SUCCESS, ERROR, CANCELLED, REJECTED -> outcome;
            default -> ERROR;
        };
    }

    private static void record(Timer timer, double seconds) {
        if (seconds >= 0 && Double.isFinite(seconds)) {
            timer.record(Math.round(seconds * 1e9), TimeUnit.NANOSECONDS);
        }
    }

    private static String source(String source) {
        return source == null || source.isBlank() ? "engine" : source;
    }

    private static final String REQUESTS_DESCRIPTION = "Client requests by outcome (success, error, cancelled, "
            + "rejected) and entry point; a request with n choices counts once";
    private static final String CHOICES_DESCRIPTION = "Sequences (choices of a request: n per prompt) by outcome "
            + "and entry point";

    private Counter counter(ConcurrentMap<String, Counter> counters, String name, String description, String source,
                            String outcome) {
        String s = source(source);
        return counters.computeIfAbsent(s + '\u0000' + outcome, k -> Counter.builder(name)
                .description(description)
                .tags("source", s, "outcome", outcome)
                .register(registry));
    }

    private SourceMeters meters(String source) {
        String s = source(source);
        return bySource.computeIfAbsent(s, k -> createMeters(Tags.of("source", k)));
    }

    private SourceMeters createMeters(Tags tags) {
        return new SourceMeters(
                Counter.builder("neox.prompt.tokens").description("Prompt tokens evaluated")
                        .baseUnit("tokens").tags(tags).register(registry),
                Counter.builder("neox.generation.tokens").description("Tokens generated")
                        .baseUnit("tokens").tags(tags).register(registry),
                latency("neox.time.to.first.token", "Time from submission to the first generated token", tags),
                latency("neox.inter.token.latency", "Time between two consecutive generated tokens of a request", tags),
                latency("neox.e2e.request.latency", "Time from submission to the end of a request", tags),
                latency("neox.queue.time", "Time a request waited for a KV slot", tags),
                tokens("neox.request.prompt.tokens", "Prompt length of finished requests", tags),
                tokens("neox.request.generation.tokens", "Generated length of finished requests", tags));
    }

    private Timer latency(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(LATENCY_SLOS)
                .register(registry);
    }

    private DistributionSummary tokens(String name, String description, Tags tags) {
        return DistributionSummary.builder(name).description(description).baseUnit("tokens").tags(tags)
                .serviceLevelObjectives(TOKEN_BUCKETS)
                .register(registry);
    }

    // ---------------------------------------------------------------------------------------------------- gauges

    /**
     * Registers the scheduler gauges. {@code stats} is read at scrape time and is empty while no engine is loaded
     * (the gauges then read 0).
     */
    public void bindGauges(Supplier<Optional<EngineStats>> stats) {
        this.statsSource = stats;
        gauge("neox.requests.running", "Sequences holding a KV slot (prefilling or decoding)", EngineStats::running);
        gauge("neox.requests.waiting", "Requests in the admission queue waiting for a KV slot", EngineStats::waiting);
        gauge("neox.kv.cache.usage.ratio", "KV positions in use / KV positions over all slots (0..1)",
                EngineStats::kvUsageRatio);
        gauge("neox.kv.cache.slots.used", "KV slots in use", EngineStats::running);
        gauge("neox.kv.cache.slots.total", "KV slots in the pool (neox.max-sequences)", EngineStats::slotsTotal);
        gauge("neox.kv.cache.tokens.used", "KV positions in use over all slots", EngineStats::kvTokensUsed);
        gauge("neox.kv.cache.tokens.capacity", "KV positions over all slots", EngineStats::kvTokensCapacity);
        gauge("neox.worker.threads", "Matmul worker threads", EngineStats::threads);
        gauge("neox.model.load.seconds", "Time taken to map, validate and warm up the model",
                s -> s.loadMillis() / 1000.0);
        gauge("neox.model.mapped.bytes", "Bytes of model weights memory-mapped", EngineStats::mappedBytes);
        FunctionCounter.builder("neox.scheduler.steps", this, m -> m.read(EngineStats::steps))
                .description("Scheduler steps run since the engine started").register(registry);
        FunctionCounter.builder("neox.prefix.cache.queries", this, m -> m.read(EngineStats::prefixCacheQueries))
                .description("Admitted requests that looked for a cached prompt prefix").register(registry);
        FunctionCounter.builder("neox.prefix.cache.hits", this, m -> m.read(EngineStats::prefixCacheHitTokens))
                .description("Prompt tokens taken from the prefix cache instead of being evaluated")
                .register(registry);
        gauge("neox.prefix.cache.tokens", "Prompt positions the prefix cache can reuse now, over all KV slots",
                EngineStats::prefixCacheTokens);
    }

    private void gauge(String name, String description, ToDoubleFunction<EngineStats> value) {
        Gauge.builder(name, this, m -> m.read(value)).description(description).strongReference(true)
                .register(registry);
    }

    private double read(ToDoubleFunction<EngineStats> value) {
        EngineStats stats = stats();
        return stats == null ? 0 : value.applyAsDouble(stats);
    }

    private EngineStats stats() {
        try {
            return statsSource.get().orElse(null);
        } catch (RuntimeException e) {
            return null; // an engine that is closing: report zeros rather than fail the scrape
        }
    }

    /**
     * Publishes {@code neox_model_info} (value 1) with the served model's id, quant type, context length and
     * architecture as labels, the Prometheus idiom for static facts.
     */
    public void bindModelInfo(ModelInfo info, String modelId) {
        Gauge.builder("neox.model.info", () -> 1)
                .description("The served model (value 1, facts in the labels)")
                .tags("model", modelId == null ? info.id() : modelId,
                        "quant_type", String.valueOf(info.quantType()),
                        "context_length", String.valueOf(info.contextLength()),
                        "architecture", String.valueOf(info.architecture()),
                        "demo", String.valueOf(info.demo()))
                .strongReference(true)
                .register(registry);
    }
}
