package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.ForwardObserver;
import dev.neox4j.engine.model.NeoxForward;

/**
 * The per-request observer seam of the scheduler, for requests that only evaluate their prompt and read what the
 * forward pass computed (inspection, scoring): which prompt positions need logits, an optional
 * {@link ForwardObserver} attached to the request's tokens, and a call after every forward pass that evaluated a
 * chunk of the prompt. Such a request is queued, batched with others, cancelled, timed out and counted in the
 * metrics like any other. All calls come from the scheduler thread (the observer's attention calls from its
 * workers).
 */
interface RequestProbe {

    /** The observer to attach to this request's tokens, or {@code null}. */
    ForwardObserver observer();

    /** Whether the logits of prompt position {@code p} are wanted (every observed position must want them). */
    boolean wantsLogits(int p);

    /**
     * The forward pass evaluated prompt positions {@code [from, to)}; the logit rows of the wanted ones are at
     * {@code rowStart, rowStart + 1, ...} of {@code logits} ({@code n_vocab} floats each). {@code forward} may be
     * used for further read-outs ({@link NeoxForward#unembed}) before the next step; {@code logits} must not be
     * written.
     */
    void evaluated(int from, int to, float[] logits, int rowStart, NeoxForward forward);
}
