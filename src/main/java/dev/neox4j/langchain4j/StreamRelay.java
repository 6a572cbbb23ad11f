package dev.neox4j.langchain4j;

import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.GenerationHandle;
import dev.neox4j.engine.runtime.GenerationListener;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Carries the events of one engine sequence to a LangChain4j streaming handler without ever running the
 * handler on an engine thread or on the caller's thread: the engine's callbacks only enqueue, and the events
 * are delivered in order, one at a time, by a virtual thread (a slow handler therefore never stalls the
 * scheduler or the other sequences).
 *
 * <p>Delivery rules: one {@code partial} per token with non-empty text; then exactly one of {@code complete}
 * or {@code error}, last — except after {@link #cancel()} (LangChain4j's {@link StreamingHandle}), after which
 * nothing more is delivered. When the handler throws, the sequence is cancelled in the engine and the
 * exception is delivered to {@code error}. A sequence the engine cancels on its own (time limit, shutdown) is
 * an error, never a silent completion.
 */
final class StreamRelay implements GenerationListener, StreamingHandle {

    private static final System.Logger LOG = System.getLogger(StreamRelay.class.getName());
    private static final ThreadFactory DELIVERY = Thread.ofVirtual().name("neox4j-lc4j-stream-", 0).factory();

    /** The LangChain4j side of a stream. Called on the delivery thread, one call at a time. */
    interface Sink {
        void partial(String text, StreamingHandle handle);

        void complete(Completion completion, String modelName);

        void error(Throwable error);
    }

    private final Sink sink;
    private final long startNanos = System.nanoTime();
    private final long timeoutMillis;
    private final String modelName;
    private final Queue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean cancelled;
    private volatile boolean finished; // written only on the delivery thread (one drain at a time)
    private GenerationHandle engineHandle; // guarded by this
    private boolean cancelEngine; // guarded by this

    /**
     * @param timeoutMillis the effective time limit of the request (0 = none), to tell a timeout from a shutdown
     * @param modelName     the id of the model that runs the request
     */
    StreamRelay(Sink sink, long timeoutMillis, String modelName) {
        this.sink = sink;
        this.timeoutMillis = timeoutMillis;
        this.modelName = modelName;
    }

    /** Attaches the engine's handle once {@code submit} returned; cancels it at once if that was asked. */
    synchronized void attach(GenerationHandle handle) {
        this.engineHandle = handle;
        if (cancelEngine) {
            handle.cancel();
        }
    }

    /** Reports a failure that happened before or while submitting (delivered like any other event). */
    void fail(Throwable error) {
        onError(error);
    }

    // ---- engine side: enqueue only ----

    @Override
    public void onToken(GeneratedToken token) {
        String text = token.text();
        if (text == null || text.isEmpty()) {
            return; // a token that completes no character yet (or is withheld as a possible stop string)
        }
        enqueue(() -> {
            try {
                sink.partial(text, this);
            } catch (Throwable t) {
                finishWithError(t);
            }
        });
    }

    @Override
    public void onComplete(Completion completion) {
        enqueue(() -> {
            if (completion.finishReason() == FinishReason.CANCELLED) {
                boolean timedOut = timeoutMillis > 0 && (System.nanoTime() - startNanos) / 1_000_000 >= timeoutMillis;
                finishWithError(EngineErrors.cancelledByEngine(timedOut));
                return;
            }
            finished = true;
            try {
                sink.complete(completion, modelName);
            } catch (Throwable t) {
                // LangChain4j's convention: an exception from onComplete goes to onError
                deliverError(t);
            }
        });
    }

    @Override
    public void onError(Throwable error) {
        enqueue(() -> finishWithError(EngineErrors.map(error)));
    }

    // ---- LangChain4j side ----

    /** Cancels the generation; no event is delivered after this returns (except one already being delivered). */
    @Override
    public void cancel() {
        cancelled = true;
        cancelInEngine();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    /** Whether every event so far has been delivered (or dropped); for tests and diagnostics. */
    boolean idle() {
        return events.isEmpty() && !draining.get();
    }

    // ---- delivery ----

    private void finishWithError(Throwable t) {
        finished = true;
        cancelInEngine();
        deliverError(t);
    }

    private void deliverError(Throwable t) {
        try {
            sink.error(t);
        } catch (Throwable again) {
            LOG.log(System.Logger.Level.WARNING, "the streaming handler's onError threw; ignored", again);
        }
    }

    private synchronized void cancelInEngine() {
        cancelEngine = true;
        if (engineHandle != null && !engineHandle.isDone()) {
            engineHandle.cancel();
        }
    }

    private void enqueue(Runnable event) {
        events.add(event);
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (draining.compareAndSet(false, true)) {
            DELIVERY.newThread(this::drain).start();
        }
    }

    private void drain() {
        Runnable event;
        while ((event = events.poll()) != null) {
            if (finished || cancelled) {
                continue; // nothing is delivered after the end or after a cancel
            }
            event.run();
        }
        draining.set(false);
        if (!events.isEmpty()) {
            scheduleDrain();
        }
    }
}
