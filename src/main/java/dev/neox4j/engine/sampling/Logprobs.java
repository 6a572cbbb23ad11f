package dev.neox4j.engine.sampling;

/**
 * Log-probabilities from raw logits: log-softmax computed with max subtraction and a double-precision sum, and the
 * top-N alternatives (most likely first, ties by lower id). Used on the model's logits before any sampling
 * transform.
 */
public final class Logprobs {
    /** Largest number of alternatives that may be asked for. */
    public static final int MAX_TOP = 20;

    private Logprobs() {
    }

    /**
     * The result for one position.
     *
     * @param tokenId     the token whose log-probability was asked for
     * @param logprob     its log-probability
     * @param topIds      the most likely tokens, most likely first
     * @param topLogprobs their log-probabilities
     */
    public record Result(int tokenId, float logprob, int[] topIds, float[] topLogprobs) {
    }

    /** {@code log(sum(exp(row[i])))} over {@code n} logits from {@code offset}, in double precision. */
    public static double logSumExp(float[] row, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (row[offset + i] > max) {
                max = row[offset + i];
            }
        }
        if (Float.isInfinite(max)) {
            return max;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) row[offset + i] - max);
        }
        return max + Math.log(sum);
    }

    /**
     * Log-probability of {@code token} and the {@code top} most likely tokens for the logit row
     * {@code row[offset .. offset+n)}.
     *
     * @param top number of alternatives, 0..{@value #MAX_TOP}
     */
    public static Result compute(float[] row, int offset, int n, int token, int top) {
        if (top < 0 || top > MAX_TOP) {
            throw new IllegalArgumentException("number of top logprobs must be in [0, " + MAX_TOP + "]: " + top);
        }
        if (token < 0 || token >= n) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary [0, " + n + ")");
        }
        double logZ = logSumExp(row, offset, n);
        int k = Math.min(top, n);
        int[] ids = new int[k];
        float[] values = new float[k];
        int filled = 0;
        for (int i = 0; i < n && k > 0; i++) {
            float v = row[offset + i];
            if (v != v) {
                continue;
            }
            if (filled == k && !(v > values[k - 1])) {
                continue; // not better than the current last (ties keep the lower id, seen first)
            }
            int pos = filled == k ? k - 1 : filled++;
            while (pos > 0 && v > values[pos - 1]) {
                values[pos] = values[pos - 1];
                ids[pos] = ids[pos - 1];
                pos--;
            }
            values[pos] = v;
            ids[pos] = i;
        }
        float[] topLogprobs = new float[filled];
        for (int j = 0; j < filled; j++) {
            topLogprobs[j] = (float) (values[j] - logZ);
        }
        int[] topIds = filled == k ? ids : java.util.Arrays.copyOf(ids, filled);
        return new Result(token, (float) (row[offset + token] - logZ), topIds, topLogprobs);
    }
}
