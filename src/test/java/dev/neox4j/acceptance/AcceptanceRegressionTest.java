package dev.neox4j.acceptance;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neox4j.api.rest.ApiException;
import dev.neox4j.api.rest.GenerationPlan;
import dev.neox4j.api.rest.GenerationService;
import dev.neox4j.api.rest.JsonFields;
import dev.neox4j.api.rest.ResponseFormatter;
import dev.neox4j.api.rest.SequenceEvent;
import dev.neox4j.api.rest.SequenceStream;
import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.FinishReason;
import dev.neox4j.engine.runtime.Timings;
import dev.neox4j.engine.runtime.Usage;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regressions for bugs found by the black-box acceptance run (bench/acceptance/): each test names the bug it
 * keeps fixed. Runs on the default test profile (demo model, 4 slots, queue of 16).
 */
@QuarkusTest
class AcceptanceRegressionTest {

    @Inject
    EngineHolder holder;

    @Inject
    GenerationService service;

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

    /**
     * Bug: a client that disconnected from a non-streamed completion made the server log
     * {@code ERROR Mutiny had to drop the following exception: ApiException: the request exceeded its time limit
     * (neox.request-timeout)} on a server without a time limit: the sequences cancelled on the client's behalf were
     * reported as if the engine had cancelled them. Only engine-side cancellations (shutdown, time limit) are errors.
     */
    @Test
    void aSequenceCancelledForAGoneClientIsNotReportedAsATimeout() throws Exception {
        GenerationPlan plan = service.parser().completion(
                JsonFields.of(new ObjectMapper().readTree("{\"prompt\": \"x\", \"max_tokens\": 3}")), "completions");
        Completion cancelled = new Completion(FinishReason.CANCELLED, "", new int[0], List.of(), new Usage(1, 0),
                new Timings(1, 1, 0, 0, 0, 0));

        SequenceStream clientGone = new SequenceStream(0);
        clientGone.cancel(); // what the HTTP layer does when the client goes away
        ResponseFormatter quiet = service.formatter(plan, holder.require(), List.of(clientGone));
        assertEquals(List.of(), quiet.onEvent(new SequenceEvent.Done(0, cancelled)));

        ResponseFormatter engineSide = service.formatter(plan, holder.require(), List.of(new SequenceStream(0)));
        ApiException e = assertThrows(ApiException.class, () -> engineSide.onEvent(new SequenceEvent.Done(0, cancelled)));
        assertEquals(504, e.status());
        assertTrue(e.body().error().message().contains("time limit"), e.body().error().message());
    }
}
