package dev.neox4j.engine.sampling;

/**
 * CTRL-style repetition penalty as llama.cpp applies it: for every token that occurs in the prompt or the
 * output, a positive logit is divided by the penalty and a negative one multiplied by it.
 */
public final class RepetitionPenalty implements LogitProcessor {
    private final float penalty;
    private final TokenHistory history;

    /** @param penalty greater than 0; 1 leaves the logits unchanged, above 1 discourages repetition */
    public RepetitionPenalty(float penalty, TokenHistory history) {
        if (!(penalty > 0) || Float.isInfinite(penalty)) {
            throw new IllegalArgumentException("repetition penalty must be a positive finite number: " + penalty);
        }
        this.penalty = penalty;
        this.history = history;
    }

    @Override
    public void process(Candidates c) {
        for (int i = 0, n = history.seenCount(); i < n; i++) {
            int pos = c.indexOf(history.seenToken(i));
            if (pos >= 0) {
                float l = c.logit(pos);
                c.setLogit(pos, l > 0 ? l / penalty : l * penalty);
            }
        }
    }
}
