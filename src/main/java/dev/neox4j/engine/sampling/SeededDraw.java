package dev.neox4j.engine.sampling;

/**
 * The last step of a sampler chain: draws one candidate with probability softmax(logit) using the sequence's
 * generator. Weights are summed in double precision in candidate order, which is deterministic, so a seed always
 * gives the same token for the same logits.
 */
public final class SeededDraw {
    private final Xoshiro256 random;
    /** Unnormalised probabilities of the candidates; {@code [vocab]}, allocated on first use, reused. */
    private double[] weights = new double[0];

    public SeededDraw(Xoshiro256 random) {
        this.random = random;
    }

    /** Picks a candidate and returns its token id. */
    public int draw(Candidates c) {
        int size = c.size();
        if (size == 1) {
            random.nextDouble(); // consume one draw per token whatever the candidate count
            return c.id(0);
        }
        double max = c.maxLogit();
        if (Double.isInfinite(max)) { // all -inf, or a +inf logit: take the best
            random.nextDouble();
            return c.id(c.argmax());
        }
        if (weights.length < size) {
            weights = new double[c.vocab()];
        }
        double total = 0;
        for (int i = 0; i < size; i++) {
            double w = Math.exp(c.logit(i) - max);
            weights[i] = w;
            total += w;
        }
        double u = random.nextDouble() * total;
        double cum = 0;
        int last = 0;
        for (int i = 0; i < size; i++) {
            double w = weights[i];
            if (w > 0) {
                cum += w;
                last = i;
                if (u < cum) {
                    return c.id(i);
                }
            }
        }
        return c.id(last); // u rounded up to the total
    }
}
