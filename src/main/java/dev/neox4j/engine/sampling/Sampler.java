package dev.neox4j.engine.sampling;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * One sequence's sampler: a chain of {@link LogitProcessor}s followed by a seeded draw, with the sequence's token
 * history and a reusable candidate buffer (nothing is allocated per token).
 *
 * <p>The chain, in order: logit bias, repetition penalty (prompt and output), presence/frequency penalties
 * (output), temperature, top-k, top-p, min-p, then a draw from the softmax of what is left, using a
 * {@link Xoshiro256} seeded with the request's seed (or a seed drawn from {@link SecureRandom}, see {@link #seed()}).
 *
 * <p>Greedy decoding (temperature 0) takes the argmax, ties to the lowest id, without temperature, top-k, top-p
 * or min-p; logit bias and penalties still apply when set (so {@code logit_bias} can force or ban a token at
 * temperature 0, as with OpenAI). With none set, greedy reads the raw logits directly.
 */
public final class Sampler {
    private static final SecureRandom SEEDS = new SecureRandom();

    private final SamplingSettings settings;
    private final int vocab;
    private final TokenHistory history;
    private final Candidates candidates;
    private final LogitProcessor[] chain;
    private final SeededDraw draw;
    private final long seed;

    /**
     * @param settings validated settings
     * @param vocab    logits per row
     * @param prompt   the prompt's token ids (for the repetition penalty)
     */
    public Sampler(SamplingSettings settings, int vocab, int[] prompt) {
        this.settings = settings;
        this.vocab = vocab;
        this.seed = settings.seed() != null ? settings.seed() : SEEDS.nextLong();
        boolean penalties = settings.repetitionPenalty() != 1f || settings.presencePenalty() != 0f
                || settings.frequencyPenalty() != 0f;
        this.history = penalties ? new TokenHistory(vocab, prompt) : null;
        List<LogitProcessor> list = new ArrayList<>();
        if (!settings.logitBias().isEmpty()) {
            list.add(new LogitBias(settings.logitBias(), vocab));
        }
        if (settings.repetitionPenalty() != 1f) {
            list.add(new RepetitionPenalty(settings.repetitionPenalty(), history));
        }
        if (settings.presencePenalty() != 0f || settings.frequencyPenalty() != 0f) {
            list.add(new PresenceFrequencyPenalty(settings.presencePenalty(), settings.frequencyPenalty(), history));
        }
        if (!settings.greedy()) {
            list.add(new Temperature(settings.temperature()));
            if (settings.topK() > 0) {
                list.add(new TopK(settings.topK()));
            }
            if (settings.topP() < 1f) {
                list.add(new TopP(settings.topP()));
            }
            if (settings.minP() > 0f) {
                list.add(new MinP(settings.minP()));
            }
        }
        this.chain = list.toArray(new LogitProcessor[0]);
        this.candidates = settings.greedy() && chain.length == 0 ? null : new Candidates(vocab);
        this.draw = settings.greedy() ? null : new SeededDraw(new Xoshiro256(seed));
    }

    /** The seed in use: the request's, or the one drawn for it. */
    public long seed() {
        return seed;
    }

    public SamplingSettings settings() {
        return settings;
    }

    /**
     * Chooses the next token from the raw logits {@code row[offset .. offset+vocab)} (not modified) and records it
     * in the history.
     */
    public int sample(float[] row, int offset) {
        int token;
        if (candidates == null) {
            token = argmax(row, offset, vocab);
        } else {
            candidates.load(row, offset);
            for (LogitProcessor p : chain) {
                p.process(candidates);
            }
            token = draw == null ? candidates.id(candidates.argmax()) : draw.draw(candidates);
        }
        accept(token);
        return token;
    }

    /** Records a token that was generated without {@link #sample} (penalties count it). */
    public void accept(int token) {
        if (history != null) {
            history.addGenerated(token);
        }
    }

    /** Index of the largest of {@code n} floats from {@code offset} (ties: lowest index; NaN never wins). */
    public static int argmax(float[] row, int offset, int n) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = row[offset + i];
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }
}
