package dev.neox4j.bench;

import java.util.Locale;

/**
 * Mean and sample standard deviation of repeated rate measurements, as llama-bench reports them
 * ({@code avg ± stdev}, stdev with {@code n - 1}).
 *
 * @param mean    mean
 * @param sd      sample standard deviation (0 for a single sample)
 * @param samples the measurements
 */
record Stats(double mean, double sd, double[] samples) {

    static Stats of(double[] xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double m = 0;
        for (double x : xs) {
            m += x;
        }
        m /= xs.length;
        double q = 0;
        for (double x : xs) {
            q += (x - m) * (x - m);
        }
        double sd = xs.length > 1 ? Math.sqrt(q / (xs.length - 1)) : 0;
        return new Stats(m, sd, xs.clone());
    }

    /** {@code 123.45 ± 1.23}. */
    String format() {
        return String.format(Locale.ROOT, "%.2f ± %.2f", mean, sd);
    }
}
