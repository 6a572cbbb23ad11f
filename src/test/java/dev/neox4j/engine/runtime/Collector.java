package dev.neox4j.engine.runtime;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A listener that records every event of one sequence, for tests. */
class Collector implements GenerationListener {
    final List<GeneratedToken> tokens = new CopyOnWriteArrayList<>();
    final CompletableFuture<Completion> done = new CompletableFuture<>();
    volatile int promptEvaluated = -1;
    volatile int events;

    @Override
    public void onPromptEvaluated(int promptTokens) {
        promptEvaluated = promptTokens;
    }

    @Override
    public void onToken(GeneratedToken token) {
        tokens.add(token);
    }

    @Override
    public void onComplete(Completion completion) {
        if (!done.complete(completion)) {
            throw new AssertionError("onComplete called twice");
        }
    }

    @Override
    public void onError(Throwable error) {
        done.completeExceptionally(error);
    }

    /** The completion (fails the test after 60 s: a hang is a bug). */
    Completion await() {
        try {
            return done.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("sequence did not complete: " + e, e);
        }
    }

    String streamedText() {
        StringBuilder sb = new StringBuilder();
        for (GeneratedToken t : tokens) {
            sb.append(t.text());
        }
        return sb.toString();
    }
}
