package dev.neox4j.engine.runtime;

import java.util.List;

/**
 * Log-probability of one token (log-softmax of the model's raw logits, before any sampling transform)
 * and the most likely alternatives at that position, most likely first.
 */
public record TokenLogprob(int tokenId, float logprob, List<Alternative> top) {

    /** One alternative token with its log-probability. */
    public record Alternative(int tokenId, float logprob) {
    }
}
