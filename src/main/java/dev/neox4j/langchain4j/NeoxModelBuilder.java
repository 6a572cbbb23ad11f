package dev.neox4j.langchain4j;

import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.hub.HubSettings;
import dev.neox4j.hub.ModelResolver;

import dev.neox4j.engine.sampling.SamplingSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The settings every neox4j LangChain4j model shares: where the engine comes from, and the generation
 * defaults each request starts from (a chat request's {@code ChatRequestParameters} override them).
 *
 * <p>The engine comes from exactly one of:
 * <ul>
 *   <li>{@link #modelPath(Path)}: the GGUF file is opened through {@link NeoxEngines}, so all models built from
 *       the same file share one engine (weights mapped once, one scheduler); {@link #threads(int)} and
 *       {@link #contextLength(int)} apply when this model is the one that opens it. Closing the model releases
 *       its reference.</li>
 *   <li>{@link #engine(Engine)}: an engine the application owns (closing the model leaves it open).</li>
 *   <li>{@link #engineSupplier(Supplier)}: asked for the engine on every request (for engines that load in the
 *       background; the Quarkus beans use it).</li>
 * </ul>
 *
 * <p>Defaults when not set: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05 (llama.cpp's sampler defaults),
 * no repetition, presence or frequency penalty, a fresh seed per request, 256 new tokens, no stop strings, the
 * engine's time limit.
 *
 * @param <B> the concrete builder
 */
public abstract class NeoxModelBuilder<B extends NeoxModelBuilder<B>> {

    private Path modelPath;
    private String modelReference;
    private HubSettings hubSettings;
    private Engine engine;
    private Supplier<Engine> engineSupplier;
    private Integer threads;
    private Integer contextLength;
    private Double temperature;
    private Integer topK;
    private Double topP;
    private Double minP;
    private Double repetitionPenalty;
    private Double presencePenalty;
    private Double frequencyPenalty;
    private Long seed;
    private Integer maxTokens;
    private List<String> stop;
    private Duration timeout;

    NeoxModelBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The GGUF model file; models built from the same file share one engine. */
    public B modelPath(Path modelPath) {
        this.modelPath = modelPath;
        return self();
    }

    /**
     * The model by reference, resolved when the model is built: a local {@code .gguf} file or checkpoint
     * directory, {@code hf://OWNER/REPO[@REVISION]/FILE.gguf}, {@code hf://OWNER/REPO[@REVISION]:QUANT} or
     * {@code hf://OWNER/REPO[@REVISION]} (a transformers checkpoint). Hub models are downloaded into the Hugging
     * Face cache with the settings of the environment ({@code HF_ENDPOINT}, {@code HF_TOKEN},
     * {@code HF_HUB_OFFLINE}, {@code HF_HUB_CACHE}); see {@link ModelResolver}. Like {@link #modelPath(Path)},
     * models of the same resolved file share one engine.
     */
    public B model(String reference) {
        this.modelReference = reference;
        return self();
    }

    /** The Hub settings {@link #model(String)} uses (default: {@link HubSettings#fromEnvironment()}). */
    public B hubSettings(HubSettings hubSettings) {
        this.hubSettings = hubSettings;
        return self();
    }

    /** Uses an engine the application opened and will close. */
    public B engine(Engine engine) {
        this.engine = engine;
        return self();
    }

    /** Asks {@code engineSupplier} for the engine on every request (it may throw while no engine is ready). */
    public B engineSupplier(Supplier<Engine> engineSupplier) {
        this.engineSupplier = engineSupplier;
        return self();
    }

    /** Worker threads of the engine opened from {@link #modelPath} (default: all available processors). */
    public B threads(int threads) {
        this.threads = threads;
        return self();
    }

    /** KV positions per sequence of the engine opened from {@link #modelPath} (default: the model's). */
    public B contextLength(int contextLength) {
        this.contextLength = contextLength;
        return self();
    }

    /** Sampling temperature; 0 = greedy (default 0.8). */
    public B temperature(double temperature) {
        this.temperature = temperature;
        return self();
    }

    /** Keep the k most likely tokens; 0 = off (default 40). */
    public B topK(int topK) {
        this.topK = topK;
        return self();
    }

    /** Nucleus sampling mass in (0, 1]; 1 = off (default 0.95). */
    public B topP(double topP) {
        this.topP = topP;
        return self();
    }

    /** Drop tokens below minP times the top probability; 0 = off (default 0.05). */
    public B minP(double minP) {
        this.minP = minP;
        return self();
    }

    /** CTRL-style penalty on tokens already in prompt or output; 1 = off (default). */
    public B repetitionPenalty(double repetitionPenalty) {
        this.repetitionPenalty = repetitionPenalty;
        return self();
    }

    /** OpenAI presence penalty in [-2, 2]; 0 = off (default). */
    public B presencePenalty(double presencePenalty) {
        this.presencePenalty = presencePenalty;
        return self();
    }

    /** OpenAI frequency penalty in [-2, 2]; 0 = off (default). */
    public B frequencyPenalty(double frequencyPenalty) {
        this.frequencyPenalty = frequencyPenalty;
        return self();
    }

    /** Seed of every request's random generator, making sampling reproducible; {@code null} = fresh (default). */
    public B seed(Long seed) {
        this.seed = seed;
        return self();
    }

    /** Tokens to generate at most (default 256). */
    public B maxTokens(int maxTokens) {
        this.maxTokens = maxTokens;
        return self();
    }

    /** Stop strings: generation ends before the first of them, which is never part of the output. */
    public B stop(List<String> stop) {
        this.stop = stop == null ? null : List.copyOf(stop);
        return self();
    }

    /** Stop strings: generation ends before the first of them, which is never part of the output. */
    public B stop(String... stop) {
        return stop(Arrays.asList(stop));
    }

    /** Time limit of each request (default: the engine's); a request over it fails with a timeout. */
    public B timeout(Duration timeout) {
        this.timeout = timeout;
        return self();
    }

    /** The validated generation defaults. @throws IllegalArgumentException naming a bad value */
    GenerationSettings settings() {
        GenerationSettings d = GenerationSettings.DEFAULTS;
        SamplingSettings.Builder b = d.sampling().toBuilder().seed(seed);
        if (temperature != null) {
            b.temperature(temperature);
        }
        if (topK != null) {
            b.topK(topK);
        }
        if (topP != null) {
            b.topP(topP);
        }
        if (minP != null) {
            b.minP(minP);
        }
        if (repetitionPenalty != null) {
            b.repetitionPenalty(repetitionPenalty);
        }
        if (presencePenalty != null) {
            b.presencePenalty(presencePenalty);
        }
        if (frequencyPenalty != null) {
            b.frequencyPenalty(frequencyPenalty);
        }
        if (maxTokens != null) {
            b.maxTokens(maxTokens);
        }
        if (stop != null) {
            b.stop(stop);
        }
        return GenerationSettings.of(b, timeout == null ? d.timeoutMillis() : timeout.toMillis());
    }

    /**
     * Validates the settings and obtains the engine source (opening or sharing the engine for a model path).
     *
     * @throws IllegalArgumentException for a bad value or not exactly one engine source
     * @throws UncheckedIOException     when the model file cannot be opened
     */
    NeoxGenerator generator() {
        GenerationSettings settings = settings();
        int sources = (modelPath != null ? 1 : 0) + (modelReference != null ? 1 : 0) + (engine != null ? 1 : 0)
                + (engineSupplier != null ? 1 : 0);
        if (sources != 1) {
            throw new IllegalArgumentException("set exactly one of modelPath(...), model(...), engine(...) or "
                    + "engineSupplier(...), got " + sources);
        }
        if (modelPath == null && modelReference == null && (threads != null || contextLength != null)) {
            throw new IllegalArgumentException(
                    "threads and contextLength configure an engine opened from modelPath(...); "
                            + "set them on the engine you pass in instead");
        }
        if (threads != null && threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = all processors), got " + threads);
        }
        if (contextLength != null && contextLength < 0) {
            throw new IllegalArgumentException("contextLength must be >= 0 (0 = the model's), got " + contextLength);
        }
        EngineSource source;
        if (engine != null) {
            source = EngineSource.fixed(engine);
        } else if (engineSupplier != null) {
            source = EngineSource.lazy(engineSupplier);
        } else {
            Path path = modelPath != null ? modelPath
                    : resolve(modelReference, hubSettings != null ? hubSettings : HubSettings.fromEnvironment());
            EngineOptions options = EngineOptions.defaults(path);
            if (threads != null) {
                options = options.withThreads(threads);
            }
            if (contextLength != null) {
                options = options.withContextLength(contextLength);
            }
            try {
                source = EngineSource.leased(NeoxEngines.acquire(options));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open model " + path + ": " + e.getMessage(), e);
            }
        }
        return new NeoxGenerator(source, settings);
    }

    /** The local path of a model reference (downloading a Hub model into the cache). */
    private static Path resolve(String reference, HubSettings hub) {
        try (ModelResolver resolver = ModelResolver.create(hub)) {
            return resolver.resolve(reference);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve model " + reference + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{modelPath=" + modelPath + ", model=" + modelReference
                + ", engine=" + engine
                + ", engineSupplier=" + (engineSupplier != null) + "}";
    }
}
