package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.ForwardObserver;
import dev.neox4j.engine.model.NeoxForward;

/**
 * Scores a token sequence: the log-probability of every token after position {@code from} given the ones before
 * it, computed from the logits the way llama-perplexity computes it (row maximum, {@code exp} of each shifted
 * logit in f32, summed in double; {@code logit - max - log(sum)}).
 */
final class TokenScorer implements RequestProbe {

    private final int[] tokens;
    private final int from;
    private final int vocab;
    private final double[] logprobs; // [n - 1 - from]: logprobs[i] = log P(tokens[from + 1 + i] | tokens[..from + i])

    TokenScorer(int[] tokens, int from, int vocab) {
        this.tokens = tokens;
        this.from = from;
        this.vocab = vocab;
        this.logprobs = new double[tokens.length - 1 - from];
    }

    @Override
    public ForwardObserver observer() {
        return null;
    }

    @Override
    public boolean wantsLogits(int p) {
        return p >= from && p < tokens.length - 1;
    }

    @Override
    public void evaluated(int from, int to, float[] logits, int rowStart, NeoxForward forward) {
        int row = rowStart;
        for (int p = from; p < to; p++) {
            if (wantsLogits(p)) {
                logprobs[p - this.from] = logSoftmax(logits, row * vocab, vocab, tokens[p + 1]);
                row++;
            }
        }
    }

    /** {@code log softmax(row)[token]} with llama-perplexity's roundings. */
    static double logSoftmax(float[] logits, int off, int n, int token) {
        float max = logits[off];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            sum += (float) Math.exp(logits[off + i] - max);
        }
        return logits[off + token] - max - Math.log(sum);
    }

    double[] result() {
        return logprobs;
    }
}
