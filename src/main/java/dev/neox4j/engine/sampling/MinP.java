package dev.neox4j.engine.sampling;

/**
 * Drops the candidates whose probability is below {@code minP} times the probability of the most likely one,
 * i.e. whose logit is below {@code maxLogit + ln(minP)}. Linear, no sort.
 */
public final class MinP implements LogitProcessor {
    private final float minP;

    /** @param minP in {@code [0, 1]}; 0 keeps everything */
    public MinP(float minP) {
        if (!(minP >= 0) || minP > 1) {
            throw new IllegalArgumentException("min-p must be in [0, 1]: " + minP);
        }
        this.minP = minP;
    }

    @Override
    public void process(Candidates c) {
        if (minP <= 0 || c.size() <= 1) {
            return;
        }
        float threshold = (float) (c.maxLogit() + Math.log(minP));
        c.keepAtLeast(threshold);
    }
}
