package dev.neox4j.config;

import dev.neox4j.api.ApiTestClient;
import dev.neox4j.hub.HubFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code NEOX_MODEL=hf://OWNER/REPO:QUANT}: the service downloads the model from the Hub stand-in and serves it. */
@QuarkusTest
@TestProfile(HubModelServiceTest.FromHub.class)
class HubModelServiceTest {

    /** neox.model names a quant of the stand-in's repository. */
    public static class FromHub implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(HubFixture.get().config());
            config.put("neox.model", "hf://" + HubFixture.REPO + ":q8_0");
            return config;
        }
    }

    @Inject
    EngineHolder holder;

    @Test
    void servesACompletionOfTheDownloadedModel() {
        ApiTestClient.awaitReady(holder);
        Path cached = HubFixture.get().cache().resolve("models--neox4j-test--tiny-GGUF/snapshots")
                .resolve(HubFixture.get().commit()).resolve(HubFixture.Q8_0);
        assertTrue(Files.isSymbolicLink(cached) && Files.isRegularFile(cached), cached + " is in the cache");
        given().get("/v1/models").then().statusCode(200)
                .body("data[0].id", equalTo("tiny-gptneox-d256.Q8_0"))
                .body("data[0].quant_type", equalTo("Q8_0"));
        given().contentType("application/json")
                .body("{\"prompt\": \"Hello\", \"max_tokens\": 4, \"temperature\": 0}")
                .post("/v1/completions").then().statusCode(200)
                .body("usage.completion_tokens", equalTo(4))
                .body("choices[0].text.length()", greaterThan(0));
    }
}
