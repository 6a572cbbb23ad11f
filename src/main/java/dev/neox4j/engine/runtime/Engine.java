package dev.neox4j.engine.runtime;

import dev.neox4j.engine.checkpoint.CheckpointLoader;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufFormatException;
import dev.neox4j.engine.model.ForwardBatch;
import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxForward;
import dev.neox4j.engine.model.NeoxHParams;
import dev.neox4j.engine.model.NeoxModel;
import dev.neox4j.engine.sampling.InvalidSettingException;
import dev.neox4j.engine.sampling.Logprobs;
import dev.neox4j.engine.sampling.SamplingSettings;
import dev.neox4j.engine.tensor.NativeMemory;
import dev.neox4j.engine.tensor.kernel.Kernels;
import dev.neox4j.engine.tensor.kernel.MatmulKernels;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The engine facade: a loaded model, its tokenizer, the worker pool, the KV slot pool and the
 * continuous-batching scheduler. Thread-safe.
 *
 * <p>{@link #submit} validates a request on the caller's thread (clear {@link IllegalArgumentException}s,
 * {@link ContextOverflowException}, {@link QueueFullException} when the admission queue is full) and returns at
 * once; the sequence then runs on the {@code neox-scheduler} thread, whose matmuls are split over the engine's own
 * {@link WorkerPool}, and its events arrive on the {@link GenerationListener} from that thread.
 *
 * <p>Generation semantics (as llama.cpp's server): the end-of-text token, when it ends a sequence, is reported as
 * its last {@link GeneratedToken} (empty text, with its logprob when asked) and counted in the usage; a stop
 * string ends the sequence with {@link FinishReason#STOP}, is never emitted, and text that could be the start of
 * a stop string is withheld until it is ruled out; the last token carries whatever was withheld, so the streamed
 * texts always add up to {@link Completion#text()} (for a cancelled sequence: the text streamed so far).
 * {@code maxTokens} or the end of the context ends it with {@link FinishReason#LENGTH}; the token that fills the
 * last KV position is still returned. Greedy decoding (temperature 0) still applies logit bias and penalties.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    private final EngineOptions options;
    private final GgufFile file;
    private final NeoxModel model;
    private final Tokenizer tokenizer;
    private final WorkerPool pool;
    private final KvSlotPool slots;
    private final Scheduler scheduler;
    private final ModelInfo info;
    private final Observers observers;
    private final Object closeLock = new Object();
    private volatile double loadMillis;
    private volatile boolean closed;
    /** Commits the KV slots' memory while idle; null where it was committed at allocation. */
    private volatile KvCommitter committer;
    private boolean resourcesClosed;

    private Engine(EngineOptions options, GgufFile file, NeoxModel model, Tokenizer tokenizer, WorkerPool pool,
                   KvSlotPool slots, Scheduler scheduler, ModelInfo info, Observers observers) {
        this.options = options;
        this.file = file;
        this.model = model;
        this.tokenizer = tokenizer;
        this.pool = pool;
        this.slots = slots;
        this.scheduler = scheduler;
        this.info = info;
        this.observers = observers;
    }

    /**
     * Maps and validates the model ({@code options.modelPath()}, or the built-in demo model when null),
     * starts the worker pool and the scheduler and runs a warm-up step.
     *
     * @throws IOException if the file cannot be read
     * @throws dev.neox4j.engine.gguf.GgufFormatException if the file is not a valid GGUF
     * @throws IllegalArgumentException if it is not a usable GPT-NeoX model (message names the defect)
     */
    public static Engine open(EngineOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        long t0 = System.nanoTime();
        validate(options);
        boolean demo = options.modelPath() == null;
        Path path = demo ? DemoModel.path() : options.modelPath();
        GgufFile file = openModel(path, options);
        WorkerPool pool = null;
        KvSlotPool slots = null;
        Scheduler scheduler = null;
        KvCommitter committer = null;
        try {
            NeoxModel model;
            Tokenizer tokenizer;
            try {
                model = NeoxModel.load(file);
                tokenizer = Tokenizer.fromGguf(file.metadata());
            } catch (GgufFormatException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                throw new IllegalArgumentException(msg.contains(file.fileName()) ? msg
                        : file.fileName() + ": " + msg, e);
            }
            NeoxHParams hp = model.hparams();
            int ctx = contextLength(options, hp, file);
            MatmulKernels kernels = Kernels.select(options.kernels());
            int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
            KvCache.ElementType kvType = options.kvCacheType() == KvCacheType.F32
                    ? KvCache.ElementType.F32 : KvCache.ElementType.F16;
            int slotCount = KvMemoryBudget.forThisProcess(file.fileSize())
                    .slots(hp, ctx, kvType, options.maxSequences(), file.fileName());
            slots = new KvSlotPool(hp, slotCount, ctx, kvType);
            pool = new WorkerPool(threads);
            int budget = Scheduler.tokenBudget(slotCount, options.prefillChunk());
            NeoxForward forward = new NeoxForward(model, kernels, pool, budget);
            ForwardBatch batch = new ForwardBatch();
            warmUp(forward, batch, slots, tokenizer);
            ModelInfo info = ModelInfos.describe(file, model, ctx, demo);
            Observers observers = new Observers();
            PrefixCache prefix = new PrefixCache(slots, options.prefixCache(), options.prefixCacheMaxTokens());
            scheduler = new Scheduler(forward, batch, slots, prefix, tokenizer, hp.vocabSize(),
                    options.prefillChunk(), budget, options.queueSize(), observers);
            if (options.idleWarmUp()) {
                scheduler.warmUpWhenIdle(new IdleWarmUp(forward, batch, slots, hp.vocabSize()));
            }
            Engine engine = new Engine(options, file, model, tokenizer, pool, slots, scheduler, info, observers);
            if (NativeMemory.lazy()) { // else the slots were zero-filled, committed, at allocation
                committer = slots.backgroundCommitter().start();
                engine.committer = committer;
            }
            scheduler.start(engine::closeResourcesFromScheduler);
            engine.loadMillis = (System.nanoTime() - t0) / 1e6;
            LOG.log(System.Logger.Level.INFO, String.format(
                    "loaded %s: %s, %,d parameters, %d layers, n_embd %d, vocab %d, context %d x %d slots (%s KV, %s), "
                            + "%d threads, kernels %s, in %.0f ms",
                    file.fileName(), info.quantType(), info.parameterCount(), hp.blockCount(),
                    hp.embeddingLength(), hp.vocabSize(), ctx, slots.slots(),
                    options.kvCacheType().name().toLowerCase(java.util.Locale.ROOT),
                    NativeMemory.lazy() ? "committed in the background when idle" : "zero-filled at start",
                    threads, kernels.name(),
                    engine.loadMillis));
            return engine;
        } catch (Throwable t) {
            if (committer != null) {
                committer.close();
            }
            if (scheduler != null) {
                scheduler.stop();
            }
            if (pool != null) {
                pool.close();
            }
            if (slots != null) {
                slots.close();
            }
            file.close();
            throw t;
        }
    }

    /**
     * The model at {@code path}: a checkpoint directory read through {@link CheckpointLoader}, else a GGUF file
     * (requantized in memory when {@link EngineOptions#quantize()} asks for it).
     */
    private static GgufFile openModel(Path path, EngineOptions o) throws IOException {
        if (Files.isDirectory(path)) {
            return CheckpointLoader.load(path, o.quantize(), o.threads());
        }
        return o.quantize() == null ? GgufFile.openToServe(path)
                : CheckpointLoader.requantize(path, o.quantize(), o.threads()); // read once, served from memory
    }

    private static void validate(EngineOptions o) {
        if (o.threads() < 0 || o.threads() > WorkerPool.MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in 0.." + WorkerPool.MAX_THREADS
                    + " (0 = all cores), got " + o.threads());
        }
        if (o.contextLength() < 0) {
            throw new IllegalArgumentException("context length must be >= 0 (0 = the model's), got "
                    + o.contextLength());
        }
        if (o.maxSequences() < 1 || o.maxSequences() > 1024) {
            throw new IllegalArgumentException("max-sequences must be in 1..1024, got " + o.maxSequences());
        }
        if (o.queueSize() < 0) {
            throw new IllegalArgumentException("queue size must be >= 0, got " + o.queueSize());
        }
        if (o.prefillChunk() < 1 || o.prefillChunk() > 65536) {
            throw new IllegalArgumentException("prefill chunk must be in 1..65536, got " + o.prefillChunk());
        }
        if (o.requestTimeoutMillis() < 0) {
            throw new IllegalArgumentException("request timeout must be >= 0 (0 = none), got "
                    + o.requestTimeoutMillis());
        }
        Objects.requireNonNull(o.kvCacheType(), "kv cache type");
    }

    private static int contextLength(EngineOptions o, NeoxHParams hp, GgufFile file) {
        if (o.contextLength() == 0) {
            return hp.contextLength();
        }
        if (o.contextLength() > hp.contextLength()) {
            LOG.log(System.Logger.Level.WARNING, "context length " + o.contextLength() + " exceeds the "
                    + hp.contextLength() + " positions " + file.fileName() + " was trained for; using "
                    + hp.contextLength());
            return hp.contextLength();
        }
        return o.contextLength();
    }

    /** One forward step of a single token, so that the first request does not pay for class loading and JIT. */
    private static void warmUp(NeoxForward forward, ForwardBatch batch, KvSlotPool slots, Tokenizer tokenizer) {
        int slot = 0;
        slots.acquire(slot);
        try {
            batch.clear();
            batch.add(slots.cache(slot), Math.max(0, tokenizer.eosId()), true);
            forward.forward(batch);
        } finally {
            batch.clear();
            slots.cache(slot).clear();
            slots.release(slot);
        }
    }

    public ModelInfo modelInfo() {
        return info;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public EngineOptions options() {
        return options;
    }

    /**
     * A group for the {@code sequences} sequences of one client request (its choices), so that observers count the
     * request once ({@link EngineObserver#requestFinished}); pass it to each with
     * {@link GenerationRequest.Builder#group}.
     */
    public RequestGroup requestGroup(int sequences, String source) {
        return new RequestGroup(sequences, source, observers);
    }

    /** Registers hooks called for every request from now on (metrics). */
    public void addObserver(EngineObserver observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
    }

    public void removeObserver(EngineObserver observer) {
        observers.remove(observer);
    }

    /**
     * Queues a sequence. Returns at once; events arrive on {@code listener} from an engine thread.
     *
     * @throws QueueFullException       when the admission queue is full
     * @throws ContextOverflowException when the prompt, or the prompt plus {@code maxTokens} (unless
     *                                  {@link GenerationRequest#clipMaxTokens()}), does not fit into the context
     * @throws InvalidSettingException  for a token id out of the model's range (prompt or logit bias)
     * @throws EngineClosedException    while draining or after close
     */
    public GenerationHandle submit(GenerationRequest request, GenerationListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        if (closed || !scheduler.accepting()) {
            throw new EngineClosedException("the engine is shutting down and takes no new requests");
        }
        check(request);
        long timeout = request.timeoutMillis() > 0 ? request.timeoutMillis() : options.requestTimeoutMillis();
        return scheduler.submit(request, listener, timeout);
    }

    /**
     * Looks inside the model for a prompt: the logit lens at every layer, the residual stream at some layers and the
     * attention probabilities of some blocks ({@link InspectRequest}). The prompt is queued and evaluated through the
     * scheduler like any request (batched with others, counted in the metrics, subject to the time limit); the
     * future completes on an engine thread. Cancelling the future cancels the request; a request the engine
     * cancels (time limit, shutdown) completes it with a {@link java.util.concurrent.CancellationException}.
     *
     * @throws IllegalArgumentException for an invalid request (empty prompt, id or layer out of range, top k
     *                                  outside 1..20)
     * @throws ContextOverflowException when the prompt is longer than the context
     * @throws QueueFullException       when the admission queue is full
     * @throws EngineClosedException    while draining or after close
     */
    public CompletableFuture<Inspection> inspect(InspectRequest request) {
        Objects.requireNonNull(request, "request");
        NeoxHParams hp = model.hparams();
        if (request.lensTopK() < 0 || request.lensTopK() > Logprobs.MAX_TOP) {
            throw new IllegalArgumentException("logit lens top k must be in 1.." + Logprobs.MAX_TOP
                    + " (0 = no lens), got " + request.lensTopK());
        }
        checkLayers("hidden state layer", request.hiddenLayers(), hp.blockCount());
        checkLayers("attention layer", request.attentionLayers(), hp.blockCount() - 1);
        return submitProbe(request.prompt(), request.timeoutMillis(), request.source(),
                prompt -> new Inspector(request, prompt, hp, Scheduler.ECHO_CHUNK), Inspector::result);
    }

    /**
     * Scores {@code tokens}: element {@code i} of the result is {@code log P(tokens[from + 1 + i] | tokens[0 ..
     * from + i])}, computed in double from the logits as llama-perplexity does. Runs through the scheduler like
     * {@link #inspect}; the tokens must fit the context.
     *
     * @param from first position whose next token is scored, {@code 0 <= from < tokens.length - 1}
     * @throws IllegalArgumentException, ContextOverflowException, QueueFullException, EngineClosedException as
     *                                   {@link #inspect}
     */
    public CompletableFuture<double[]> score(int[] tokens, int from, long timeoutMillis, String source) {
        Objects.requireNonNull(tokens, "tokens");
        if (from < 0 || from >= tokens.length - 1) {
            throw new IllegalArgumentException("the first scored position must be in 0.." + (tokens.length - 2)
                    + ", got " + from);
        }
        return submitProbe(tokens, timeoutMillis, source,
                prompt -> new TokenScorer(prompt, from, model.hparams().vocabSize()), TokenScorer::result);
    }

    private static void checkLayers(String what, int[] layers, int max) {
        boolean[] seen = new boolean[max + 1];
        for (int l : layers) {
            if (l < 0 || l > max) {
                throw new IllegalArgumentException(what + " " + l + " is outside 0.." + max);
            }
            if (seen[l]) {
                throw new IllegalArgumentException(what + " " + l + " is asked for twice");
            }
            seen[l] = true;
        }
    }

    /** Validates and queues a prompt-only request whose probe (made from the checked prompt) collects the result. */
    private <P extends RequestProbe, T> CompletableFuture<T> submitProbe(
            int[] tokens, long timeoutMillis, String source, java.util.function.Function<int[], P> probeFactory,
            java.util.function.Function<P, T> result) {
        if (closed || !scheduler.accepting()) {
            throw new EngineClosedException("the engine is shutting down and takes no new requests");
        }
        GenerationRequest r = GenerationRequest.builder(tokens)
                .sampling(SamplingSettings.builder().temperature(0).maxTokens(0).build())
                .timeoutMillis(timeoutMillis).source(source).build();
        check(r);
        int[] prompt = tokens.clone();
        P probe = probeFactory.apply(prompt);
        ProbeListener<T> listener = new ProbeListener<>(() -> result.apply(probe));
        long timeout = timeoutMillis > 0 ? timeoutMillis : options.requestTimeoutMillis();
        return listener.future(scheduler.submit(r, listener, timeout, probe));
    }

    /**
     * Checks what depends on the model, once: prompt token ids, {@code logit_bias} token ids, and the context fit
     * (the prompt, and the prompt plus {@code maxTokens} unless the request opts in to
     * {@link GenerationRequest#clipMaxTokens()}). The rest was checked when the request was built.
     */
    private void check(GenerationRequest r) {
        checkTokenIds("prompt", r.prompt());
        int vocab = tokenVocabulary();
        for (Integer id : r.sampling().logitBias().keySet()) {
            if (id >= vocab) {
                throw new InvalidSettingException("logit_bias", "token id " + id + " is out of range: ids are 0.."
                        + (vocab - 1));
            }
        }
        int ctx = info.contextLength();
        int prompt = r.prompt().length;
        if (prompt > ctx || (!r.clipMaxTokens() && (long) prompt + r.maxTokens() > ctx)) {
            throw new ContextOverflowException(prompt, r.maxTokens(), ctx);
        }
    }

    /** Ids a request may name: those the model evaluates and the tokenizer can write back as text. */
    private int tokenVocabulary() {
        return Math.min(info.vocabSize(), tokenizer.vocabSize());
    }

    /**
     * Checks that every id in {@code ids} is one the model evaluates and the tokenizer can write back as text (the
     * one rule for token ids; {@link #submit} applies it to prompts, and a front end that must decode a prompt
     * before submitting it applies it first).
     *
     * @param setting the request setting holding the ids, named in the error
     * @throws InvalidSettingException naming the first id out of range and its index
     */
    public void checkTokenIds(String setting, int[] ids) {
        int vocab = tokenVocabulary();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new InvalidSettingException(setting, "token id " + ids[i] + " at index " + i
                        + " is out of range: ids are 0.." + (vocab - 1));
            }
        }
    }

    public EngineStats stats() {
        return new EngineStats(scheduler.waitingCount(), scheduler.runningCount(), slots.slots(),
                scheduler.kvTokensUsed(), slots.tokensCapacity(), pool.threads(), scheduler.steps(),
                scheduler.lastStepNanos(), loadMillis, info.mappedBytes(), scheduler.prefix().queries(),
                scheduler.prefix().hitTokens(), scheduler.prefix().cachedTokens());
    }

    /** Steps of the idle warm-up run so far ({@link IdleWarmUp}; tests). */
    int idleWarmUpSteps() {
        return scheduler.warmUpSteps();
    }

    /**
     * Stops admitting work, lets running sequences finish for up to {@code timeout}, then cancels the rest.
     */
    public void drain(Duration timeout) {
        scheduler.stopAccepting();
        try {
            if (!scheduler.awaitIdle(Math.max(0, timeout.toNanos()))) {
                LOG.log(System.Logger.Level.INFO, "drain timeout reached; cancelling "
                        + (scheduler.runningCount() + scheduler.waitingCount()) + " sequences");
                scheduler.cancelAll();
                scheduler.awaitIdle(Duration.ofSeconds(10).toNanos());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            scheduler.cancelAll();
        }
    }

    /** Cancels everything, stops the threads and unmaps the model. */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        scheduler.stop();
        if (Thread.currentThread() == scheduler.thread()) {
            return; // called from a listener: the scheduler closes the resources when its loop ends
        }
        try {
            scheduler.thread().join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (scheduler.thread().isAlive()) {
            LOG.log(System.Logger.Level.WARNING, "the scheduler did not stop within 60 s; leaving the model mapped");
            return;
        }
        closeResources();
    }

    private void closeResourcesFromScheduler() {
        if (closed) {
            closeResources();
        }
    }

    private void closeResources() {
        synchronized (closeLock) {
            if (resourcesClosed) {
                return;
            }
            resourcesClosed = true;
        }
        if (committer != null) {
            committer.close(); // before the slots' memory is released
        }
        pool.close();
        slots.close();
        file.close();
        LOG.log(System.Logger.Level.DEBUG, "engine closed: " + info.id());
    }
}
