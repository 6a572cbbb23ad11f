package dev.neox4j.engine.tensor;

/**
 * Runs a range of independent work items on a fixed set of threads. Implemented by the runtime's worker
 * pool; the model layer only sees this interface. Each index is processed by exactly one thread and the
 * result of an item never depends on how the range was split, which keeps results thread-count invariant.
 */
public interface ParallelFor {

    /** Number of threads work is split across. */
    int threads();

    /** {@link #run(int, int, RangeTask)} with a grain of 1. */
    default void run(int n, RangeTask task) {
        run(n, 1, task);
    }

    /**
     * Splits {@code [0, n)} into contiguous parts, runs them and returns when all are done. Every part boundary
     * except {@code n} is a multiple of {@code grain} (e.g. a kernel's row tile), and a part never runs on two
     * threads; how many parts there are and which thread runs which is up to the implementation (a pool hands out
     * a few parts per thread as threads become free, so a thread that lost its core for a while does not hold up
     * the others). Exceptions thrown by a part are rethrown here.
     *
     * @param grain the unit of the split, at least 1
     */
    void run(int n, int grain, RangeTask task);

    /** Runs everything on the calling thread. */
    ParallelFor SERIAL = new ParallelFor() {
        @Override
        public int threads() {
            return 1;
        }

        @Override
        public void run(int n, int grain, RangeTask task) {
            if (n > 0) {
                task.run(0, n);
            }
        }
    };
}
