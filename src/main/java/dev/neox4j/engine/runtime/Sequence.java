package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.sampling.Sampler;
import dev.neox4j.engine.tokenizer.StreamingDecoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One submitted request and its state while it waits, prefills and decodes. The volatile flags are shared with
 * the submitting threads (cancel, isDone); everything else belongs to the scheduler thread.
 */
final class Sequence implements GenerationHandle {
    final long id;
    final GenerationRequest request;
    final GenerationListener listener;
    /** The prompt actually evaluated (the request's, or its last tokens when truncated). */
    final int[] prompt;
    final long submitNanos;
    /** {@link System#nanoTime()} after which the sequence is cancelled ({@link Long#MAX_VALUE}: no limit). */
    final long deadlineNanos;
    /** Echo with logprobs: every prompt position but the last needs its logits. */
    final boolean promptLogprobsWanted;
    /** Per-request observer of a prompt-only request (inspection, scoring), or {@code null}. */
    final RequestProbe probe;
    private final Scheduler scheduler;

    private volatile boolean cancelRequested;
    private volatile boolean done;

    // ---- scheduler-thread state ----
    int slot = -1;
    KvCache cache;
    /** Prompt tokens written to the KV cache so far. */
    int fed;
    /** Token sampled in the previous step, to be fed in the next one (-1: none). */
    int pendingToken = -1;
    private int[] generated = new int[16];
    int generatedCount;
    Sampler sampler;
    StreamingDecoder decoder;
    StopMatcher stopMatcher;
    final StringBuilder text = new StringBuilder();
    List<TokenLogprob> promptLogprobs;
    long startNanos;
    long promptDoneNanos;
    long firstTokenNanos;
    long lastTokenNanos;
    /** Rows of this step: first logits row and count, and the prompt range fed (prefill) or -1 (decode). */
    int stepRowStart;
    int stepRows;
    int stepFrom = -1;
    int stepTo = -1;

    Sequence(long id, GenerationRequest request, GenerationListener listener, int[] prompt, long submitNanos,
             long timeoutMillis, RequestProbe probe, Scheduler scheduler) {
        this.id = id;
        this.request = request;
        this.listener = listener;
        this.prompt = prompt;
        this.submitNanos = submitNanos;
        this.deadlineNanos = timeoutMillis > 0 ? submitNanos + timeoutMillis * 1_000_000L : Long.MAX_VALUE;
        this.promptLogprobsWanted = request.echo() && request.logprobs() >= 0;
        this.probe = probe;
        this.scheduler = scheduler;
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

    boolean cancelRequested() {
        return cancelRequested;
    }

    void markDone() {
        done = true;
    }

    String source() {
        return request.source();
    }

    boolean prefilling() {
        return fed < prompt.length;
    }

    /** Whether the logits of prompt position {@code p} are needed. */
    boolean wantsPromptLogits(int p) {
        if (probe != null) {
            return probe.wantsLogits(p);
        }
        if (p == prompt.length - 1) {
            return request.maxTokens() > 0;
        }
        return promptLogprobsWanted;
    }

    void addGenerated(int token) {
        if (generatedCount == generated.length) {
            generated = Arrays.copyOf(generated, generated.length * 2);
        }
        generated[generatedCount++] = token;
    }

    int[] generatedTokens() {
        return Arrays.copyOf(generated, generatedCount);
    }

    void initPromptLogprobs() {
        if (promptLogprobsWanted) {
            promptLogprobs = new ArrayList<>(prompt.length);
            promptLogprobs.add(null); // the first prompt token has no context, hence no logprob
        }
    }
}
