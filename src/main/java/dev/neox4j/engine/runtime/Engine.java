package dev.neox4j.engine.runtime;

import dev.neox4j.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.time.Duration;

/**
 * The engine facade: a loaded model, its tokenizer, the worker pool, the KV slot pool and the
 * continuous-batching scheduler. Thread-safe. API contract; implementation in progress.
 */
public final class Engine implements AutoCloseable {

    /**
     * Maps and validates the model ({@code options.modelPath()}, or the built-in demo model when null),
     * starts the worker pool and the scheduler and runs a warm-up step.
     *
     * @throws IOException if the file cannot be read
     * @throws dev.neox4j.engine.gguf.GgufFormatException if the file is not a valid GGUF
     * @throws IllegalArgumentException if it is not a usable GPT-NeoX model (message names the defect)
     */
    public static Engine open(EngineOptions options) throws IOException {
        throw new UnsupportedOperationException("engine not implemented yet");
    }

    public ModelInfo modelInfo() {
        throw new UnsupportedOperationException();
    }

    public Tokenizer tokenizer() {
        throw new UnsupportedOperationException();
    }

    public EngineOptions options() {
        throw new UnsupportedOperationException();
    }

    /**
     * Queues a sequence. Returns at once; events arrive on {@code listener} from an engine thread.
     *
     * @throws QueueFullException       when the admission queue is full
     * @throws ContextOverflowException when the prompt does not fit and truncation was not asked for
     * @throws IllegalArgumentException for an invalid request (empty prompt, token id out of range, ...)
     * @throws EngineClosedException    while draining or after close
     */
    public GenerationHandle submit(GenerationRequest request, GenerationListener listener) {
        throw new UnsupportedOperationException();
    }

    public EngineStats stats() {
        throw new UnsupportedOperationException();
    }

    /**
     * Stops admitting work, lets running sequences finish for up to {@code timeout}, then cancels the rest.
     */
    public void drain(Duration timeout) {
        throw new UnsupportedOperationException();
    }

    /** Cancels everything, stops the threads and unmaps the model. */
    @Override
    public void close() {
    }
}
