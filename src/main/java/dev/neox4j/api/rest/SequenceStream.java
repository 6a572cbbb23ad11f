package dev.neox4j.api.rest;

import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.GenerationHandle;
import dev.neox4j.engine.runtime.GenerationListener;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import io.smallrye.mutiny.subscription.MultiEmitter;

import java.util.ArrayDeque;

/**
 * Adapts the engine's callbacks for one sequence to a Mutiny {@link Multi} of {@link SequenceEvent}s. Events that
 * arrive before the subscription are kept; after it they go to the emitter's bounded buffer, from which the
 * subscriber (e.g. the HTTP response, at the pace the client reads) requests them. The engine never waits: a
 * client that falls more than {@code capacity} events behind fails its stream (long before that, its
 * {@link StreamBudget} pauses the sequence), and cancelling the subscription
 * (the client went away) or a failed stream cancels the sequence in the engine, freeing its KV slot.
 */
public final class SequenceStream implements GenerationListener {

    /** Events buffered per sequence before a stalled client is given up. */
    public static final int DEFAULT_CAPACITY = 16_384;

    private final int index;
    private final int capacity;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private MultiEmitter<? super SequenceEvent> emitter;
    private boolean subscribed;
    private boolean finished;
    private volatile GenerationHandle handle;
    private volatile boolean cancelRequested;
    private final StreamBudget budget;

    public SequenceStream(int index) {
        this(index, DEFAULT_CAPACITY, new StreamBudget(StreamLimits.unlimited()));
    }

    /** A stream whose events count against {@code budget}, shared by the request's choices. */
    public SequenceStream(int index, StreamBudget budget) {
        this(index, DEFAULT_CAPACITY, budget);
    }

    public SequenceStream(int index, int capacity, StreamBudget budget) {
        this.index = index;
        this.capacity = capacity;
        this.budget = budget;
    }

    /** The request's budget: what it holds for a client that does not read. */
    public StreamBudget budget() {
        return budget;
    }

    /** The choice index. */
    public int index() {
        return index;
    }

    /** Attaches the engine's handle (after {@code submit}); cancels at once if the stream was already dropped. */
    public void handle(GenerationHandle h) {
        this.handle = h;
        if (cancelRequested) {
            h.cancel();
        }
    }

    /** Cancels the sequence in the engine (idempotent). */
    public void cancel() {
        cancelRequested = true;
        GenerationHandle h = handle;
        if (h != null && !h.isDone()) {
            h.cancel();
        }
    }

    /** Whether this side cancelled the sequence (client gone, request failed), as opposed to the engine. */
    public boolean cancelRequested() {
        return cancelRequested;
    }

    /** The events; may be subscribed once. */
    public Multi<SequenceEvent> events() {
        return Multi.createFrom().<SequenceEvent>emitter(this::attach, capacity);
    }

    private void attach(MultiEmitter<? super SequenceEvent> em) {
        em.onTermination(() -> {
            boolean done;
            synchronized (this) {
                done = finished;
            }
            if (!done) {
                cancel();
            }
        });
        synchronized (this) {
            if (subscribed) {
                em.fail(new IllegalStateException("a sequence stream can be subscribed only once"));
                return;
            }
            subscribed = true;
            while (!pending.isEmpty()) {
                deliver(em, pending.poll());
            }
            if (!finished) {
                emitter = em;
            }
        }
    }

    private static void deliver(MultiEmitter<? super SequenceEvent> em, Object event) {
        if (event instanceof Throwable t) {
            em.fail(t);
        } else {
            em.emit((SequenceEvent) event);
            if (event instanceof SequenceEvent.Done) {
                em.complete();
            }
        }
    }

    private void push(Object event, boolean last) {
        boolean overflow = false;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = last;
            if (event instanceof SequenceEvent e) {
                budget.added(e);
            }
            if (emitter != null) {
                deliver(emitter, event);
                if (last) {
                    emitter = null;
                }
            } else if (pending.size() < capacity) {
                pending.add(event);
            } else {
                pending.clear();
                pending.add(new BackPressureFailure("the client did not read " + capacity + " events in time"));
                finished = true;
                overflow = true;
            }
        }
        if (overflow) {
            cancel();
        }
    }

    @Override
    public void onToken(GeneratedToken token) {
        push(new SequenceEvent.Token(index, token), false);
    }

    @Override
    public void onComplete(Completion completion) {
        push(new SequenceEvent.Done(index, completion), true);
    }

    @Override
    public void onError(Throwable error) {
        push(error, true);
    }
}
