package dev.neox4j.engine.model;

/**
 * Differences between two logit matrices of {@code rows x vocab}: max |Δ|, RMS Δ and the fraction of rows with the
 * same argmax.
 */
record LogitDiff(double maxAbs, double rms, double top1Agree) {

    static LogitDiff of(float[] a, int aOff, float[] b, int bOff, int rows, int vocab) {
        double max = 0;
        double sq = 0;
        int agree = 0;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < vocab; i++) {
                double d = Math.abs((double) a[aOff + r * vocab + i] - b[bOff + r * vocab + i]);
                if (!(d <= max)) {
                    max = d; // NaN propagates as the maximum
                }
                sq += d * d;
            }
            if (argmax(a, aOff + r * vocab, vocab) == argmax(b, bOff + r * vocab, vocab)) {
                agree++;
            }
        }
        return new LogitDiff(max, Math.sqrt(sq / ((double) rows * vocab)), (double) agree / rows);
    }

    static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (a[off + i] > a[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Difference between the largest and the second largest value. */
    static double top2Gap(float[] a, int off, int n) {
        int best = argmax(a, off, n);
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (i != best) {
                second = Math.max(second, a[off + i]);
            }
        }
        return a[off + best] - second;
    }

    LogitDiff max(LogitDiff o) {
        return new LogitDiff(Math.max(maxAbs, o.maxAbs), Math.max(rms, o.rms), Math.min(top1Agree, o.top1Agree));
    }

    @Override
    public String toString() {
        return String.format("max %.3g rms %.3g top1 %.3f", maxAbs, rms, top1Agree);
    }
}
