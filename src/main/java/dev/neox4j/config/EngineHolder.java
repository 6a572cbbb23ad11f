package dev.neox4j.config;

import dev.neox4j.cli.NeoxMain;
import dev.neox4j.engine.gguf.GgufFormatException;
import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.engine.runtime.ModelInfo;
import dev.neox4j.hub.ModelReference;
import dev.neox4j.hub.ModelResolver;
import io.quarkus.runtime.annotations.CommandLineArguments;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Owns the one {@link Engine} of the service. At start-up it loads the model on its own thread, so HTTP (health,
 * metrics) is up at once while the API answers 503 until the model is ready. If the model cannot be loaded it logs
 * one ERROR line naming the file and the defect and exits the process with status 1 (unless
 * {@code neox.exit-on-load-failure} is off, as in the dev and test profiles).
 * {@link #drain()} stops admitting work for a graceful shutdown. A Hub reference ({@code hf://...}) is first
 * resolved to a local path (downloaded into the Hugging Face cache if needed) while the state is {@code LOADING}.
 * When the application runs a command ({@code quarkus-run.jar pull ...}) it loads nothing.
 */
@ApplicationScoped
public class EngineHolder {

    /** Life cycle of the engine. */
    public enum State {
        /** The model is being mapped, validated and warmed up; the API answers 503. */
        LOADING,
        /** Serving. */
        READY,
        /** Shutting down: running requests finish, new ones get 503. */
        DRAINING,
        /** The model could not be loaded; the API answers 503 (in production the process exits). */
        FAILED
    }

    private static final Logger LOG = Logger.getLogger(EngineHolder.class);
    /** How long the process may take to shut down after a load failure before it is forced to exit. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(5);

    private final NeoxConfig config;
    private final ChatTemplate chatTemplate;
    private final Object lock = new Object();
    private volatile State state = State.LOADING;
    private volatile Engine engine;
    private volatile Throwable failure;
    private volatile boolean closed;
    private volatile boolean stopped;
    private volatile double loadMillis;
    private boolean started;
    private boolean drained;
    private final List<Consumer<Engine>> readyCallbacks = new ArrayList<>();
    private final boolean commandRun;

    /** A holder that loads the model of {@code config} when started (as the server does). */
    public EngineHolder(NeoxConfig config) {
        this(config, new String[0]);
    }

    /** The application's holder; {@code args} are the command-line arguments (a command loads nothing). */
    @Inject
    public EngineHolder(NeoxConfig config, @CommandLineArguments String[] args) {
        this.config = config;
        this.chatTemplate = EngineOptionsFactory.chatTemplate(config.chat());
        this.commandRun = NeoxMain.isCommand(args);
    }

    /** The chat template of {@code neox.chat.*}, used by the chat endpoint and the WebSocket. */
    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    /** The configuration. */
    public NeoxConfig config() {
        return config;
    }

    void onStart(@Observes StartupEvent event) {
        if (commandRun) {
            // a command (pull, convert, ...) runs beside a server: it loads no served model
            return;
        }
        start();
    }

    /** Starts loading the engine on the {@code neox-engine-loader} thread (once; later calls do nothing). */
    public void start() {
        synchronized (lock) {
            if (started) {
                return;
            }
            started = true;
        }
        Thread.ofPlatform().name("neox-engine-loader").daemon(true).start(this::load);
    }

    private void load() {
        long t0 = System.nanoTime();
        EngineOptions options;
        try {
            options = EngineOptionsFactory.from(config, resolveModel());
        } catch (IllegalArgumentException e) {
            fail(e, "the configuration");
            return;
        } catch (IOException e) {
            fail(e, "model " + config.model().orElse(""));
            return;
        }
        LOG.infof("Loading %s (threads=%d, context-length=%d, max-sequences=%d, kv-cache-type=%s, kernels=%s)",
                options.modelPath() == null ? "the built-in demo model" : "model " + options.modelPath(),
                options.threads(), options.contextLength(), options.maxSequences(),
                options.kvCacheType().name().toLowerCase(java.util.Locale.ROOT), options.kernels());
        Engine opened;
        try {
            opened = Engine.open(options);
        } catch (Throwable e) {
            fail(e, options.modelPath() == null ? "the built-in demo model" : "model " + options.modelPath());
            return;
        }
        List<Consumer<Engine>> callbacks;
        synchronized (lock) {
            if (closed || state == State.DRAINING) {
                opened.close();
                return;
            }
            engine = opened;
            callbacks = List.copyOf(readyCallbacks);
            readyCallbacks.clear();
        }
        // observers (metrics, ...) are attached before the first request can arrive
        for (Consumer<Engine> callback : callbacks) {
            runCallback(callback, opened);
        }
        synchronized (lock) {
            loadMillis = (System.nanoTime() - t0) / 1e6;
            if (state == State.LOADING) {
                state = State.READY;
            }
        }
        ModelInfo info = opened.modelInfo();
        // (the demo model announces itself, once, with how to serve a real model)
        LOG.infof("Model %s ready in %.0f ms: %s, %,d parameters, %s, context %d%s", modelId(), loadMillis,
                info.architecture(), info.parameterCount(), info.quantType(), info.contextLength(),
                info.demo() ? " (demo)" : "");
    }

    /**
     * The local path of {@code neox.model}: a Hub reference is downloaded into the cache first (or found there);
     * {@code null} when unset (the demo model).
     */
    private Path resolveModel() throws IOException {
        String reference = config.model().filter(s -> !s.isBlank()).orElse(null);
        if (reference == null) {
            return null;
        }
        if (!ModelResolver.isHubReference(reference)) {
            return Path.of(reference);
        }
        EngineOptionsFactory.from(config, null); // report bad settings before any download
        LOG.infof("Resolving %s", reference);
        try (ModelResolver resolver = ModelResolver.create(HubSettingsFactory.fromConfig())) {
            Path path = resolver.resolve(ModelReference.parse(reference));
            LOG.infof("%s is %s", reference, path);
            return path;
        }
    }

    private void fail(Throwable e, String what) {
        failure = e;
        synchronized (lock) {
            state = State.FAILED;
            readyCallbacks.clear();
        }
        if (e instanceof GgufFormatException || e instanceof IllegalArgumentException
                || e instanceof IOException) {
            LOG.errorf("Cannot load %s: %s", what, describe(e));
        } else {
            LOG.errorf(e, "Cannot load %s: %s", what, describe(e));
        }
        if (config.exitOnLoadFailure()) {
            exitAfterFailure();
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof NoSuchFileException nsf) {
            return "file not found: " + nsf.getFile();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getName() : message;
    }

    /**
     * Asks Quarkus to stop with exit status 1; should the shutdown hang (or start-up still be running), a watchdog
     * exits the JVM after {@link #EXIT_GRACE}.
     */
    private void exitAfterFailure() {
        Thread.ofPlatform().name("neox-exit-watchdog").daemon(true).start(() -> {
            try {
                Thread.sleep(EXIT_GRACE);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            if (!stopped) {
                LOG.error("Forcing exit after the failed model load");
                System.exit(1);
            }
        });
        Quarkus.asyncExit(1);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
    }

    /** The current state. */
    public State state() {
        return state;
    }

    /** The engine once it is ready (also while draining); empty while loading or after a failure. */
    public Optional<Engine> engine() {
        return Optional.ofNullable(engine);
    }

    /** Why loading failed, when {@link #state()} is {@link State#FAILED}. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Milliseconds from the start of loading until the engine was ready (0 before). */
    public double loadMillis() {
        return loadMillis;
    }

    /**
     * The engine, if it takes new requests.
     *
     * @throws EngineUnavailableException (HTTP 503) while loading, draining or after a failed load
     */
    public Engine require() {
        State s = state;
        Engine e = engine;
        if (s == State.READY && e != null) {
            return e;
        }
        throw switch (s) {
            case LOADING, READY -> new EngineUnavailableException(State.LOADING,
                    "the model is still loading; retry shortly", 5);
            case DRAINING -> new EngineUnavailableException(State.DRAINING,
                    "the server is shutting down and takes no new requests", 30);
            case FAILED -> new EngineUnavailableException(State.FAILED,
                    "the model failed to load: " + failure().map(EngineHolder::describe).orElse("unknown error"), 60);
        };
    }

    /**
     * The model id the API uses: {@code neox.model-id}, else for a Hub checkpoint {@code REPO[@REVISION]} (its
     * snapshot directory is named by a commit hash), else the engine's id; empty while not loaded.
     */
    public String modelId() {
        Optional<String> configured = config.modelId().filter(s -> !s.isBlank());
        if (configured.isPresent()) {
            return configured.get();
        }
        Engine e = engine;
        if (e == null) {
            return null;
        }
        return hubCheckpointId().orElse(e.modelInfo().id());
    }

    private Optional<String> hubCheckpointId() {
        String reference = config.model().orElse("");
        if (!ModelResolver.isHubReference(reference)) {
            return Optional.empty();
        }
        try {
            return ModelReference.parse(reference) instanceof ModelReference.HubCheckpoint c
                    ? Optional.of(c.repo().name() + (c.revision().equals(ModelReference.DEFAULT_REVISION) ? ""
                    : "@" + c.revision()))
                    : Optional.empty();
        } catch (IOException ex) {
            return Optional.empty();
        }
    }

    /**
     * Runs {@code callback} with the engine once it is loaded: at once, on the calling thread, if it already is;
     * otherwise on the loader thread, before {@link #state()} turns {@link State#READY} (so an observer registered
     * here sees every request). Never called if loading fails.
     * Exceptions thrown by the callback are logged.
     */
    public void whenReady(Consumer<Engine> callback) {
        Engine ready;
        synchronized (lock) {
            ready = engine;
            if (ready == null) {
                if (state == State.LOADING) {
                    readyCallbacks.add(callback);
                }
                return;
            }
        }
        runCallback(callback, ready);
    }

    private static void runCallback(Consumer<Engine> callback, Engine engine) {
        try {
            callback.accept(engine);
        } catch (RuntimeException e) {
            LOG.error("engine-ready callback failed", e);
        }
    }

    /**
     * Graceful shutdown: new requests get 503 from now on; running sequences may finish for up to
     * {@code neox.shutdown.drain-timeout}, then they are cancelled. Blocks until then; idempotent.
     */
    public void drain() {
        Engine e;
        synchronized (lock) {
            if (drained) {
                return;
            }
            drained = true;
            if (state != State.FAILED) {
                state = State.DRAINING;
            }
            e = engine;
        }
        if (e != null) {
            Duration timeout = config.shutdown().drainTimeout();
            LOG.infof("Draining: running requests may finish within %s", timeout);
            e.drain(timeout);
        }
    }

    @PreDestroy
    void close() {
        Engine e;
        synchronized (lock) {
            closed = true;
            e = engine;
            engine = null;
        }
        if (e != null) {
            e.close();
        }
    }
}
