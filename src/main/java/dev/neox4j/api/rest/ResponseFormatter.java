package dev.neox4j.api.rest;

import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.FinishReason;

import java.util.List;

/**
 * Builds the response of one request from its sequences' events: the chunks of a stream, or the whole response.
 * Not thread-safe: events are fed one at a time, in order per sequence.
 */
public interface ResponseFormatter {

    /** Chunks to stream before any token (the echoed prompt, the chat role). */
    List<Object> start();

    /**
     * Records one event and returns the chunks to stream for it (callers that don't stream ignore them).
     *
     * @throws ApiException when the engine cancelled the sequence (shutdown, time limit)
     */
    List<Object> onEvent(SequenceEvent event);

    /** Chunks to stream after every sequence finished (the usage chunk). */
    List<Object> end();

    /** The whole response, once every sequence finished. */
    Object response();

    /** OpenAI's finish reason. */
    static String finishReason(Completion c) {
        return c.finishReason() == FinishReason.LENGTH ? "length" : "stop";
    }

    /** Code points in {@code s} (Python's {@code len}, which clients use for offsets). */
    static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }
}
