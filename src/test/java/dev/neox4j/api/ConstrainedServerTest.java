package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.runtime.EngineStats;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletionException;

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

    /**
     * One KV slot, one queue place, API keys required; a stream whose client does not read pauses after a few KB
     * (a small budget, a small kernel send buffer) and is not cancelled for stalling during the test.
     */
    public static class Constrained extends ConfigProfile {
        public Constrained() {
            super("neox.max-sequences", "1", "neox.queue-size", "1", "neox.api-keys", "other-key," + KEY,
                    "neox.stream.max-buffered-bytes", "4K", "neox.stream.stall-timeout", "10m",
                    "neox.http.send-buffer-size", "16K");
        }
    }

    /** A small socket receive buffer, so that the kernel holds little of what the server writes. */
    static final int RECEIVE_BUFFER = 4096;

    @BeforeEach
    void ready() {
        ApiTestClient.await("the engine to be idle", 60, this::idle);
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

    /**
     * The slot and the queue place are held by clients that send a long streamed request and do not read: their
     * sequences pause ({@code neox.stream.*}) instead of finishing, so the queue stays full for as long as the
     * test needs, on a fast machine as on a loaded one (before, a stream read by the JDK's HttpClient could finish
     * its 1800 tokens before the last 429 was asked for, and the request got 200).
     */
    @Test
    void aFullQueueAnswers429WithRetryAfter() {
        String longStream = ApiTestClient.jsonObject("prompt", "hold the slot", "max_tokens", 1800,
                "ignore_eos", true, "stream", true);
        try (RawHttp running = post(longStream)) {
            ApiTestClient.await("one running", 30, () -> stats().running() == 1);
            try (RawHttp waiting = post(longStream)) {
                ApiTestClient.await("one running and one waiting", 30,
                        () -> stats().running() == 1 && stats().waiting() == 1);
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
                assertEquals(1, stats().running());
                assertEquals(1, stats().waiting());
            }
        }
        // the clients went away: their requests are cancelled and free the slot
        ApiTestClient.await("the engine to be idle", 30, this::idle);
    }

    /** Sends a request with the API key on a connection that then reads nothing. */
    RawHttp post(String body) {
        return new RawHttp(base, 60_000, RECEIVE_BUFFER).post("/v1/completions", body,
                "Authorization", "Bearer " + KEY);
    }

    EngineStats stats() {
        return holder.engine().orElseThrow().stats();
    }

    boolean idle() {
        EngineStats s = stats();
        return s.running() == 0 && s.waiting() == 0;
    }
}
