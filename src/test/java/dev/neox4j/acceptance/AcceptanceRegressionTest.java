package dev.neox4j.acceptance;

import dev.neox4j.config.EngineHolder;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

/**
 * Regressions for bugs found by the black-box acceptance run (bench/acceptance/): each test names the bug it
 * keeps fixed. Runs on the default test profile (demo model, 4 slots, queue of 16).
 */
@QuarkusTest
class AcceptanceRegressionTest {

    @Inject
    EngineHolder holder;

    @BeforeEach
    void ready() throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (holder.state() != EngineHolder.State.READY && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    /**
     * Bug: a request with more choices (n times the prompts) than slots + queue places got 429 queue_full with a
     * Retry-After even on an idle server, so a client retried forever (n=69 with the default 4 slots + 64 queued).
     * It is a 400 naming {@code n}; a request that fits exactly is still served.
     */
    @Test
    void moreChoicesThanSlotsPlusQueueIsABadRequestNotAnEndless429() {
        int capacity = holder.config().maxSequences() + holder.config().queueSize();
        given().contentType("application/json")
                .body("{\"prompt\": \"x\", \"max_tokens\": 1, \"n\": " + (capacity + 1) + "}")
                .post("/v1/completions").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("n"))
                .body("error.message", containsString("at most " + capacity));
        given().contentType("application/json")
                .body("{\"prompt\": [\"x\", \"y\"], \"max_tokens\": 1, \"n\": " + (capacity / 2 + 1) + "}")
                .post("/v1/completions").then().statusCode(400)
                .body("error.param", equalTo("n"));
        given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 1, \"n\": "
                        + (capacity + 1) + "}")
                .post("/v1/chat/completions").then().statusCode(400)
                .body("error.param", equalTo("n"));
        given().contentType("application/json")
                .body("{\"prompt\": \"x\", \"max_tokens\": 1, \"n\": " + capacity + "}")
                .post("/v1/completions").then().statusCode(200)
                .body("choices", hasSize(capacity));
    }
}
