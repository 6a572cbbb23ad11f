package dev.neox4j.engine.sampling;

/** Divides every logit by the temperature: below 1 sharpens the distribution, above 1 flattens it. */
public final class Temperature implements LogitProcessor {
    private final float temperature;

    /** @param temperature positive and finite (temperature 0 is greedy decoding, handled by {@link Sampler}) */
    public Temperature(float temperature) {
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive and finite: " + temperature);
        }
        this.temperature = temperature;
    }

    @Override
    public void process(Candidates c) {
        if (temperature != 1f) {
            c.divide(temperature);
        }
    }
}
