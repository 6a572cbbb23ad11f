package dev.neox4j.engine.tensor;

/**
 * Runs a range of independent work items on a fixed set of threads. Implemented by the runtime's worker
 * pool; the model layer only sees this interface. Each index is processed by exactly one thread and the
 * result of an item never depends on how the range was split, which keeps results thread-count invariant.
 */
public interface ParallelFor {

    /** Number of threads work is split across. */
    int threads();

    /**
     * Splits {@code [0, n)} into at most {@link #threads()} contiguous chunks, runs them and returns when
     * all are done. Exceptions thrown by a chunk are rethrown here.
     */
    void run(int n, RangeTask task);

    /** Runs everything on the calling thread. */
    ParallelFor SERIAL = new ParallelFor() {
        @Override
        public int threads() {
            return 1;
        }

        @Override
        public void run(int n, RangeTask task) {
            if (n > 0) {
                task.run(0, n);
            }
        }
    };
}
