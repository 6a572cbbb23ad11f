package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backpressure ({@code neox.stream.*}, issue 18 item 1): a client that requests a long stream and never reads
 * makes its sequences stop taking decode steps once a few KB wait for it, and after the stall timeout its request
 * is cancelled with a final {@code slow_client} error and its slots are freed; a normal client next to it is served
 * at once and correctly. Before, generation ran on at full speed and the output piled up in the server.
 */
@QuarkusTest
@TestProfile(SlowClientTest.SmallBudget.class)
class SlowClientTest extends ServerTestBase {

    /**
     * A small buffer budget, a short stall timeout, a slot for the normal client beside the slow one's two, and a
     * small kernel send buffer (on loopback Linux lets it grow to 4 MB, more than the whole stream).
     */
    public static class SmallBudget extends ConfigProfile {
        public SmallBudget() {
            super("neox.stream.max-buffered-bytes", "4K", "neox.stream.stall-timeout", "3s",
                    "neox.max-sequences", "3", "neox.http.send-buffer-size", "16K");
        }
    }

    /** A small socket receive buffer, so that the kernel holds little of what the server writes. */
    static final int RECEIVE_BUFFER = 4096;

    int busy() {
        var s = holder.engine().orElseThrow().stats();
        return s.running() + s.waiting();
    }

    int longTokens() {
        return holder.engine().orElseThrow().modelInfo().contextLength() - 16;
    }

    /** The long request: two choices of nearly the whole context, with logprobs (big events). */
    Map<String, Object> longRequest() {
        return ApiTestClient.map("prompt", "Slow", "max_tokens", longTokens(), "ignore_eos", true, "n", 2,
                "logprobs", 5, "temperature", 0.8, "seed", 7);
    }

    /** A short greedy request streamed next to the slow one equals the same request answered alone. */
    void aNormalClientIsServed() {
        String alone = given().contentType("application/json")
                .body(Map.of("prompt", "Normal", "max_tokens", 8, "temperature", 0))
                .post("/v1/completions").then().statusCode(200).extract().path("choices[0].text");
        StringBuilder streamed = new StringBuilder();
        try (ApiTestClient.Sse normal = ApiTestClient.sse(base, "/v1/completions", ApiTestClient.jsonObject(
                "prompt", "Normal", "max_tokens", 8, "temperature", 0, "stream", true))) {
            List<String> events = normal.rest();
            assertEquals("[DONE]", events.getLast(), events.toString());
            events.subList(0, events.size() - 1).forEach(e -> streamed.append(ApiTestClient.json(e)
                    .get("choices").get(0).get("text").asText()));
        }
        assertEquals(alone, streamed.toString());
    }

    @Test
    void anSseClientThatDoesNotReadIsPausedThenCancelledWhileANormalOneIsServed() {
        String body = ApiTestClient.JSON.<com.fasterxml.jackson.databind.node.ObjectNode>valueToTree(longRequest()).put("stream", true).toString();
        try (RawHttp slow = new RawHttp(base, 60_000, RECEIVE_BUFFER)) {
            slow.post("/v1/completions", body); // and then reads nothing
            ApiTestClient.await("the slow request to start", 30, () -> busy() == 2);
            aNormalClientIsServed();
            ApiTestClient.await("the stalled sequences to free their slots", 60, () -> busy() == 0);
            // the slow client gets what was buffered, then a final slow_client error instead of the whole stream
            RawHttp.Response r = slow.read();
            assertEquals(200, r.status());
            List<String> data = r.body().lines().filter(l -> l.startsWith("data: ")).toList();
            assertEquals("data: [DONE]", data.getLast());
            JsonNode error = ApiTestClient.json(data.get(data.size() - 2).substring(6)).get("error");
            assertNotNull(error, data.get(data.size() - 2));
            assertEquals("slow_client", error.get("code").asText());
            assertTrue(data.size() < longTokens() / 2, "the engine stopped generating for the slow client, "
                    + "but it received " + data.size() + " events of " + 2 * longTokens());
        }
    }

    @Test
    void aWebSocketClientThatDoesNotReadIsPausedThenCancelledWhileANormalOneIsServed() {
        String request = ApiTestClient.JSON.<com.fasterxml.jackson.databind.node.ObjectNode>valueToTree(longRequest()).put("type", "completion").put("id", "slow")
                .toString();
        try (RawWebSocket slow = new RawWebSocket(base, "/v1/stream", RECEIVE_BUFFER)) {
            slow.sendText(request); // and then reads nothing
            ApiTestClient.await("the slow request to start", 30, () -> busy() == 2);
            aNormalClientIsServed();
            ApiTestClient.await("the stalled sequences to free their slots", 60, () -> busy() == 0);
            int tokens = 0;
            JsonNode last = null;
            RawWebSocket.Frame f;
            while ((f = slow.next()) != null && f.opcode() == RawWebSocket.TEXT) {
                last = ApiTestClient.json(f.text());
                if ("error".equals(last.get("type").asText())) {
                    break;
                }
                tokens++;
            }
            assertNotNull(last, "no message at all");
            assertEquals("error", last.get("type").asText(), last.toString());
            assertEquals("slow_client", last.get("error").get("code").asText(), last.toString());
            assertTrue(tokens < longTokens() / 2, "the engine stopped generating for the slow client, but it "
                    + "received " + tokens + " messages of " + 2 * longTokens());
        }
    }
}
