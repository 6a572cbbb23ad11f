package dev.neox4j.api;

import dev.neox4j.config.EngineHolder;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A model that cannot be loaded: with the exit turned off (test profile), the API answers 503 with the reason. */
@QuarkusTest
@TestProfile(ModelLoadFailedApiTest.CorruptModel.class)
class ModelLoadFailedApiTest {

    static final Path CORRUPT = Path.of("target", "corrupt-model-for-api-test.gguf");

    /** Points neox.model at a file that is not a GGUF. */
    public static class CorruptModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(CORRUPT.getParent());
                Files.writeString(CORRUPT, "this is not a GGUF file, just text long enough to have a header......");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("neox.model", CORRUPT.toString());
        }
    }

    @Inject
    EngineHolder holder;

    @TestHTTPResource("/")
    URI base;

    @Test
    void everyApiEndpointAnswers503NamingTheFile() {
        ApiTestClient.await("the load to fail", 60, () -> holder.state() == EngineHolder.State.FAILED);
        assertEquals(true, holder.failure().isPresent());
        given().get("/v1/models").then().statusCode(503)
                .header("Retry-After", equalTo("60"))
                .body("error.type", equalTo("server_error"))
                .body("error.code", equalTo("model_load_failed"))
                .body("error.message", containsString("corrupt-model-for-api-test.gguf"));
        given().contentType("application/json").body("{\"prompt\": \"x\"}").post("/v1/completions").then()
                .statusCode(503).body("error.code", equalTo("model_load_failed"));
        given().contentType("application/json").body("{\"messages\": []}").post("/v1/chat/completions").then()
                .statusCode(503);
        given().contentType("application/json").body("{\"prompt\": \"x\"}").post("/tokenize").then()
                .statusCode(503);
        given().get("/tokenizer_info").then().statusCode(503);
        try (ApiTestClient.Ws ws = ApiTestClient.ws(base)) {
            ws.send("{\"type\": \"completion\", \"id\": \"w\", \"prompt\": \"x\"}");
            var m = ws.next();
            assertEquals("error", m.get("type").asText());
            assertEquals("model_load_failed", m.get("error").get("code").asText());
        }
    }
}
