package dev.neox4j.engine.runtime;

import java.util.List;

/**
 * One sequence to evaluate and continue.
 *
 * @param prompt        prompt token ids (at least one)
 * @param maxTokens     tokens to generate at most (0 = only evaluate the prompt, e.g. for echo logprobs)
 * @param sampling      sampler settings
 * @param stop          stop strings, matched on the generated text and never emitted
 * @param ignoreEos     keep generating past the end-of-text token
 * @param logprobs      number of top alternatives to report per token (0..20), or -1 for no logprobs
 * @param echo          also report logprobs for the prompt tokens (the first has none)
 * @param timeoutMillis time limit for this request (0 = the engine default)
 * @param truncatePrompt when the prompt does not fit, keep its last tokens instead of refusing it
 * @param source        where the request came from ({@code completions}, {@code chat}, {@code websocket},
 *                      {@code langchain4j}, ...), used as a metrics label
 */
public record GenerationRequest(
        int[] prompt,
        int maxTokens,
        SamplingParams sampling,
        List<String> stop,
        boolean ignoreEos,
        int logprobs,
        boolean echo,
        long timeoutMillis,
        boolean truncatePrompt,
        String source) {

    public GenerationRequest {
        stop = stop == null ? List.of() : List.copyOf(stop);
        sampling = sampling == null ? SamplingParams.GREEDY : sampling;
        source = source == null ? "engine" : source;
    }

    /** A greedy request without logprobs, stop strings or time limit. */
    public static GenerationRequest greedy(int[] prompt, int maxTokens) {
        return new GenerationRequest(prompt, maxTokens, SamplingParams.GREEDY, List.of(), false, -1, false, 0, false,
                "engine");
    }
}
