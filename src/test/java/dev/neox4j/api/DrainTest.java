package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.config.EngineHolder;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.concurrent.CompletionException;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Draining for shutdown: new requests and WebSocket upgrades get 503, streams still running when the drain timeout expires end with an
 * error event, and a short request that fits in the timeout completes normally.
 */
@QuarkusTest
@TestProfile(DrainTest.ShortDrain.class)
class DrainTest {

    /** A one-second drain timeout. */
    public static class ShortDrain extends ConfigProfile {
        public ShortDrain() {
            super("neox.shutdown.drain-timeout", "1s");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Inject
    EngineHolder holder;

    @Test
    void drainingRefusesNewWorkAndCancelsWhatOutlivesTheTimeout() throws Exception {
        ApiTestClient.awaitReady(holder);
        try (ApiTestClient.Sse sse = ApiTestClient.sse(base, "/v1/completions", "{\"prompt\": \"long\", "
                + "\"max_tokens\": 1900, \"ignore_eos\": true, \"stream\": true}");
             ApiTestClient.Ws ws = ApiTestClient.ws(base)) {
            sse.next();
            ws.send("{\"type\": \"completion\", \"id\": \"w\", \"prompt\": \"long too\", \"max_tokens\": 1900, "
                    + "\"ignore_eos\": true}");
            assertEquals("token", ws.next().get("type").asText());
            Thread drainer = Thread.ofPlatform().start(holder::drain);
            ApiTestClient.await("draining", 10, () -> holder.state() == EngineHolder.State.DRAINING);
            given().contentType("application/json").body("{\"prompt\": \"new\"}").post("/v1/completions").then()
                    .statusCode(503)
                    .header("Retry-After", notNullValue())
                    .body("error.code", equalTo("shutting_down"));
            CompletionException refused = assertThrows(CompletionException.class, () -> ApiTestClient.ws(base));
            assertTrue(refused.getCause() instanceof WebSocketHandshakeException, refused.toString());
            assertEquals(503, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode(),
                    "a new WebSocket is refused while draining");
            List<String> rest = sse.rest();
            assertEquals("[DONE]", rest.getLast());
            JsonNode error = ApiTestClient.json(rest.get(rest.size() - 2));
            assertEquals("shutting_down", error.get("error").get("code").asText(), error.toString());
            JsonNode m;
            do {
                m = ws.next();
            } while (m.get("type").asText().equals("token"));
            assertEquals("error", m.get("type").asText());
            assertEquals("w", m.get("id").asText());
            assertEquals("shutting_down", m.get("error").get("code").asText());
            drainer.join(30_000);
            assertEquals(false, drainer.isAlive());
        }
    }
}
