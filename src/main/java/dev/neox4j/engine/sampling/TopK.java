package dev.neox4j.engine.sampling;

/** Keeps the {@code k} most likely candidates (ties by lower id), found by partial selection. */
public final class TopK implements LogitProcessor {
    private final int k;

    /** @param k at least 1 */
    public TopK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top-k must be at least 1: " + k);
        }
        this.k = k;
    }

    @Override
    public void process(Candidates c) {
        if (k < c.size()) {
            c.sortTop(k);
            c.truncate(k);
        }
    }
}
