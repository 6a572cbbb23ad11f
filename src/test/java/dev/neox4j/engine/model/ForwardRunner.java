package dev.neox4j.engine.model;

import java.util.Arrays;

/** Test helpers that run a token sequence through a {@link NeoxForward} and copy the logits out. */
final class ForwardRunner {

    private ForwardRunner() {
    }

    /** Evaluates all tokens in one batch with logits for every position, [len][vocab]. */
    static float[] batch(NeoxForward fwd, KvCache cache, int[] tokens) {
        return batch(fwd, cache, tokens, false);
    }

    /** {@link #batch(NeoxForward, KvCache, int[])} with the tokens added as prompt tokens or generated ones. */
    static float[] batch(NeoxForward fwd, KvCache cache, int[] tokens, boolean prompt) {
        ForwardBatch b = new ForwardBatch();
        for (int t : tokens) {
            b.add(cache, t, true, prompt);
        }
        float[] out = fwd.forward(b);
        return Arrays.copyOf(out, tokens.length * fwd.model().vocabSize());
    }

    /** Evaluates the tokens one forward pass each, [len][vocab]. */
    static float[] oneByOne(NeoxForward fwd, KvCache cache, int[] tokens) {
        return oneByOne(fwd, cache, tokens, false);
    }

    /** {@link #oneByOne(NeoxForward, KvCache, int[])} with the tokens added as prompt tokens or generated ones. */
    static float[] oneByOne(NeoxForward fwd, KvCache cache, int[] tokens, boolean prompt) {
        int v = fwd.model().vocabSize();
        float[] all = new float[tokens.length * v];
        ForwardBatch b = new ForwardBatch();
        for (int i = 0; i < tokens.length; i++) {
            b.clear();
            b.add(cache, tokens[i], true, prompt);
            System.arraycopy(fwd.forward(b), 0, all, i * v, v);
        }
        return all;
    }
}
