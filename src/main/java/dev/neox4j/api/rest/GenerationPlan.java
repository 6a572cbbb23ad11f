package dev.neox4j.api.rest;

import java.util.List;

/**
 * A validated completion or chat request, ready to submit: one {@link SequenceSpec} per choice plus the options
 * that shape the response.
 *
 * @param chat              a chat request (chat response shapes) rather than a text completion
 * @param model             the model id to write into responses
 * @param sequences         the choices, in {@code index} order
 * @param promptTokens      prompt tokens per prompt (each prompt counted once in {@code usage})
 * @param stream            answer as a stream of chunks
 * @param includeUsage      {@code stream_options.include_usage}: a final chunk with usage
 * @param echo              prefix the choice text with the prompt (completions only)
 * @param logprobs          top alternatives per token (completions: 0..20; chat: top_logprobs), -1 for none
 * @param tokenIdsAsStrings {@code return_tokens_as_token_ids}: logprob tokens written {@code token_id:<id>}
 */
public record GenerationPlan(boolean chat, String model, List<SequenceSpec> sequences, int[] promptTokens,
                             boolean stream, boolean includeUsage, boolean echo, int logprobs,
                             boolean tokenIdsAsStrings) {

    /** The request field that holds the prompt, for error messages. */
    public String promptParam() {
        return chat ? "messages" : "prompt";
    }

    /** Total prompt tokens over all prompts. */
    public int totalPromptTokens() {
        int sum = 0;
        for (int n : promptTokens) {
            sum += n;
        }
        return sum;
    }
}
