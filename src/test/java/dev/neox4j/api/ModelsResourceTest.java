package dev.neox4j.api;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} on the demo model. */
@QuarkusTest
class ModelsResourceTest extends ServerTestBase {

    @Test
    void listsTheDemoModelWithWhatItIs() {
        given().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data", hasSize(1))
                .body("data[0].id", equalTo("neox4j-demo"))
                .body("data[0].object", equalTo("model"))
                .body("data[0].owned_by", equalTo("neox4j"))
                .body("data[0].created", greaterThan(1_600_000_000))
                .body("data[0].architecture", equalTo("gptneox"))
                .body("data[0].parameter_count", greaterThan(1_000_000))
                .body("data[0].quant_type", equalTo(holder.engine().orElseThrow().modelInfo().quantType()))
                .body("data[0].context_length", equalTo(holder.engine().orElseThrow().modelInfo().contextLength()))
                .body("data[0].demo", equalTo(true));
    }

    @Test
    void getsTheModelById() {
        given().get("/v1/models/neox4j-demo").then().statusCode(200)
                .body("id", equalTo("neox4j-demo"))
                .body("object", equalTo("model"))
                .body("layers", equalTo(holder.engine().orElseThrow().modelInfo().layers()));
    }

    @Test
    void unknownModelIs404WithAnOpenAiErrorBody() {
        given().get("/v1/models/gpt-4").then().statusCode(404)
                .body("error.message", org.hamcrest.Matchers.containsString("gpt-4"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("model"))
                .body("error.code", equalTo("model_not_found"));
        given().get("/v1/models/org/some-model").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"));
    }

    @Test
    void unknownPathsAndMethodsGetOpenAiErrorBodies() {
        given().get("/v1/nothing-here").then().statusCode(404)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", nullValue());
        given().get("/v1/completions").then().statusCode(405)
                .body("error.message", org.hamcrest.Matchers.notNullValue());
    }
}
