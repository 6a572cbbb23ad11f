package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.ForwardBatch;
import dev.neox4j.engine.model.NeoxForward;
import dev.neox4j.engine.sampling.Logprobs;
import dev.neox4j.engine.sampling.Sampler;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The continuous-batching scheduler: one platform thread ({@code neox-scheduler}) that owns the KV slots and
 * runs one forward pass per step for every running sequence.
 *
 * <p>Each step: cancelled and timed-out sequences leave (their slot is freed at once); waiting requests are
 * admitted into free slots in arrival order; one {@link ForwardBatch} is built with one token for every decoding
 * sequence, then prompt chunks for sequences still prefilling (oldest first), within a token budget and a
 * budget of logit rows; logits are requested only where they are used (the last prompt position, every prompt
 * position for echo with logprobs, every decoded token). After the forward pass each sequence takes its rows:
 * prompt logprobs, then sampling, incremental detokenization, stop strings, EOS and length limits, events.
 *
 * <p>Chunk sizes depend only on the sequence itself (a chunk that does not fit is deferred to the next step,
 * never cut), and the forward pass computes every row independently of the others, so a request produces the
 * same tokens and logprobs alone or batched with others.
 */
final class Scheduler {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    /** Prompt positions of one echo-with-logprobs chunk: each needs a row of vocab logits. */
    static final int ECHO_CHUNK = 64;

    private final NeoxForward forward;
    private final ForwardBatch batch;
    private final KvSlotPool slots;
    private final Tokenizer tokenizer;
    private final int vocab;
    private final int prefillChunk;
    private final int tokenBudget;
    private final int rowBudget;
    private final int queueSize;
    private final List<EngineObserver> observers;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Condition idle = lock.newCondition();
    /** Requests waiting for a slot, in arrival order (guarded by {@link #lock}). */
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    /** Sequences holding a slot, in admission order (changed by the scheduler thread only). */
    private final List<Sequence> running = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread thread;

    private volatile boolean accepting = true;
    private volatile boolean stopping;
    private volatile int runningCount;
    private volatile long steps;
    private volatile long lastStepNanos;
    private volatile long kvTokensUsed;
    /** Smoothed end-to-end seconds of finished requests, for Retry-After estimates. */
    private volatile double avgRequestSeconds = 1.0;
    private Runnable onExit = () -> { };

    Scheduler(NeoxForward forward, ForwardBatch batch, KvSlotPool slots, Tokenizer tokenizer, int vocab,
              int prefillChunk, int tokenBudget, int queueSize, List<EngineObserver> observers) {
        this.forward = forward;
        this.batch = batch;
        this.slots = slots;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.prefillChunk = prefillChunk;
        this.tokenBudget = tokenBudget;
        this.rowBudget = slots.slots() + ECHO_CHUNK;
        this.queueSize = queueSize;
        this.observers = observers;
        this.thread = Thread.ofPlatform().name("neox-scheduler").daemon(true).unstarted(this::loop);
    }

    /** The step token budget the forward pass must accept: every slot decoding plus one prompt chunk. */
    static int tokenBudget(int maxSequences, int prefillChunk) {
        return maxSequences + prefillChunk;
    }

    void start(Runnable exitAction) {
        this.onExit = exitAction;
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    // ------------------------------------------------------------------ submission (any thread)

    Sequence submit(GenerationRequest request, GenerationListener listener, int[] prompt, long timeoutMillis) {
        return submit(request, listener, prompt, timeoutMillis, null);
    }

    /** {@link #submit(GenerationRequest, GenerationListener, int[], long)} with a per-request probe (or null). */
    Sequence submit(GenerationRequest request, GenerationListener listener, int[] prompt, long timeoutMillis,
                    RequestProbe probe) {
        long now = System.nanoTime();
        Sequence seq = new Sequence(ids.incrementAndGet(), request, listener, prompt, now, timeoutMillis, probe,
                this);
        lock.lock();
        try {
            if (!accepting) {
                throw new EngineClosedException("the engine is shutting down and takes no new requests");
            }
            // requests in the queue first fill the free slots; only the others really wait
            if (waiting.size() - slots.available() >= queueSize) {
                notify(o -> o.rejected(request.source()));
                int retry = retryAfterSeconds();
                throw new QueueFullException("the request queue is full (" + queueSize + " waiting, "
                        + slots.slots() + " running); retry in about " + retry + " s", retry);
            }
            waiting.add(seq);
            notify(o -> o.queued(request.source())); // under the lock: always before started()
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        return seq;
    }

    private int retryAfterSeconds() {
        double perSlot = (double) (waiting.size() + 1) / slots.slots();
        return (int) Math.max(1, Math.min(3600, Math.ceil(avgRequestSeconds * perSlot)));
    }

    void wakeUp() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops admitting new requests (those already queued still run). */
    void stopAccepting() {
        accepting = false;
    }

    boolean accepting() {
        return accepting;
    }

    /** Waits until nothing waits or runs; false on timeout. */
    boolean awaitIdle(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (!waiting.isEmpty() || runningCount > 0) {
                if (nanos <= 0 || !thread.isAlive()) {
                    return waiting.isEmpty() && runningCount == 0;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Asks every waiting and running sequence to stop at the next step. */
    void cancelAll() {
        List<Sequence> all;
        lock.lock();
        try {
            all = new ArrayList<>(waiting);
        } finally {
            lock.unlock();
        }
        all.addAll(running);
        for (Sequence s : all) {
            s.cancel();
        }
    }

    /** Makes the thread cancel everything and exit. */
    void stop() {
        accepting = false;
        stopping = true;
        wakeUp();
    }

    int waitingCount() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    int runningCount() {
        return runningCount;
    }

    long steps() {
        return steps;
    }

    long lastStepNanos() {
        return lastStepNanos;
    }

    long kvTokensUsed() {
        return kvTokensUsed;
    }

    // ------------------------------------------------------------------ the scheduler thread

    private void loop() {
        try {
            while (true) {
                lock.lock();
                try {
                    while (!stopping && waiting.isEmpty() && running.isEmpty()) {
                        idle.signalAll();
                        wake.await();
                    }
                } finally {
                    lock.unlock();
                }
                if (stopping) {
                    break;
                }
                try {
                    step();
                } catch (Throwable t) {
                    // a bug in the step itself: fail what is running rather than leaving it hanging
                    LOG.log(System.Logger.Level.ERROR, "scheduler step failed", t);
                    for (Sequence s : running) {
                        fail(s, t);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdownSequences();
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
            onExit.run();
        }
    }

    private void shutdownSequences() {
        for (Sequence s : running) {
            complete(s, FinishReason.CANCELLED);
        }
        List<Sequence> left;
        lock.lock();
        try {
            left = new ArrayList<>(waiting);
            waiting.clear();
        } finally {
            lock.unlock();
        }
        for (Sequence s : left) {
            completeUnstarted(s);
        }
    }

    /** One scheduler step. */
    private void step() {
        long now = System.nanoTime();
        dropCancelledWaiting(now);
        for (Sequence s : running) {
            if (s.cancelRequested() || now > s.deadlineNanos) {
                complete(s, FinishReason.CANCELLED);
            }
        }
        admit(now);
        if (running.isEmpty()) {
            return;
        }
        buildBatch();
        if (batch.size() == 0) {
            return;
        }
        float[] logits;
        try {
            logits = forward.forward(batch);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "forward pass failed for " + batch.size() + " tokens", t);
            for (Sequence s : running) {
                if (s.stepFrom != -2) {
                    fail(s, t); // in this batch: its KV cache may be half written
                }
            }
            return;
        }
        long after = System.nanoTime();
        // the step's forward pass is done and the caches hold its tokens: count the step and its KV use before any
        // listener hears of a token from it (a client reacting to its first token must see them); sequences that
        // finish below update kvTokensUsed when they release their slot
        kvTokensUsed = slots.tokensUsed();
        steps++;
        for (Sequence s : running) {
            if (s.stepFrom == -2 || s.isDone()) {
                continue; // not in this batch
            }
            try {
                advance(s, logits, after);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "sequence " + s.id + " failed", t);
                fail(s, t);
            }
        }
        lastStepNanos = System.nanoTime();
    }

    private void dropCancelledWaiting(long now) {
        List<Sequence> dropped = null;
        lock.lock();
        try {
            for (Iterator<Sequence> it = waiting.iterator(); it.hasNext(); ) {
                Sequence s = it.next();
                if (s.cancelRequested() || now > s.deadlineNanos) {
                    it.remove();
                    if (dropped == null) {
                        dropped = new ArrayList<>();
                    }
                    dropped.add(s);
                }
            }
        } finally {
            lock.unlock();
        }
        if (dropped != null) {
            for (Sequence s : dropped) {
                completeUnstarted(s);
            }
        }
    }

    private void admit(long now) {
        List<Sequence> admitted = new ArrayList<>();
        lock.lock();
        try {
            while (!waiting.isEmpty() && slots.available() > 0) {
                Sequence s = waiting.poll();
                s.slot = slots.acquire();
                s.cache = slots.cache(s.slot);
                s.startNanos = now;
                admitted.add(s);
                running.add(s);
            }
            // counted as running before the lock is released, so that awaitIdle never sees a gap
            runningCount = running.size();
        } finally {
            lock.unlock();
        }
        for (Sequence s : admitted) {
            try {
                GenerationRequest r = s.request;
                s.sampler = new Sampler(r.sampling(), vocab, s.prompt);
                s.decoder = tokenizer.newStreamingDecoder();
                s.stopMatcher = new StopMatcher(r.stop());
                s.initPromptLogprobs();
            } catch (Throwable t) {
                fail(s, t);
                continue;
            }
            double queued = (now - s.submitNanos) / 1e9;
            notify(o -> o.started(s.source(), queued, s.prompt.length));
        }
    }

    /** Fills {@link #batch}: decoding tokens first, then prompt chunks, oldest first, within the budgets. */
    private void buildBatch() {
        batch.clear();
        int tokens = 0;
        int rows = 0;
        for (Sequence s : running) {
            s.stepFrom = -2;
            s.stepRows = 0;
            if (!s.prefilling()) {
                s.stepFrom = -1;
                s.stepRowStart = rows;
                s.stepRows = 1;
                batch.add(s.cache, s.pendingToken, true);
                tokens++;
                rows++;
            }
        }
        for (Sequence s : running) {
            if (!s.prefilling()) {
                continue;
            }
            boolean manyRows = s.promptLogprobsWanted || s.probe != null;
            int chunk = manyRows ? Math.min(prefillChunk, ECHO_CHUNK) : prefillChunk;
            int from = s.fed;
            int to = Math.min(s.prompt.length, from + chunk);
            int needRows = 0;
            for (int p = from; p < to; p++) {
                if (s.wantsPromptLogits(p)) {
                    needRows++;
                }
            }
            if (tokens + (to - from) > tokenBudget || rows + needRows > rowBudget) {
                continue; // deferred whole: chunk boundaries never depend on other sequences
            }
            s.stepFrom = from;
            s.stepTo = to;
            s.stepRowStart = rows;
            s.stepRows = needRows;
            for (int p = from; p < to; p++) {
                batch.add(s.cache, s.prompt[p], s.wantsPromptLogits(p), true,
                        s.probe == null ? null : s.probe.observer());
            }
            tokens += to - from;
            rows += needRows;
        }
    }

    /** Consumes this step's logit rows of {@code s}. */
    private void advance(Sequence s, float[] logits, long now) {
        if (s.stepFrom >= 0 && s.probe != null) {
            s.probe.evaluated(s.stepFrom, s.stepTo, logits, s.stepRowStart, forward);
        }
        if (s.stepFrom >= 0) {
            int row = s.stepRowStart;
            for (int p = s.stepFrom; p < s.stepTo; p++) {
                if (!s.wantsPromptLogits(p)) {
                    continue;
                }
                int off = row * vocab;
                row++;
                if (s.promptLogprobsWanted && p + 1 < s.prompt.length) {
                    s.promptLogprobs.add(tokenLogprob(logits, off, s.prompt[p + 1], s.request.logprobs()));
                }
                if (p == s.prompt.length - 1 && s.request.maxTokens() > 0) {
                    s.fed = s.stepTo;
                    promptDone(s, now);
                    if (!s.isDone()) {
                        generate(s, logits, off, now);
                    }
                    return;
                }
            }
            s.fed = s.stepTo;
            if (!s.prefilling()) {
                promptDone(s, now);
                if (!s.isDone() && s.request.maxTokens() == 0) {
                    complete(s, FinishReason.LENGTH);
                }
            }
        } else {
            s.pendingToken = -1;
            generate(s, logits, s.stepRowStart * vocab, now);
        }
    }

    private void promptDone(Sequence s, long now) {
        s.promptDoneNanos = now;
        try {
            s.listener.onPromptEvaluated(s.prompt.length);
        } catch (Throwable t) {
            listenerFailed(s, t);
        }
    }

    /** Samples the next token of {@code s} from the logits row at {@code off} and emits it. */
    private void generate(Sequence s, float[] logits, int off, long now) {
        GenerationRequest r = s.request;
        int token = s.sampler.sample(logits, off);
        TokenLogprob lp = r.logprobs() >= 0 ? tokenLogprob(logits, off, token, r.logprobs()) : null;
        s.addGenerated(token);
        boolean eos = !r.ignoreEos() && tokenizer.isEndOfGeneration(token);
        String piece = token < tokenizer.vocabSize() ? s.decoder.push(token) : "";
        String emit = s.stopMatcher.push(piece);
        FinishReason finish = null;
        if (s.stopMatcher.stopped() || eos) {
            finish = FinishReason.STOP;
        } else if (s.generatedCount >= r.maxTokens() || s.cache.length() >= s.cache.capacity()) {
            finish = FinishReason.LENGTH; // no more tokens asked for, or no position left to feed this one
        }
        if (finish != null && !s.stopMatcher.stopped()) {
            emit = emit + s.stopMatcher.push(s.decoder.flush());
            emit = emit + s.stopMatcher.finish();
            if (s.stopMatcher.stopped()) {
                finish = FinishReason.STOP;
            }
        }
        s.text.append(emit);
        int index = s.generatedCount - 1;
        if (index == 0) {
            s.firstTokenNanos = now;
            double ttft = (now - s.submitNanos) / 1e9;
            notify(o -> o.firstToken(s.source(), ttft));
        } else {
            double gap = (now - s.lastTokenNanos) / 1e9;
            notify(o -> o.interToken(s.source(), gap));
        }
        s.lastTokenNanos = now;
        try {
            s.listener.onToken(new GeneratedToken(index, token, emit, lp));
        } catch (Throwable t) {
            listenerFailed(s, t);
            return;
        }
        if (finish != null) {
            complete(s, finish);
        } else {
            s.pendingToken = token;
        }
    }

    private TokenLogprob tokenLogprob(float[] logits, int off, int token, int top) {
        Logprobs.Result res = Logprobs.compute(logits, off, vocab, token, top);
        List<TokenLogprob.Alternative> alts = new ArrayList<>(res.topIds().length);
        for (int i = 0; i < res.topIds().length; i++) {
            alts.add(new TokenLogprob.Alternative(res.topIds()[i], res.topLogprobs()[i]));
        }
        return new TokenLogprob(token, res.logprob(), List.copyOf(alts));
    }

    private void listenerFailed(Sequence s, Throwable t) {
        LOG.log(System.Logger.Level.DEBUG, "listener of sequence " + s.id + " threw; cancelling it", t);
        s.cancel();
        complete(s, FinishReason.CANCELLED);
    }

    // ------------------------------------------------------------------ endings

    private void release(Sequence s) {
        if (s.slot >= 0) {
            slots.release(s.slot);
            s.slot = -1;
            s.cache = null;
        }
        running.remove(s);
        runningCount = running.size();
        kvTokensUsed = slots.tokensUsed();
    }

    /** Ends a sequence that held a slot; calls {@code onComplete}. */
    private void complete(Sequence s, FinishReason reason) {
        if (s.isDone()) {
            return;
        }
        release(s);
        s.markDone();
        long now = System.nanoTime();
        Completion c = new Completion(reason, s.text.toString(), s.generatedTokens(),
                s.promptLogprobs == null ? List.of() : java.util.Collections.unmodifiableList(s.promptLogprobs),
                new Usage(s.fed, s.generatedCount), timings(s, now));
        finished(s, reason == FinishReason.CANCELLED ? "cancelled" : "success", now);
        try {
            s.listener.onComplete(c);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.DEBUG, "onComplete of sequence " + s.id + " threw", t);
        }
    }

    /** Ends a sequence that never got a slot (cancelled or timed out while waiting, or shutdown). */
    private void completeUnstarted(Sequence s) {
        if (s.isDone()) {
            return;
        }
        s.markDone();
        long now = System.nanoTime();
        Completion c = new Completion(FinishReason.CANCELLED, "", new int[0], List.of(), new Usage(0, 0),
                new Timings(0, 0, 0, 0, (now - s.submitNanos) / 1e6, 0));
        finished(s, "cancelled", now);
        try {
            s.listener.onComplete(c);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.DEBUG, "onComplete of sequence " + s.id + " threw", t);
        }
    }

    private void fail(Sequence s, Throwable error) {
        if (s.isDone()) {
            return;
        }
        release(s);
        s.markDone();
        finished(s, "error", System.nanoTime());
        try {
            s.listener.onError(error);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.DEBUG, "onError of sequence " + s.id + " threw", t);
        }
    }

    private void finished(Sequence s, String outcome, long now) {
        double e2e = (now - s.submitNanos) / 1e9;
        if (!"cancelled".equals(outcome)) {
            avgRequestSeconds = 0.8 * avgRequestSeconds + 0.2 * e2e;
        }
        notify(o -> o.finished(s.source(), outcome, s.fed, s.generatedCount, e2e));
        lock.lock();
        try {
            if (waiting.isEmpty() && running.isEmpty()) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private static Timings timings(Sequence s, long now) {
        double queueMs = (s.startNanos - s.submitNanos) / 1e6;
        double promptMs = s.promptDoneNanos > 0 ? (s.promptDoneNanos - s.startNanos) / 1e6 : 0;
        double predictedMs = s.generatedCount > 0 ? (s.lastTokenNanos - s.promptDoneNanos) / 1e6 : 0;
        double ttftMs = s.firstTokenNanos > 0 ? (s.firstTokenNanos - s.submitNanos) / 1e6 : 0;
        return new Timings(s.fed, promptMs, s.generatedCount, predictedMs, queueMs, ttftMs);
    }

    private void notify(java.util.function.Consumer<EngineObserver> call) {
        for (EngineObserver o : observers) {
            try {
                call.accept(o);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "engine observer " + o + " threw", t);
            }
        }
    }
}
