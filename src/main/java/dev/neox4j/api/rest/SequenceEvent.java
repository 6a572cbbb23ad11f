package dev.neox4j.api.rest;

import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.GeneratedToken;

/** What one running sequence reports, in order: tokens, then exactly one {@link Done} (or a stream failure). */
public sealed interface SequenceEvent {

    /** The choice index of the sequence. */
    int index();

    /** One generated token. */
    record Token(int index, GeneratedToken token) implements SequenceEvent {
    }

    /** The sequence finished (normally or cancelled by the engine). */
    record Done(int index, Completion completion) implements SequenceEvent {
    }
}
