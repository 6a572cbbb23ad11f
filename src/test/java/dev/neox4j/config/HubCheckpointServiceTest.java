package dev.neox4j.config;

import dev.neox4j.api.ApiTestClient;
import dev.neox4j.engine.checkpoint.CheckpointFilesForTests;
import dev.neox4j.hub.HubFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code NEOX_MODEL=hf://OWNER/REPO@REVISION}: a sharded safetensors checkpoint comes from the Hub stand-in into a
 * snapshot directory, the checkpoint loader serves it, and the API names it {@code REPO@REVISION}.
 */
@QuarkusTest
@TestProfile(HubCheckpointServiceTest.CheckpointFromHub.class)
class HubCheckpointServiceTest {

    /** A tiny checkpoint committed on branch step3000 of acme/pythia-tiny. */
    public static class CheckpointFromHub implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path dir = CheckpointFilesForTests.writeShardedSafetensors(
                        Files.createTempDirectory("neox4j-hub-checkpoint"));
                Map<String, byte[]> files = new HashMap<>();
                try (Stream<Path> s = Files.list(dir)) {
                    for (Path p : s.toList()) {
                        files.put(p.getFileName().toString(), Files.readAllBytes(p));
                    }
                }
                HubFixture.get().hub().repo("acme/pythia-tiny").commit("step3000", files);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> config = new HashMap<>(HubFixture.get().config());
            config.put("neox.model", "hf://acme/pythia-tiny@step3000");
            return config;
        }
    }

    @Inject
    EngineHolder holder;

    @Test
    void servesTheCheckpointUnderItsRepositoryName() {
        ApiTestClient.awaitReady(holder);
        given().get("/v1/models").then().statusCode(200).body("data[0].id", equalTo("pythia-tiny@step3000"));
        given().contentType("application/json")
                .body("{\"prompt\": \"Hello\", \"max_tokens\": 3, \"temperature\": 0}")
                .post("/v1/completions").then().statusCode(200)
                .body("model", equalTo("pythia-tiny@step3000"))
                .body("usage.completion_tokens", equalTo(3));
    }
}
