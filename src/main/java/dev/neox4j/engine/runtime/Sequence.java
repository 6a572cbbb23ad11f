package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.sampling.Logprobs;
import dev.neox4j.engine.sampling.Sampler;
import dev.neox4j.engine.tokenizer.StreamingDecoder;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One submitted request and its state while it waits, prefills and decodes, with its per-token pipeline: the
 * logits rows of each step's {@link StepPlan.Slice} go to {@link #advance}, which records prompt logprobs, samples,
 * computes logprobs, detokenizes, matches stop strings, publishes the token's metrics and hands it to the listener.
 * The volatile flags are shared with the submitting threads (cancel, isDone); everything else belongs to the
 * scheduler thread.
 *
 * <p>Positions are numbered as in the KV cache: the prompt's tokens are positions {@code 0 .. P-1}, generated token
 * {@code i} is fed back at position {@code P + i} ({@link #tokenAt}).
 */
final class Sequence implements GenerationHandle {
    private static final System.Logger LOG = System.getLogger(Sequence.class.getName());

    /**
     * Prompts of fewer tokens are evaluated entirely on the generated tokens' matmul path ({@link #promptPathEnd}).
     * The prompt path decodes every weight matrix into float tiles, a fixed cost that only pays off over many rows:
     * at pythia-1.4b on 2 cores one to 32 prompt rows cost 400-650 ms on it, against 50-140 ms for one to four
     * generated rows and about the same as the prompt path at 10-12 rows (Q4_0 and Q4_K_M, BENCHMARKS.md).
     */
    static final int PROMPT_PATH_MIN_TOKENS = 8;

    final long id;
    final GenerationRequest request;
    final GenerationListener listener;
    final int[] prompt;
    final long submitNanos;
    /** {@link System#nanoTime()} after which the sequence is cancelled ({@link Long#MAX_VALUE}: no limit). */
    final long deadlineNanos;
    /**
     * Prompt positions {@code [0, promptPathEnd)} are evaluated on the prompt path (the kernels' tiles for many rows,
     * {@code ForwardBatch.add(..., prompt = true)}), the others like generated tokens: every position but the last
     * of a prompt of at least {@link #PROMPT_PATH_MIN_TOKENS} tokens, none of a shorter one. The last prompt token is
     * fed like a generated one because it is often evaluated alone (an exact repeat, a one-token prompt, the tail
     * after a prefix-cache hit), where the prompt path would cost many decode steps. The rule depends on the prompt
     * alone, never on the batch, the chunking or the cache, so a position's bits are the same in every run; only
     * positions below it are reusable from the prefix cache, since only they are what another prompt's prefill writes.
     */
    final int promptPathEnd;
    /** Echo with logprobs: every prompt position but the last needs its logits. */
    final boolean promptLogprobsWanted;
    /** Every prompt position's logits go to the request's observer. */
    private final boolean observePrompt;
    /** Per-request forward-pass probe of a prompt-only request (inspection, scoring), or {@code null}. */
    RequestProbe probe;
    private final Scheduler scheduler;
    private final Observers observers;
    private final Tokenizer tokenizer;
    private final int vocab;

    private volatile boolean cancelRequested;
    private volatile boolean done;
    /** {@link System#nanoTime()} when paused, or 0 when running. */
    private volatile long pausedAt;
    private volatile long maxPauseNanos;

    // ---- scheduler-thread state ----
    int slot = -1;
    KvCache cache;
    /** Prompt positions in the KV cache (reused from the prefix cache or evaluated). */
    int fed;
    /** Prompt positions taken from the prefix cache instead of being evaluated. */
    int cached;
    private int[] generated = new int[16];
    int generatedCount;
    private Sampler sampler;
    private StreamingDecoder decoder;
    private StopMatcher stopMatcher;
    private final StringBuilder text = new StringBuilder();
    private List<TokenLogprob> promptLogprobs;
    long startNanos;
    private long promptDoneNanos;
    private long firstTokenNanos;
    private long lastTokenNanos;

    Sequence(long id, GenerationRequest request, GenerationListener listener, long submitNanos, long timeoutMillis,
             Scheduler scheduler, Observers observers, Tokenizer tokenizer, int vocab) {
        this.id = id;
        this.request = request;
        this.listener = listener;
        this.prompt = request.prompt().clone();
        this.promptPathEnd = promptPathEnd(prompt.length);
        this.submitNanos = submitNanos;
        this.deadlineNanos = timeoutMillis > 0 ? submitNanos + timeoutMillis * 1_000_000L : Long.MAX_VALUE;
        this.promptLogprobsWanted = request.echo() && request.logprobs() >= 0;
        this.observePrompt = request.observer() != null && request.observer().wantsPromptLogits();
        this.scheduler = scheduler;
        this.observers = observers;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
    }

    /** {@link #promptPathEnd} of a prompt of {@code promptLength} tokens: the one place the rule is written. */
    static int promptPathEnd(int promptLength) {
        return promptLength >= PROMPT_PATH_MIN_TOKENS ? promptLength - 1 : 0;
    }

    @Override
    public void cancel() {
        if (!done && !cancelRequested) {
            cancelRequested = true;
            scheduler.wakeUp();
        }
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public synchronized void pause(java.time.Duration maxPause) {
        if (!done && pausedAt == 0) {
            maxPauseNanos = Math.max(0, maxPause.toNanos());
            pausedAt = Math.max(1, System.nanoTime());
        }
    }

    @Override
    public synchronized void resume() {
        if (pausedAt != 0) {
            pausedAt = 0;
            scheduler.wakeUp();
        }
    }

    @Override
    public boolean isPaused() {
        return pausedAt != 0;
    }

    /** Whether the sequence has been paused for longer than its limit at {@code now}. */
    boolean stalled(long now) {
        long at = pausedAt;
        return at != 0 && now - at > maxPauseNanos;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    void markDone() {
        done = true;
    }

    String source() {
        return request.source();
    }

    /** Whether prompt positions remain to be evaluated. */
    boolean prefilling() {
        return fed < prompt.length;
    }

    /** Whether the logits of prompt positions before the last are needed, so that they cannot come from a cache. */
    boolean needsEveryPromptRow() {
        return promptLogprobsWanted || observePrompt || probe != null;
    }

    /** The token at KV position {@code p}: a prompt token, or a generated one fed back. */
    int tokenAt(int p) {
        return p < prompt.length ? prompt[p] : generated[p - prompt.length];
    }

    /** Whether position {@code p} needs its row of logits. */
    boolean wantsLogits(int p) {
        if (probe != null && p < prompt.length) {
            return probe.wantsLogits(p);
        }
        if (p >= prompt.length - 1 && request.maxTokens() > 0) {
            return true; // the logits that choose the next token
        }
        return p < prompt.length && needsEveryPromptRow();
    }

    /** Rows of logits of positions {@code [from, to)}. */
    int rowsFor(int from, int to) {
        int n = 0;
        for (int p = from; p < to; p++) {
            if (wantsLogits(p)) {
                n++;
            }
        }
        return n;
    }

    /** Position of the generated token to feed back next (decoding only). */
    int decodePosition() {
        return prompt.length + generatedCount - 1;
    }

    /** Prepares the per-token pipeline once the sequence has a slot. */
    void start(int slot, KvCache cache, int reused, long now) {
        this.slot = slot;
        this.cache = cache;
        this.fed = reused;
        this.cached = reused;
        this.startNanos = now;
        sampler = new Sampler(request.sampling(), vocab, prompt);
        decoder = tokenizer.newStreamingDecoder();
        stopMatcher = new StopMatcher(request.stop());
        if (promptLogprobsWanted) {
            promptLogprobs = new ArrayList<>(prompt.length);
            promptLogprobs.add(null); // the first prompt token has no context, hence no logprob
        }
    }

    /**
     * Takes this step's rows of {@code slice} (whose positions the KV cache now holds).
     *
     * @return how the sequence ends after this step, or {@code null} when it goes on
     */
    FinishReason advance(StepPlan.Slice slice, float[] logits, long now) {
        int row = slice.firstRow;
        int sampleRow = -1;
        for (int p = slice.from; p < slice.to; p++) {
            if (!wantsLogits(p)) {
                continue;
            }
            int off = row++ * vocab;
            if (p < prompt.length) {
                promptRow(p, logits, off);
            }
            if (p >= prompt.length - 1 && request.maxTokens() > 0) {
                sampleRow = off;
            }
        }
        if (slice.prompt()) {
            fed = slice.to;
            if (!prefilling()) {
                promptDoneNanos = now;
                try {
                    listener.onPromptEvaluated(prompt.length);
                } catch (Throwable t) {
                    return listenerFailed(t);
                }
                if (request.maxTokens() == 0) {
                    return FinishReason.LENGTH;
                }
            }
        }
        return sampleRow >= 0 ? generate(logits, sampleRow, now) : null;
    }

    private void promptRow(int p, float[] logits, int off) {
        if (observePrompt) {
            request.observer().promptLogits(p, logits, off, vocab);
        }
        if (promptLogprobsWanted && p + 1 < prompt.length) {
            promptLogprobs.add(logprob(logits, off, prompt[p + 1], request.logprobs()));
        }
    }

    /** Samples the next token from the row at {@code off}, emits it, and says whether the sequence ends. */
    private FinishReason generate(float[] logits, int off, long now) {
        if (request.observer() != null) {
            request.observer().tokenLogits(generatedCount, logits, off, vocab);
        }
        int token = sampler.sample(logits, off);
        TokenLogprob lp = request.logprobs() >= 0 ? logprob(logits, off, token, request.logprobs()) : null;
        addGenerated(token);
        boolean eos = !request.ignoreEos() && tokenizer.isEndOfGeneration(token);
        String piece = token < tokenizer.vocabSize() ? decoder.push(token) : "";
        String emit = stopMatcher.push(piece);
        FinishReason finish = null;
        if (stopMatcher.stopped() || eos) {
            finish = FinishReason.STOP;
        } else if (generatedCount >= request.maxTokens() || cache.length() >= cache.capacity()) {
            finish = FinishReason.LENGTH; // no more tokens asked for, or no position left to feed this one
        }
        if (finish != null && !stopMatcher.stopped()) {
            emit = emit + stopMatcher.push(decoder.flush());
            emit = emit + stopMatcher.finish();
            if (stopMatcher.stopped()) {
                finish = FinishReason.STOP;
            }
        }
        text.append(emit);
        int index = generatedCount - 1;
        if (index == 0) {
            firstTokenNanos = now;
            double ttft = (now - submitNanos) / 1e9;
            observers.notify(o -> o.firstToken(source(), ttft));
        } else {
            double gap = (now - lastTokenNanos) / 1e9;
            observers.notify(o -> o.interToken(source(), gap));
        }
        lastTokenNanos = now;
        try {
            listener.onToken(new GeneratedToken(index, token, emit, lp));
        } catch (Throwable t) {
            return listenerFailed(t);
        }
        return finish;
    }

    private FinishReason listenerFailed(Throwable t) {
        LOG.log(System.Logger.Level.DEBUG, "listener of sequence " + id + " threw; cancelling it", t);
        cancel();
        return FinishReason.CANCELLED;
    }

    private TokenLogprob logprob(float[] logits, int off, int token, int top) {
        Logprobs.Result res = Logprobs.compute(logits, off, vocab, token, top);
        List<TokenLogprob.Alternative> alts = new ArrayList<>(res.topIds().length);
        for (int i = 0; i < res.topIds().length; i++) {
            alts.add(new TokenLogprob.Alternative(res.topIds()[i], res.topLogprobs()[i]));
        }
        return new TokenLogprob(token, res.logprob(), List.copyOf(alts));
    }

    private void addGenerated(int token) {
        if (generatedCount == generated.length) {
            generated = Arrays.copyOf(generated, generated.length * 2);
        }
        generated[generatedCount++] = token;
    }

    /** Tells the listener how the sequence ended: {@code onError} when {@code error} is set, else onComplete. */
    void deliverEnd(FinishReason reason, Throwable error, long now) {
        try {
            if (error != null) {
                listener.onError(error);
            } else {
                listener.onComplete(new Completion(reason, text.toString(), Arrays.copyOf(generated, generatedCount),
                        promptLogprobs == null ? List.of() : Collections.unmodifiableList(promptLogprobs),
                        new Usage(fed, generatedCount, cached), timings(now)));
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.DEBUG, "end listener of sequence " + id + " threw", t);
        }
    }

    /** Timings so far; a sequence that never got a slot only waited. */
    private Timings timings(long now) {
        double queueMs = ((startNanos > 0 ? startNanos : now) - submitNanos) / 1e6;
        double promptMs = promptDoneNanos > 0 ? (promptDoneNanos - startNanos) / 1e6 : 0;
        double predictedMs = generatedCount > 0 ? (lastTokenNanos - promptDoneNanos) / 1e6 : 0;
        double ttftMs = firstTokenNanos > 0 ? (firstTokenNanos - submitNanos) / 1e6 : 0;
        return new Timings(fed - cached, promptMs, generatedCount, predictedMs, queueMs, ttftMs);
    }
}
