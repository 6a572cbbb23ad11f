package dev.neox4j.engine.runtime;

import java.util.List;

/**
 * The end of one sequence.
 *
 * @param finishReason   why it stopped
 * @param text           the whole generated text (stop string excluded)
 * @param tokens         the generated token ids
 * @param promptLogprobs with echo: one entry per prompt token, the first {@code null}; otherwise empty
 * @param usage          token counts
 * @param timings        timings
 */
public record Completion(FinishReason finishReason, String text, int[] tokens, List<TokenLogprob> promptLogprobs,
                         Usage usage, Timings timings) {
}
