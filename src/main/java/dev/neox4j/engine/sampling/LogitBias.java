package dev.neox4j.engine.sampling;

import java.util.Map;

/** Adds a fixed bias to the logits of chosen tokens (OpenAI {@code logit_bias}). */
public final class LogitBias implements LogitProcessor {
    private final int[] ids;
    private final float[] bias;

    /**
     * @param bias  token id to value added to its logit
     * @param vocab vocabulary size; ids must lie in {@code [0, vocab)}
     */
    public LogitBias(Map<Integer, Float> bias, int vocab) {
        this.ids = new int[bias.size()];
        this.bias = new float[bias.size()];
        int i = 0;
        for (var e : bias.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            int id = e.getKey();
            float b = e.getValue();
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("logit bias token id " + id + " is outside the vocabulary [0, "
                        + vocab + ")");
            }
            if (Float.isNaN(b)) {
                throw new IllegalArgumentException("logit bias for token " + id + " is NaN");
            }
            ids[i] = id;
            this.bias[i] = b;
            i++;
        }
    }

    @Override
    public void process(Candidates c) {
        for (int i = 0; i < ids.length; i++) {
            int pos = c.indexOf(ids[i]);
            if (pos >= 0) {
                c.setLogit(pos, c.logit(pos) + bias[i]);
            }
        }
    }
}
