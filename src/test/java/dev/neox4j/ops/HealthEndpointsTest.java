package dev.neox4j.ops;

import dev.neox4j.api.ApiTestClient;
import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.ModelInfo;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/** The health endpoints on a loaded engine: all UP, with the model's id, quant type and context length. */
@QuarkusTest
class HealthEndpointsTest {

    @Inject
    EngineHolder holder;

    @BeforeEach
    void engineIsReady() throws InterruptedException {
        ApiTestClient.awaitReady(holder);
    }

    private ModelInfo info() {
        return holder.engine().orElseThrow().modelInfo();
    }

    @Test
    void startupIsUpWithTheModelDetails() {
        String check = "checks.find { it.name == '" + EngineStartupCheck.NAME + "' }";
        given().get("/q/health/started").then().statusCode(200)
                .body("status", is("UP"))
                .body(check + ".status", is("UP"))
                .body(check + ".data.state", is("READY"))
                .body(check + ".data.model", is(holder.modelId()))
                .body(check + ".data.quant_type", is(info().quantType()))
                .body(check + ".data.context_length", is(info().contextLength()));
    }

    @Test
    void readinessIsUpWhileTheEngineTakesRequests() {
        String check = "checks.find { it.name == '" + EngineReadinessCheck.NAME + "' }";
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", is("UP"))
                .body(check + ".status", is("UP"))
                .body(check + ".data.state", is("READY"))
                .body(check + ".data.model", is(holder.modelId()));
    }

    @Test
    void livenessIsUpAndShowsTheScheduler() {
        String check = "checks.find { it.name == '" + SchedulerLivenessCheck.NAME + "' }";
        given().get("/q/health/live").then().statusCode(200)
                .body("status", is("UP"))
                .body(check + ".status", is("UP"))
                .body(check + ".data.stall_timeout_seconds", is(120))
                .body(check + ".data.steps", greaterThanOrEqualTo(0))
                .body(check + ".data.waiting", greaterThanOrEqualTo(0));
    }

    @Test
    void theAggregateHealthIsUp() {
        given().get("/q/health").then().statusCode(200).body("status", is("UP"));
    }
}
