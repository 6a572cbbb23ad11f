package dev.neox4j.langchain4j;

import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The process-wide registry of engines opened by the LangChain4j models, so that every model built from the
 * same GGUF file shares one loaded {@link Engine}: the weights are mapped once and all models' requests go
 * through one scheduler (continuous batching, one KV slot pool).
 *
 * <p>Engines are keyed by the file's real path ({@link Path#toRealPath}), so different spellings of the same
 * file (relative, through symbolic links) share. Each {@link #acquire} returns an {@link EngineLease}; the
 * engine is opened by the first acquisition and closed when the last lease is closed. The
 * {@link EngineOptions} of the acquisition that opened the engine apply; later acquisitions of the same file
 * with different options get the already-open engine (a warning is logged).
 *
 * <p>This is the only global state of the package: a bounded registry (at most {@link #MAX_ENGINES} distinct
 * files open at once) whose entries exist only while leases on them are held. Applications that manage their
 * own engine pass it to the builders with {@code .engine(engine)} instead; such engines are never put here.
 * Thread-safe.
 */
public final class NeoxEngines {

    /** Distinct model files that may be open at once through this registry. */
    public static final int MAX_ENGINES = 8;

    private static final System.Logger LOG = System.getLogger(NeoxEngines.class.getName());
    private static final SharedRegistry<Path, Engine> REGISTRY = new SharedRegistry<>(MAX_ENGINES, "engine");

    private NeoxEngines() {
    }

    /** {@link #acquire(EngineOptions)} with {@link EngineOptions#defaults} for {@code modelPath}. */
    public static EngineLease acquire(Path modelPath) throws IOException {
        return acquire(EngineOptions.defaults(Objects.requireNonNull(modelPath, "modelPath")));
    }

    /**
     * Returns a lease on the engine serving {@code options.modelPath()}, opening it when no lease is held.
     *
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     * @throws IOException                       when it cannot be read or opening it fails
     * @throws IllegalStateException             when {@link #MAX_ENGINES} other files are open
     * @throws IllegalArgumentException          when the file is not a usable GPT-NeoX model
     */
    public static EngineLease acquire(EngineOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        if (options.modelPath() == null) {
            throw new IllegalArgumentException("modelPath is required to share an engine");
        }
        Path key = options.modelPath().toRealPath();
        EngineOptions resolved = withPath(options, key);
        SharedRegistry<Path, Engine>.Lease lease = REGISTRY.acquire(key, path -> Engine.open(resolved));
        Engine engine = lease.value();
        EngineOptions actual = engine.options();
        if (actual != null && !sameSettings(actual, resolved)) {
            LOG.log(System.Logger.Level.WARNING, "engine for {0} is already open with {1}; ignoring {2}", key,
                    actual, resolved);
        }
        return new EngineLease(lease);
    }

    /** Number of engines currently open through this registry. */
    public static int openEngines() {
        return REGISTRY.size();
    }

    /** Leases currently held on the engine of {@code modelPath} (0 when it is not open here). */
    public static int references(Path modelPath) throws IOException {
        return REGISTRY.references(modelPath.toRealPath());
    }

    private static EngineOptions withPath(EngineOptions o, Path path) {
        return new EngineOptions(path, o.threads(), o.contextLength(), o.maxSequences(), o.kvCacheType(),
                o.queueSize(), o.kernels(), o.prefillChunk(), o.requestTimeoutMillis(), o.quantize(), o.prefixCache(),
                o.prefixCacheMaxTokens());
    }

    private static boolean sameSettings(EngineOptions a, EngineOptions b) {
        return a.threads() == b.threads() && a.contextLength() == b.contextLength()
                && a.maxSequences() == b.maxSequences() && a.kvCacheType() == b.kvCacheType()
                && a.queueSize() == b.queueSize() && Objects.equals(a.kernels(), b.kernels())
                && a.quantize() == b.quantize()
                && a.prefillChunk() == b.prefillChunk() && a.requestTimeoutMillis() == b.requestTimeoutMillis();
    }
}
