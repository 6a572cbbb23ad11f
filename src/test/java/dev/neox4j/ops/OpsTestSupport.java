package dev.neox4j.ops;

import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.GeneratedToken;
import dev.neox4j.engine.runtime.GenerationListener;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;

/** Shared helpers of the ops tests. */
final class OpsTestSupport {

    /** Upper bound for waits that only guard against hangs; never a performance expectation. */
    static final Duration HANG_GUARD = Duration.ofSeconds(120);

    private OpsTestSupport() {
    }

    /** Scrapes {@code /q/metrics}. */
    static PrometheusScrape scrape() {
        return PrometheusScrape.parse(given().get("/q/metrics").then().statusCode(200).extract().asString());
    }

    /**
     * A listener that records the terminal event, counts tokens and optionally slows the engine down by sleeping in
     * {@link #onToken} (the engine calls listeners on its own thread), so a request reliably outlives a short drain.
     */
    static final class Recorder implements GenerationListener {
        final CompletableFuture<Completion> done = new CompletableFuture<>();
        final AtomicInteger tokens = new AtomicInteger();
        private final long sleepMillisPerToken;

        Recorder(long sleepMillisPerToken) {
            this.sleepMillisPerToken = sleepMillisPerToken;
        }

        @Override
        public void onToken(GeneratedToken token) {
            tokens.incrementAndGet();
            if (sleepMillisPerToken > 0) {
                try {
                    Thread.sleep(sleepMillisPerToken);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void onComplete(Completion completion) {
            done.complete(completion);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        /** Waits for the terminal event; null for {@code onError}. */
        Completion awaitCompletion() throws InterruptedException {
            try {
                return done.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                return null;
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("no terminal event within " + HANG_GUARD, e);
            }
        }
    }
}
