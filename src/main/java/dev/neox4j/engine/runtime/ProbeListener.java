package dev.neox4j.engine.runtime;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Turns the events of a prompt-only request into a {@link CompletableFuture}: its result when the prompt has been
 * evaluated, a {@link CancellationException} when the engine cancelled it (time limit, shutdown), the error when it
 * failed. Cancelling the future cancels the request at the next scheduler step.
 */
final class ProbeListener<T> implements GenerationListener {

    private final CompletableFuture<T> future = new CompletableFuture<>();
    private final Supplier<T> result;

    ProbeListener(Supplier<T> result) {
        this.result = result;
    }

    /** The future, wired to cancel {@code handle} when it is cancelled. */
    CompletableFuture<T> future(GenerationHandle handle) {
        future.whenComplete((r, e) -> {
            if (future.isCancelled()) {
                handle.cancel();
            }
        });
        return future;
    }

    @Override
    public void onToken(GeneratedToken token) {
        // prompt-only requests generate nothing
    }

    @Override
    public void onComplete(Completion completion) {
        if (completion.finishReason() == FinishReason.CANCELLED) {
            future.completeExceptionally(new CancellationException(
                    "the request was cancelled (time limit, shutdown or by the caller)"));
        } else {
            future.complete(result.get());
        }
    }

    @Override
    public void onError(Throwable error) {
        future.completeExceptionally(error);
    }
}
