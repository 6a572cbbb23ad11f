package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.ForwardBatch;
import dev.neox4j.engine.model.NeoxForward;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The continuous-batching scheduler: a queue, a batch and a forward pass, run by one platform thread
 * ({@code neox-scheduler}) that owns the KV slots.
 *
 * <p>Each step: cancelled and timed-out sequences leave (their slot is freed at once); waiting requests are admitted
 * into free slots in arrival order; {@link #buildBatch} writes the step down as a {@link StepPlan} of slices, one
 * generated token for every decoding sequence, then prompt chunks for sequences still prefilling (oldest first),
 * within a token budget and a budget of logit rows; after the forward pass {@link #advance} hands every slice its
 * rows ({@link Sequence#advance} runs the per-token pipeline) and ends the sequences that are done.
 *
 * <p>Until the first request arrives, the thread runs an {@link IdleWarmUp} a step at a time while idle.
 *
 * <p>Chunk sizes depend only on the sequence itself (a chunk that does not fit is deferred to the next step, never
 * cut), and the forward pass computes every row independently of the others, so a request produces the same tokens
 * and logprobs alone or batched with others.
 */
final class Scheduler {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    /** Longest wait for work while sequences run but none can take a step (all paused). */
    static final long IDLE_STEP_NANOS = 5_000_000;

    /** Prompt positions of one chunk whose every position needs logits (echo with logprobs). */
    static final int ECHO_CHUNK = 64;

    private final NeoxForward forward;
    private final ForwardBatch batch;
    private final StepPlan plan;
    private final KvSlotPool slots;
    private final PrefixCache prefix;
    private final Tokenizer tokenizer;
    private final int vocab;
    private final int prefillChunk;
    private final int tokenBudget;
    private final int rowBudget;
    private final Observers observers;
    /** Requests waiting for a slot, in arrival order. */
    private final WaitQueue waiting;
    /** Sequences holding a slot, in admission order (changed by the scheduler thread only). */
    private final List<Sequence> running = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread thread;
    private final java.util.function.BooleanSupplier busy = () -> !running.isEmpty();
    private final java.util.function.BooleanSupplier halting = () -> this.stopping;

    private volatile boolean accepting = true;
    private volatile boolean stopping;
    private volatile int runningCount;
    private volatile long steps;
    private volatile long lastStepNanos;
    private volatile long kvTokensUsed;
    /** Smoothed end-to-end seconds of finished requests, for Retry-After estimates. */
    private volatile double avgRequestSeconds = 1.0;
    private Runnable onExit = () -> { };
    /** Steps to run while idle before the first request, or null (scheduler thread). */
    private IdleWarmUp warmUp;
    private volatile int warmUpSteps;

    Scheduler(NeoxForward forward, ForwardBatch batch, KvSlotPool slots, PrefixCache prefix, Tokenizer tokenizer,
              int vocab, int prefillChunk, int tokenBudget, int queueSize, Observers observers) {
        this.prefix = prefix;
        this.forward = forward;
        this.batch = batch;
        this.plan = new StepPlan(slots.slots());
        this.slots = slots;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.prefillChunk = prefillChunk;
        this.tokenBudget = tokenBudget;
        this.rowBudget = slots.slots() + ECHO_CHUNK;
        this.waiting = new WaitQueue(queueSize);
        this.observers = observers;
        this.thread = Thread.ofPlatform().name("neox-scheduler").daemon(true).unstarted(this::loop);
    }

    /** The step token budget the forward pass must accept: every slot decoding plus one prompt chunk. */
    static int tokenBudget(int maxSequences, int prefillChunk) {
        return maxSequences + prefillChunk;
    }

    /** Runs {@code w}'s steps while idle until the first request arrives (before {@link #start}). */
    void warmUpWhenIdle(IdleWarmUp w) {
        this.warmUp = w;
    }

    /** Idle warm-up steps run so far. */
    int warmUpSteps() {
        return warmUpSteps;
    }

    void start(Runnable exitAction) {
        this.onExit = exitAction;
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    // ------------------------------------------------------------------ submission and state (any thread)

    Sequence submit(GenerationRequest request, GenerationListener listener, long timeoutMillis) {
        return submit(request, listener, timeoutMillis, null);
    }

    /** {@link #submit(GenerationRequest, GenerationListener, long)} with a forward-pass probe (or null). */
    Sequence submit(GenerationRequest request, GenerationListener listener, long timeoutMillis, RequestProbe probe) {
        long now = System.nanoTime();
        Sequence seq = new Sequence(ids.incrementAndGet(), request, listener, now, timeoutMillis, this, observers,
                tokenizer, vocab);
        seq.probe = probe;
        if (!accepting) {
            throw new EngineClosedException("the engine is shutting down and takes no new requests");
        }
        if (!waiting.offer(seq, slots::available, () -> observers.notify(o -> o.queued(request.source())))) {
            observers.notify(o -> o.rejected(request.source()));
            if (request.group() == null) { // a group's submitter reports it (RequestGroup#abandon)
                observers.notify(o -> o.requestFinished(request.source(), "rejected"));
            }
            double perSlot = (double) (waiting.size() + 1) / slots.slots();
            int retry = (int) Math.max(1, Math.min(3600, Math.ceil(avgRequestSeconds * perSlot)));
            throw new QueueFullException("the request queue is full (" + waiting.capacity() + " waiting, "
                    + slots.slots() + " running); retry in about " + retry + " s", retry);
        }
        return seq;
    }

    void wakeUp() {
        waiting.wakeUp();
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
        return waiting.awaitIdle(nanos, () -> runningCount, thread::isAlive);
    }

    /** Asks every waiting and running sequence to stop at the next step. */
    void cancelAll() {
        for (Sequence s : waiting.snapshot(false)) {
            s.cancel();
        }
        for (Sequence s : running) {
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
        return waiting.size();
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

    PrefixCache prefix() {
        return prefix;
    }

    // ------------------------------------------------------------------ the scheduler thread

    private void loop() {
        try {
            while (true) {
                if (warmUp != null) {
                    if (warmUp.pending() && accepting && !stopping && waiting.size() == 0 && running.isEmpty()) {
                        warmUp.step(); // a request arriving now waits for this step only
                        warmUpSteps = warmUp.stepsDone();
                        continue;
                    }
                    warmUp.abandon(); // done, or a request came: the slots are the prefix cache's from now on
                    warmUp = null;
                }
                waiting.awaitWork(busy, halting);
                if (stopping) {
                    break;
                }
                try {
                    if (!step()) {
                        waiting.sleep(IDLE_STEP_NANOS); // every sequence paused: woken by resume, submit, cancel
                    }
                } catch (Throwable t) {
                    // a bug in the step itself: fail what is running rather than leaving it hanging
                    LOG.log(System.Logger.Level.ERROR, "scheduler step failed", t);
                    for (Sequence s : running) {
                        finish(s, FinishReason.CANCELLED, t);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (Sequence s : running) {
                finish(s, FinishReason.CANCELLED, null);
            }
            for (Sequence s : waiting.snapshot(true)) {
                finish(s, FinishReason.CANCELLED, null);
            }
            waiting.signalIfIdle(0);
            onExit.run();
        }
    }

    /**
     * One scheduler step: endings, admissions, the plan, the forward pass, the plan's slices handed back.
     *
     * @return whether a forward pass ran
     */
    private boolean step() {
        long now = System.nanoTime();
        dropCancelledWaiting(now);
        for (Sequence s : running) {
            if (s.cancelRequested() || now > s.deadlineNanos) {
                finish(s, FinishReason.CANCELLED, null);
            } else if (s.stalled(now)) {
                finish(s, FinishReason.CANCELLED, new SequenceStalledException("sequence " + s.id + " stayed paused "
                        + "longer than its limit (its client stopped reading); it was ended and its slot freed"));
            }
        }
        admit(now);
        buildBatch();
        if (plan.size() == 0) {
            return false;
        }
        float[] logits;
        try {
            logits = forward.forward(batch);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "forward pass failed for " + batch.size() + " tokens", t);
            for (int i = 0; i < plan.size(); i++) {
                finish(plan.get(i).sequence, FinishReason.CANCELLED, t); // its KV cache may be half written
            }
            return true;
        }
        // the caches hold the step's tokens: count the step and its KV use before any listener hears of a token
        // from it (a client reacting to its first token must see them); sequences that finish below update
        // kvTokensUsed when they release their slot
        kvTokensUsed = slots.tokensUsed();
        steps++;
        advance(logits, System.nanoTime());
        lastStepNanos = System.nanoTime();
        return true;
    }

    private void dropCancelledWaiting(long now) {
        List<Sequence> dropped = waiting.removeEnded(now);
        if (dropped != null) {
            for (Sequence s : dropped) {
                finish(s, FinishReason.CANCELLED, null);
            }
        }
    }

    private void admit(long now) {
        if (slots.available() == 0 || waiting.size() == 0) {
            return; // the usual decoding step: nothing to do, nothing allocated
        }
        // counted as running under the queue's lock, so that awaitIdle never sees a gap
        List<Sequence> admitted = waiting.poll(slots::available, this::mayStart, s -> {
            s.slot = prefix.admit(s); // held from here: finish() releases it whatever happens next
            s.startNanos = now;
            running.add(s);
            runningCount = running.size();
        });
        for (Sequence s : admitted) {
            try {
                s.start(s.slot, slots.cache(s.slot), s.cached, now);
            } catch (Throwable t) {
                finish(s, FinishReason.CANCELLED, t);
                continue;
            }
            double queued = (now - s.submitNanos) / 1e9;
            observers.notify(o -> o.started(s.source(), queued, s.prompt.length));
        }
    }

    /** False while a running sequence is computing a prompt prefix {@code s} shares (n > 1, a shared context). */
    private boolean mayStart(Sequence s) {
        for (Sequence r : running) {
            if (prefix.worthWaiting(s, r)) {
                return false;
            }
        }
        return true;
    }

    /** Writes the step down: decoding tokens first, then prompt chunks, oldest first, within the budgets. */
    private void buildBatch() {
        batch.clear();
        plan.clear();
        for (Sequence s : running) {
            if (!s.prefilling() && !s.isPaused()) {
                int p = s.decodePosition();
                plan.add(s, p, p + 1, 1, batch);
            }
        }
        for (Sequence s : running) {
            if (!s.prefilling() || s.isPaused()) {
                continue;
            }
            int chunk = s.needsEveryPromptRow() ? Math.min(prefillChunk, ECHO_CHUNK) : prefillChunk;
            int from = s.fed;
            int to = Math.min(s.prompt.length, from + chunk);
            int rows = s.rowsFor(from, to);
            if (plan.tokens() + (to - from) <= tokenBudget && plan.rows() + rows <= rowBudget) {
                plan.add(s, from, to, rows, batch); // otherwise deferred whole: chunks never depend on others
            }
        }
    }

    /** Hands every slice of the plan its rows of {@code logits} and ends the sequences that are done. */
    private void advance(float[] logits, long now) {
        for (int i = 0; i < plan.size(); i++) {
            StepPlan.Slice slice = plan.get(i);
            Sequence s = slice.sequence;
            if (s.isDone()) {
                continue;
            }
            try {
                if (slice.prompt()) {
                    prefix.promptComputed(s.slot, s.prompt, Math.min(slice.to, s.promptPathEnd));
                    if (s.probe != null) {
                        s.probe.evaluated(slice.from, slice.to, logits, slice.firstRow, forward);
                    }
                }
                FinishReason end = s.advance(slice, logits, now);
                if (end != null) {
                    finish(s, end, null);
                }
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "sequence " + s.id + " failed", t);
                finish(s, FinishReason.CANCELLED, t);
            }
        }
    }

    /**
     * Ends {@code s} whatever its state (waiting, prefilling, decoding): frees its slot, publishes its metrics and
     * tells its listener ({@code onError} when {@code error} is set, else {@code onComplete} with {@code reason}).
     */
    private void finish(Sequence s, FinishReason reason, Throwable error) {
        if (s.isDone()) {
            return;
        }
        if (s.slot >= 0) {
            slots.release(s.slot);
            prefix.released(s.slot, error == null || error instanceof SequenceStalledException);
            s.slot = -1;
            s.cache = null;
        }
        running.remove(s);
        runningCount = running.size();
        kvTokensUsed = slots.tokensUsed();
        s.markDone();
        long now = System.nanoTime();
        String outcome = error != null ? "error" : reason == FinishReason.CANCELLED ? "cancelled" : "success";
        double e2e = (now - s.submitNanos) / 1e9;
        if (!"cancelled".equals(outcome)) {
            avgRequestSeconds = 0.8 * avgRequestSeconds + 0.2 * e2e;
        }
        int evaluated = s.fed - s.cached;
        observers.notify(o -> o.finished(s.source(), outcome, evaluated, s.generatedCount, e2e));
        requestEnded(s.request, outcome);
        waiting.signalIfIdle(running.size());
        s.deliverEnd(reason, error, now);
    }

    /** Counts the end of {@code request}'s client request: at once without a group, else at its group's last. */
    private void requestEnded(GenerationRequest request, String outcome) {
        if (request.group() == null) {
            observers.notify(o -> o.requestFinished(request.source(), outcome));
        } else {
            request.group().ended(outcome);
        }
    }
}
