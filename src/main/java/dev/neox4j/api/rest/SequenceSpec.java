package dev.neox4j.api.rest;

import dev.neox4j.engine.runtime.GenerationRequest;

/**
 * One sequence of a request: a choice of the response.
 *
 * @param index       the choice's {@code index} (prompt {@code i}, sample {@code j} of {@code n}: {@code i * n + j})
 * @param promptIndex which prompt of the request it continues
 * @param promptText  the prompt as text, for {@code echo}
 * @param request     what the engine runs
 */
public record SequenceSpec(int index, int promptIndex, String promptText, GenerationRequest request) {
}
