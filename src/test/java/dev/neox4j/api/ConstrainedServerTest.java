package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** API keys (401) and a full admission queue (429) on a server with one slot and a queue of one. */
@QuarkusTest
@TestProfile(ConstrainedServerTest.Constrained.class)
class ConstrainedServerTest extends ServerTestBase {

    static final String KEY = "sk-test-key";

    /** One KV slot, one queue place, API keys required. */
    public static class Constrained implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("neox.max-sequences", "1", "neox.queue-size", "1", "neox.api-keys", "other-key," + KEY);
        }
    }

    final ExecutorService background = Executors.newCachedThreadPool();

    @BeforeEach
    void ready() {
        ApiTestClient.await("the engine to be idle", 60, this::idle);
    }

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    @Test
    void everyApiEndpointNeedsAKey() {
        for (String path : new String[]{"/v1/models", "/v1/models/neox4j-demo", "/tokenizer_info"}) {
            given().get(path).then().statusCode(401)
                    .body("error.code", equalTo("invalid_api_key"))
                    .body("error.type", equalTo("invalid_request_error"));
            given().header("Authorization", "Bearer wrong").get(path).then().statusCode(401)
                    .body("error.message", containsString("Incorrect API key"));
            given().header("Authorization", "Basic " + KEY).get(path).then().statusCode(401);
            given().header("Authorization", "Bearer " + KEY).get(path).then().statusCode(200);
            given().header("Authorization", "bearer other-key").get(path).then().statusCode(200);
        }
        for (String path : new String[]{"/v1/completions", "/v1/chat/completions", "/tokenize", "/detokenize"}) {
            given().contentType("application/json").body("{}").post(path).then().statusCode(401);
        }
        given().get("/v1/unknown").then().statusCode(401);
    }

    @Test
    void healthMetricsAndOpenApiStayOpen() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
    }

    @Test
    void theWebSocketNeedsAKeyToo() {
        CompletionException e = assertThrows(CompletionException.class, () -> ApiTestClient.ws(base));
        assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
        assertEquals(401, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
        try (ApiTestClient.Ws ws = ApiTestClient.ws(base, "Authorization", "Bearer " + KEY)) {
            ws.send("{\"type\": \"completion\", \"id\": \"k\", \"prompt\": \"x\", \"max_tokens\": 1}");
            JsonNode m;
            do {
                m = ws.next();
            } while (m.get("type").asText().equals("token"));
            assertEquals("done", m.get("type").asText());
        }
        try (ApiTestClient.Ws ws = ApiTestClient.wsQuery(base, KEY)) {
            ws.send("{\"type\": \"cancel\", \"id\": \"none\"}");
            assertEquals("error", ws.next().get("type").asText());
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        String longStream = "{\"prompt\": \"hold the slot\", \"max_tokens\": 1800, \"ignore_eos\": true, "
                + "\"stream\": true}";
        try (ApiTestClient.Sse running = ApiTestClient.sse(base, "/v1/completions", longStream,
                "Authorization", "Bearer " + KEY)) {
            assertEquals(200, running.response.statusCode());
            running.next();
            // the queued stream's response starts only when it gets the slot: open it in the background
            CompletableFuture<ApiTestClient.Sse> waiting = CompletableFuture.supplyAsync(() -> ApiTestClient.sse(base,
                    "/v1/completions", longStream, "Authorization", "Bearer " + KEY), background);
            try {
                ApiTestClient.await("one running and one waiting", 30, () -> {
                    var s = holder.engine().orElseThrow().stats();
                    return s.running() == 1 && s.waiting() == 1;
                });
                given().header("Authorization", "Bearer " + KEY).contentType("application/json")
                        .body("{\"prompt\": \"no room\", \"max_tokens\": 2}")
                        .post("/v1/completions").then().statusCode(429)
                        .header("Retry-After", notNullValue())
                        .body("error.code", equalTo("queue_full"))
                        .body("error.type", equalTo("rate_limit_exceeded"))
                        .body("error.message", notNullValue());
                given().header("Authorization", "Bearer " + KEY).contentType("application/json")
                        .body("{\"prompt\": \"no room\", \"max_tokens\": 2, \"stream\": true}")
                        .post("/v1/completions").then().statusCode(429);
                // a request with several choices is refused whole: nothing of it keeps running
                given().header("Authorization", "Bearer " + KEY).contentType("application/json")
                        .body("{\"prompt\": [\"a\", \"b\"], \"max_tokens\": 2}")
                        .post("/v1/completions").then().statusCode(429);
            } finally {
                running.close();
                waiting.get(60, TimeUnit.SECONDS).close();
            }
        }
        ApiTestClient.await("the engine to be idle", 30, this::idle);
    }

    boolean idle() {
        var s = holder.engine().orElseThrow().stats();
        return s.running() == 0 && s.waiting() == 0;
    }
}
