package dev.neox4j.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The {@code neox.inspect.*} and {@code neox.perplexity.*} limits: beyond each, a 400 that names it. */
@QuarkusTest
@TestProfile(InspectLimitsTest.Small.class)
class InspectLimitsTest extends ServerTestBase {

    /** Small limits. */
    public static class Small extends ConfigProfile {
        public Small() {
            super("neox.inspect.max-tokens", "8", "neox.inspect.max-layers", "2",
                    "neox.inspect.max-response-bytes", "8K", "neox.perplexity.max-tokens", "40");
        }
    }

    private static void refused(Object body, String path, String key) {
        given().contentType("application/json").body(body).post(path).then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString(key));
    }

    @Test
    void eachLimitIsNamed() {
        int[] nine = {510, 510, 510, 510, 510, 510, 510, 510, 510};
        refused(Map.of("prompt", nine), "/v1/inspect", "neox.inspect.max-tokens");
        refused(Map.of("prompt", "x", "hidden_states", Map.of("layers", List.of(0, 1)),
                "attention", Map.of("layers", List.of(0))), "/v1/inspect", "neox.inspect.max-layers");
        // 8 tokens x 128 floats x 2 layers = 8 KiB of floats, more in base64
        refused(Map.of("prompt", new int[] {510, 510, 510, 510, 510, 510, 510, 510},
                "hidden_states", Map.of("layers", List.of(0, 1))), "/v1/inspect", "neox.inspect.max-response-bytes");
        refused(Map.of("text", "word ".repeat(41), "ctx", 8), "/v1/perplexity", "neox.perplexity.max-tokens");
        // within the limits
        given().contentType("application/json").body(Map.of("prompt", new int[] {510, 510},
                "hidden_states", Map.of("layers", List.of(2)), "logit_lens", Map.of("top_k", 1))).post("/v1/inspect")
                .then().statusCode(200).body("hidden_states.layers[0].shape", equalTo(List.of(2, 128)));
    }
}
