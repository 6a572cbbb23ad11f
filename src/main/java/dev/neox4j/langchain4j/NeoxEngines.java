package dev.neox4j.langchain4j;

import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineOptions;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The engines opened by the LangChain4j models, so that every model built from the same GGUF file shares one
 * loaded {@link Engine}: the weights are mapped once and all models' requests go through one scheduler
 * (continuous batching, one KV slot pool).
 *
 * <p>Engines are keyed by the file's real path ({@link Path#toRealPath}), so different spellings of the same
 * file (relative, through symbolic links) share. Each {@link #acquire} returns an {@link EngineLease}; the
 * engine is opened by the first acquisition and closed when the last lease is closed. An engine is opened
 * outside the lock, so a slow open of one file never blocks the others; concurrent acquirers of a file that is
 * being opened wait for that one open. The {@link EngineOptions} of the acquisition that opened the engine apply;
 * later acquisitions of the same file with different options get the already-open engine (a warning is logged).
 *
 * <p>Bounded: at most {@link #MAX_ENGINES} distinct files open at once, each entry existing only while leases on
 * it are held. Applications that manage their own engine pass it to the builders with {@code .engine(engine)}
 * instead; such engines are never put here. Thread-safe.
 */
public final class NeoxEngines {

    /** Distinct model files that may be open at once through this registry. */
    public static final int MAX_ENGINES = 8;

    private static final System.Logger LOG = System.getLogger(NeoxEngines.class.getName());
    private static final Map<Path, Entry> ENGINES = new HashMap<>(); // guarded by itself

    /** One open (or opening) engine and the leases held on it. */
    static final class Entry {
        final Path path;
        final CompletableFuture<Engine> engine = new CompletableFuture<>();
        int leases; // guarded by ENGINES

        Entry(Path path) {
            this.path = path;
        }
    }

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
     * @throws IOException                       when it cannot be read or opening it fails (also for acquirers
     *                                           that waited for a failed open)
     * @throws IllegalStateException             when {@link #MAX_ENGINES} other files are open
     * @throws IllegalArgumentException          when the file is not a usable GPT-NeoX model
     */
    public static EngineLease acquire(EngineOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        if (options.modelPath() == null) {
            throw new IllegalArgumentException("modelPath is required to share an engine");
        }
        Path key = options.modelPath().toRealPath();
        EngineOptions resolved = options.toBuilder().modelPath(key).build();
        Entry entry;
        boolean opener = false;
        synchronized (ENGINES) {
            entry = ENGINES.get(key);
            if (entry == null) {
                if (ENGINES.size() >= MAX_ENGINES) {
                    throw new IllegalStateException("at most " + MAX_ENGINES + " engines may be open at once ("
                            + ENGINES.keySet() + " are); close models you no longer use");
                }
                entry = new Entry(key);
                ENGINES.put(key, entry);
                opener = true;
            }
            entry.leases++;
        }
        if (opener) {
            try {
                entry.engine.complete(Engine.open(resolved));
            } catch (Throwable t) {
                synchronized (ENGINES) {
                    ENGINES.remove(key, entry);
                }
                entry.engine.completeExceptionally(t);
                throw t;
            }
            return new EngineLease(entry);
        }
        Engine engine = awaitOpen(entry);
        EngineOptions actual = engine.options();
        if (actual != null && !actual.equals(resolved)) {
            LOG.log(System.Logger.Level.WARNING, "engine for {0} is already open with {1}; ignoring {2}", key,
                    actual, resolved);
        }
        return new EngineLease(entry);
    }

    private static Engine awaitOpen(Entry entry) throws IOException {
        try {
            return entry.engine.get();
        } catch (InterruptedException e) {
            release(entry);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the engine of " + entry.path + " to open");
        } catch (ExecutionException e) {
            // the opener failed; its entry is gone and this acquirer holds nothing
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException("opening the engine of " + entry.path + " failed: " + cause.getMessage(), cause);
        }
    }

    /** Releases one lease; the last one closes the engine. */
    static void release(Entry entry) {
        boolean last;
        synchronized (ENGINES) {
            last = --entry.leases == 0;
            if (last) {
                ENGINES.remove(entry.path, entry);
            }
        }
        Engine engine = entry.engine.getNow(null);
        if (last && engine != null) {
            try {
                engine.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the engine of " + entry.path + " failed", e);
            }
        }
    }

    /** Number of engines currently open through this registry. */
    public static int openEngines() {
        synchronized (ENGINES) {
            return ENGINES.size();
        }
    }

    /** Leases currently held on the engine of {@code modelPath} (0 when it is not open here). */
    public static int references(Path modelPath) throws IOException {
        Path key = modelPath.toRealPath();
        synchronized (ENGINES) {
            Entry e = ENGINES.get(key);
            return e == null ? 0 : e.leases;
        }
    }
}
