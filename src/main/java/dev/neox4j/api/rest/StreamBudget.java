package dev.neox4j.api.rest;

import dev.neox4j.engine.runtime.GenerationHandle;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one streamed request (all its choices) holds in the server for its client ({@link StreamLimits}): the
 * estimated size of its events as sent, counted when the engine hands an event over and released when the transport
 * takes it, which it does only after the previous write reached the socket. At
 * {@code neox.stream.max-buffered-bytes} the request's sequences are paused in the engine (they keep their KV slots
 * and take no decode steps); at half of it they resume. The engine ends a sequence still paused after
 * {@code neox.stream.stall-timeout} with a {@link dev.neox4j.engine.runtime.SequenceStalledException}, which the
 * transports turn into a final {@code slow_client} error ({@link ApiErrors}).
 */
public final class StreamBudget {

    /** The JSON and SSE framing around a token's text, roughly (id, object, created, model, choice, ...). */
    static final int EVENT_OVERHEAD_BYTES = 200;
    /** One logprob entry as sent: token text, id, value, bytes. */
    static final int LOGPROB_BYTES = 80;

    private final StreamLimits limits;
    private final AtomicLong buffered = new AtomicLong();
    private List<GenerationHandle> handles = List.of();
    private volatile boolean paused;

    public StreamBudget(StreamLimits limits) {
        this.limits = limits;
    }

    /** The sequences this budget pauses and resumes (once all are submitted); pauses them if already full. */
    synchronized void attach(List<GenerationHandle> handles) {
        this.handles = List.copyOf(handles);
        if (paused) {
            this.handles.forEach(h -> h.pause(limits.stallTimeout()));
        }
    }

    /** The estimated size of {@code event} as sent (UTF-8 text is at most 3 bytes a char, JSON-escaped ~6). */
    static long bytes(SequenceEvent event) {
        return switch (event) {
            case SequenceEvent.Token t -> EVENT_OVERHEAD_BYTES + 6L * t.token().text().length()
                    + (t.token().logprob() == null ? 0 : LOGPROB_BYTES * (1L + t.token().logprob().top().size()));
            case SequenceEvent.Done d -> EVENT_OVERHEAD_BYTES + 6L * d.completion().text().length();
        };
    }

    /** Bytes handed over by the engine and not yet taken by the transport. */
    public long buffered() {
        return buffered.get();
    }

    /** Whether the request's sequences are paused now. */
    public boolean paused() {
        return paused;
    }

    /** The engine handed over {@code event}. */
    void added(SequenceEvent event) {
        if (buffered.addAndGet(bytes(event)) >= limits.maxBufferedBytes() && !paused) {
            setPaused(true);
        }
    }

    /** The transport took {@code event} (to write it once the previous write is done). */
    void taken(SequenceEvent event) {
        if (buffered.addAndGet(-bytes(event)) <= limits.maxBufferedBytes() / 2 && paused) {
            setPaused(false);
        }
    }

    private synchronized void setPaused(boolean pause) {
        if (paused == pause) {
            return;
        }
        paused = pause;
        for (GenerationHandle h : handles) {
            if (pause) {
                h.pause(limits.stallTimeout());
            } else {
                h.resume();
            }
        }
    }
}
