package dev.neox4j.ops;

import dev.neox4j.api.ApiTestClient;
import dev.neox4j.api.ConfigProfile;
import dev.neox4j.config.EngineHolder;
import dev.neox4j.config.EngineUnavailableException;
import dev.neox4j.engine.runtime.Completion;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.FinishReason;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Graceful shutdown as the running application sees it: when the holder drains (what a SIGTERM triggers, see
 * {@link GracefulShutdown}), readiness flips UP → DOWN, startup and liveness stay UP, the API answers 503, and a
 * running request that outlives {@code neox.shutdown.drain-timeout} is cancelled and counted as such. Draining is
 * irreversible, so this class has its own profile (its own application instance).
 */
@QuarkusTest
@TestProfile(ReadinessDrainTest.ShortDrain.class)
class ReadinessDrainTest {

    /** A short drain timeout, so the test's long request is cut off; a non-default liveness stall timeout. */
    public static class ShortDrain extends ConfigProfile {
        public ShortDrain() {
            super("neox.shutdown.drain-timeout", "500ms", "neox.health.stall-timeout", "45s");
        }
    }

    private static final String READY = "checks.find { it.name == '" + EngineReadinessCheck.NAME + "' }";

    @Inject
    EngineHolder holder;

    @Test
    void readinessFlipsDownWhileDrainingAndRunningStreamsAreCutAtTheTimeout() throws Exception {
        ApiTestClient.awaitReady(holder);
        given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"))
                .body(READY + ".data.state", is("READY"));

        Engine engine = holder.require();
        int longTokens = engine.modelInfo().contextLength() - 4;
        OpsTestSupport.Recorder slow = new OpsTestSupport.Recorder(5); // > 10 s of generation
        engine.submit(EngineDrainTest.request(longTokens, "ops-shutdown"), slow);
        long deadline = System.nanoTime() + OpsTestSupport.HANG_GUARD.toNanos();
        while (slow.tokens.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        PrometheusScrape before = OpsTestSupport.scrape();

        Thread drainer = Thread.ofPlatform().name("test-drainer").start(holder::drain);
        while (holder.state() != EngineHolder.State.DRAINING && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(EngineHolder.State.DRAINING, holder.state());

        given().get("/q/health/ready").then().statusCode(503).body("status", is("DOWN"))
                .body(READY + ".status", is("DOWN"))
                .body(READY + ".data.state", is("DRAINING"));
        given().get("/q/health/started").then().statusCode(200).body("status", is("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"))
                .body("checks.find { it.name == '" + SchedulerLivenessCheck.NAME + "' }.data.stall_timeout_seconds",
                        is(45));
        EngineUnavailableException refused = assertThrows(EngineUnavailableException.class, holder::require);
        assertEquals(EngineHolder.State.DRAINING, refused.state());
        given().contentType(ContentType.JSON).body("{\"prompt\": \"Hello\", \"max_tokens\": 1}")
                .post("/v1/completions").then().statusCode(503).body("error.code", is("shutting_down"));

        Completion completion = slow.awaitCompletion();
        if (completion != null) {
            assertEquals(FinishReason.CANCELLED, completion.finishReason());
        }
        drainer.join(OpsTestSupport.HANG_GUARD.toMillis());
        assertFalse(drainer.isAlive(), "drain returned");

        PrometheusScrape after = OpsTestSupport.scrape();
        String outcome = completion == null ? NeoxMetrics.ERROR : NeoxMetrics.CANCELLED;
        assertEquals(1, after.sum("neox_requests_total", "source", "ops-shutdown", "outcome", outcome)
                - before.sum("neox_requests_total", "source", "ops-shutdown", "outcome", outcome));
        given().get("/q/health/ready").then().statusCode(503);
    }
}
