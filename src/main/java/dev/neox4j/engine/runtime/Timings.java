package dev.neox4j.engine.runtime;

/**
 * Timings of one sequence in llama.cpp's {@code timings} shape plus queue wait and time to first token.
 *
 * @param promptN     prompt tokens evaluated
 * @param promptMs    wall time spent evaluating them
 * @param predictedN  tokens generated
 * @param predictedMs wall time from the first to the last generated token
 * @param queueMs     time spent waiting for a KV slot
 * @param ttftMs      time from submission to the first generated token (0 when none)
 */
public record Timings(int promptN, double promptMs, int predictedN, double predictedMs, double queueMs,
                      double ttftMs) {

    public double promptPerSecond() {
        return promptMs > 0 ? promptN * 1000.0 / promptMs : 0;
    }

    public double predictedPerSecond() {
        return predictedMs > 0 ? predictedN * 1000.0 / predictedMs : 0;
    }
}
