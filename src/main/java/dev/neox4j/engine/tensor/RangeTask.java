package dev.neox4j.engine.tensor;

/** Work on the half-open index range {@code [start, end)}. */
@FunctionalInterface
public interface RangeTask {
    void run(int start, int end);
}
