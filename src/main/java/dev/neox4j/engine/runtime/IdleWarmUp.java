package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.ForwardBatch;
import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxForward;

/**
 * Forward steps the scheduler runs after the engine is ready and before its first request, so that the JIT compiles
 * the paths requests take while nobody waits for them.
 *
 * <p>The warm-up before ready ({@code Engine.open}) decodes one token: enough for the single-row kernels, but the
 * first request still compiled the prompt tiles, prompt attention and the multi-row kernels while it ran (an 8-token
 * prompt with 4 generated tokens took 2.7-3.4 s as the first request of a pythia-1.4b server on 2 cores, 1.0-1.2 s
 * after this warm-up).
 * Running all of that before ready would delay ready by as much. So the scheduler thread runs the steps of
 * {@link #PLAN} one at a time while no request waits or runs. A request
 * arriving meanwhile waits for the step in progress only; then the warm-up stops for good ({@link #abandon}), because
 * from then on the slots hold prompts the prefix cache may reuse, which a warm-up step would overwrite.
 *
 * <p>The steps use the engine's own forward pass and batch on the scheduler thread and write the caches of free
 * slots without taking them: a slot taken would count against the queue's capacity ({@code WaitQueue.offer}), so a
 * request arriving during a step could be refused. That is safe because only the scheduler thread admits requests,
 * and it abandons the warm-up first. They touch no observer or metric and leave every cache empty. Scheduler thread
 * only.
 */
final class IdleWarmUp {
    private static final System.Logger LOG = System.getLogger(IdleWarmUp.class.getName());

    /**
     * The steps: {@code {d, p}} = the first {@code d} slots (at most all, and at most {@link #MAX_DECODING}) decode one
     * token each and the last slot takes a prompt chunk of {@code p} tokens. Prompt chunks of several lengths (whole
     * register tiles and remainders), one sequence decoding at later positions, 2-4 sequences decoding together, then
     * every slot decoding beside a prompt chunk: the shapes {@code Scheduler.buildBatch} makes, so that the JIT's
     * profiles hold the branches requests take (a branch never taken while compiling is compiled as a trap, and the
     * first request to take it recompiles the method). At most 13 tokens per step beside the decoding rows: cheap even
     * at 12b.
     */
    static final int[][] PLAN = {
        {0, 8}, {0, 13}, {0, 3},
        {1, 0}, {1, 0}, {1, 0}, {1, 0},
        {2, 0}, {3, 0}, {4, 0},
        {Integer.MAX_VALUE, 8}, {Integer.MAX_VALUE, 8},
    };
    /**
     * Most decoding rows of a step: past the four of the multi-row kernels (so that five or more slots also warm the
     * decoded-tile path of larger batches), while a step of an engine with hundreds of slots stays short.
     */
    static final int MAX_DECODING = 8;
    /** KV positions the plan needs in a slot, whatever the slot count (49 with one slot), rounded up. */
    static final int POSITIONS = 64;
    /** Most prompt tokens of a step. */
    static final int MAX_CHUNK = maxChunk();

    private final NeoxForward forward;
    private final ForwardBatch batch;
    private final KvSlotPool slots;
    private final int vocab;
    private final int plannedSteps;
    private int done;
    /** Stopped before its last step (a request came, or a step failed). */
    private boolean ended;
    /** Whether a step wrote to the slots' caches (which then must be emptied). */
    private boolean touched;
    private long nanos;

    IdleWarmUp(NeoxForward forward, ForwardBatch batch, KvSlotPool slots, int vocab) {
        this.forward = forward;
        this.batch = batch;
        this.slots = slots;
        this.vocab = vocab;
        this.plannedSteps = slots.capacity() >= POSITIONS && forward.maxBatchTokens() >= slots.slots() + MAX_CHUNK
                ? PLAN.length : 0;
    }

    private static int maxChunk() {
        int max = 0;
        for (int[] step : PLAN) {
            max = Math.max(max, step[1]);
        }
        return max;
    }

    /** Whether steps remain. */
    boolean pending() {
        return !ended && done < plannedSteps;
    }

    /** Steps run so far. */
    int stepsDone() {
        return done;
    }

    /** Steps in the whole warm-up (0 when the context or the step budget is too small for it). */
    int plannedSteps() {
        return plannedSteps;
    }

    /**
     * Runs the next step; after the last one, empties the caches it wrote. A failure is logged and ends the warm-up (the
     * requests that follow compile what it did not).
     */
    void step() {
        if (!pending()) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            touched = true;
            batch.clear();
            int decoding = Math.min(Math.min(PLAN[done][0], slots.slots()), MAX_DECODING);
            for (int s = 0; s < decoding; s++) { // decoding rows first, as the scheduler orders them
                batch.add(slots.cache(s), token(31 * done + s), true);
            }
            KvCache last = slots.cache(slots.slots() - 1);
            int chunk = PLAN[done][1];
            for (int i = 0; i < chunk; i++) {
                batch.add(last, token(17 * done + i), i == chunk - 1, true);
            }
            forward.forward(batch);
            done++;
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "the idle warm-up step " + done + " failed; stopping it", e);
            ended = true;
        } finally {
            batch.clear();
            nanos += System.nanoTime() - t0;
        }
        if (!pending()) {
            release();
            LOG.log(System.Logger.Level.DEBUG, String.format("idle warm-up: %d steps in %.0f ms", done,
                    nanos / 1e6));
        }
    }

    /** Stops the warm-up where it is and empties the caches it wrote (a request arrived). */
    void abandon() {
        if (pending()) {
            LOG.log(System.Logger.Level.DEBUG, String.format("idle warm-up stopped after %d of %d steps (%.0f ms): "
                    + "a request arrived", done, plannedSteps, nanos / 1e6));
        }
        ended = true;
        release();
    }

    /** Plain token ids of any GPT-NeoX vocabulary (no specials), varied. */
    private int token(int i) {
        return (300 + i * 7919) % Math.max(1, vocab - 1);
    }

    private void release() {
        if (!touched) {
            return;
        }
        touched = false;
        for (int s = 0; s < slots.slots(); s++) {
            slots.cache(s).clear();
        }
    }
}
