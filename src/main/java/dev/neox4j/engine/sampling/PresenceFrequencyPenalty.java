package dev.neox4j.engine.sampling;

/**
 * OpenAI presence and frequency penalties over the generated tokens:
 * {@code logit[j] -= count[j] * frequencyPenalty + (count[j] > 0 ? 1 : 0) * presencePenalty}.
 */
public final class PresenceFrequencyPenalty implements LogitProcessor {
    private final float presence;
    private final float frequency;
    private final TokenHistory history;

    public PresenceFrequencyPenalty(float presence, float frequency, TokenHistory history) {
        if (!Float.isFinite(presence) || !Float.isFinite(frequency)) {
            throw new IllegalArgumentException("presence and frequency penalties must be finite: " + presence
                    + ", " + frequency);
        }
        this.presence = presence;
        this.frequency = frequency;
        this.history = history;
    }

    @Override
    public void process(Candidates c) {
        for (int i = 0, n = history.generatedDistinct(); i < n; i++) {
            int id = history.generatedToken(i);
            int pos = c.indexOf(id);
            if (pos >= 0) {
                c.setLogit(pos, c.logit(pos) - history.generatedCount(id) * frequency - presence);
            }
        }
    }
}
