package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Batch invariance through the API, and cancellation of abandoned requests. */
@QuarkusTest
class ConcurrentRequestsTest extends ServerTestBase {

    int busy() {
        var s = holder.engine().orElseThrow().stats();
        return s.running() + s.waiting();
    }

    static Map<String, Object> request(int i) {
        return Map.of("prompt", "Request number " + i + " says", "max_tokens", 10 + i, "temperature", 0.9,
                "seed", 100 + i, "logprobs", 3, "ignore_eos", true, "echo", i % 2 == 0);
    }

    static JsonNode post(Map<String, Object> body) {
        String s = given().contentType("application/json").body(body).post("/v1/completions").then().statusCode(200)
                .extract().asString();
        return ApiTestClient.json(s).get("choices");
    }

    @Test
    void eightConcurrentRequestsEqualTheSameEightOneAtATime() throws Exception {
        List<JsonNode> alone = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            alone.add(post(request(i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<JsonNode>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int k = i;
                futures.add(pool.submit(() -> post(request(k))));
            }
            for (int i = 0; i < 8; i++) {
                // same tokens, same text, bit-identical logprobs
                assertEquals(alone.get(i), futures.get(i).get(), "request " + i);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, busy());
    }

    @Test
    void anAbandonedSseStreamIsCancelledAndFreesItsSlot() {
        ApiTestClient.Sse sse = ApiTestClient.sse(base, "/v1/completions", ApiTestClient.JSON.valueToTree(
                Map.of("prompt", "Forever", "max_tokens", 1800, "ignore_eos", true, "stream", true)).toString());
        assertEquals(200, sse.response.statusCode());
        sse.next();
        sse.next();
        assertEquals(1, busy());
        sse.close();
        ApiTestClient.await("the slot to be free after the client left", 30, () -> busy() == 0);
    }

    @Test
    void anAbandonedNonStreamingRequestIsCancelledAndFreesItsSlot() throws IOException {
        String body = "{\"prompt\": \"Forever again\", \"max_tokens\": 1800, \"ignore_eos\": true}";
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            ApiTestClient.await("the request to run", 30, () -> busy() == 1);
        }
        ApiTestClient.await("the slot to be free after the client left", 30, () -> busy() == 0);
    }

    @Test
    void aSlowReaderDoesNotStallOthers() {
        // a stream whose client reads nothing for a while: other requests still complete
        ApiTestClient.Sse slow = ApiTestClient.sse(base, "/v1/completions", ApiTestClient.JSON.valueToTree(
                Map.of("prompt", "Slow reader", "max_tokens", 300, "ignore_eos", true, "stream", true)).toString());
        try {
            JsonNode quick = post(Map.of("prompt", "Quick", "max_tokens", 5, "ignore_eos", true));
            assertEquals(1, quick.size());
            List<String> events = slow.rest();
            assertEquals("[DONE]", events.getLast());
            assertEquals(300, ApiTestClient.json(events.get(events.size() - 2)).get("timings").get("predicted_n")
                    .asInt());
        } finally {
            slow.close();
        }
    }
}
