package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.ForwardBatch;

/**
 * One scheduler step written down before it runs (as llama.cpp's {@code llama_batch}): a list of {@link Slice}s,
 * each a run of consecutive positions {@code [from, to)} of one sequence and the rows of logits it gets back.
 * {@code Scheduler.buildBatch} fills it and the {@link ForwardBatch} from it; after the forward pass every slice is
 * handed to its sequence ({@link Sequence#advance}). The slices are allocated once and reused, so planning a step
 * allocates nothing. Scheduler thread only.
 */
final class StepPlan {

    /** Positions {@code [from, to)} of {@code sequence} in this step and their rows of logits. */
    static final class Slice {
        Sequence sequence;
        /** First position fed (a prompt position, or the position of the last generated token). */
        int from;
        /** One past the last position fed. */
        int to;
        /** The first logits row of this slice in the forward pass's result. */
        int firstRow;
        /** Rows of logits this slice gets (positions that want them, in order). */
        int rows;

        /** Whether the slice feeds prompt tokens (otherwise it feeds one generated token back). */
        boolean prompt() {
            return from < sequence.prompt.length;
        }
    }

    private Slice[] slices;
    private int size;
    private int tokens;
    private int rows;

    StepPlan(int capacity) {
        slices = new Slice[Math.max(1, capacity)];
        for (int i = 0; i < slices.length; i++) {
            slices[i] = new Slice();
        }
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            slices[i].sequence = null;
        }
        size = 0;
        tokens = 0;
        rows = 0;
    }

    /** Appends positions {@code [from, to)} of {@code s} and feeds them to {@code batch}. */
    void add(Sequence s, int from, int to, int sliceRows, ForwardBatch batch) {
        if (size == slices.length) {
            Slice[] grown = java.util.Arrays.copyOf(slices, size * 2);
            for (int i = size; i < grown.length; i++) {
                grown[i] = new Slice();
            }
            slices = grown;
        }
        Slice slice = slices[size++];
        slice.sequence = s;
        slice.from = from;
        slice.to = to;
        slice.firstRow = rows;
        slice.rows = sliceRows;
        boolean prompt = from < s.prompt.length;
        for (int p = from; p < to; p++) {
            batch.add(s.cache, s.tokenAt(p), s.wantsLogits(p), p < s.promptPathEnd,
                    prompt && s.probe != null ? s.probe.observer() : null);
        }
        tokens += to - from;
        rows += sliceRows;
    }

    int size() {
        return size;
    }

    Slice get(int i) {
        return slices[i];
    }

    /** Tokens planned so far. */
    int tokens() {
        return tokens;
    }

    /** Logit rows planned so far. */
    int rows() {
        return rows;
    }
}
