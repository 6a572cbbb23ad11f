package dev.neox4j.engine.sampling;

/**
 * One step of a sampler chain: transforms or filters the candidate tokens of one position in place.
 * Implementations are small, stateless apart from their settings and the per-sequence state they were given
 * ({@link TokenHistory}), and are chained by {@link Sampler} in a fixed order.
 */
@FunctionalInterface
public interface LogitProcessor {

    /** Transforms the logits of {@code candidates} and/or removes candidates. Keeps at least one candidate. */
    void process(Candidates candidates);
}
