package dev.neox4j.engine.sampling;

/**
 * Nucleus sampling: keeps the smallest set of most likely candidates whose probabilities (softmax of the current
 * logits) add up to at least {@code p}. Only as many candidates as needed are sorted: the top 64, then 8 times
 * more while the mass is not reached.
 */
public final class TopP implements LogitProcessor {
    private static final int FIRST_BATCH = 64;
    private final double p;

    /** @param p in {@code (0, 1]}; 1 keeps everything */
    public TopP(float p) {
        if (!(p > 0) || p > 1) {
            throw new IllegalArgumentException("top-p must be in (0, 1]: " + p);
        }
        this.p = p;
    }

    @Override
    public void process(Candidates c) {
        int size = c.size();
        if (p >= 1.0 || size <= 1) {
            return;
        }
        double max = c.maxLogit();
        double total = 0;
        for (int i = 0; i < size; i++) {
            total += Math.exp(c.logit(i) - max);
        }
        double target = p * total;
        int m = Math.min(size, FIRST_BATCH);
        while (true) {
            c.sortTop(m);
            double cum = 0;
            for (int i = 0; i < m; i++) {
                cum += Math.exp(c.logit(i) - max);
                if (cum >= target) {
                    c.truncate(i + 1);
                    return;
                }
            }
            if (m == size) {
                return; // rounding: the whole set is needed
            }
            m = (int) Math.min(size, (long) m * 8);
        }
    }
}
