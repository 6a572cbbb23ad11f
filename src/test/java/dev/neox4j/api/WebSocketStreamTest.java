package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /v1/stream}: the WebSocket protocol, token by token, with cancel and several requests per connection. */
@QuarkusTest
class WebSocketStreamTest extends ServerTestBase {

    static String msg(Object... kv) {
        return ApiTestClient.jsonObject(kv);
    }

    int running() {
        return holder.engine().orElseThrow().stats().running() + holder.engine().orElseThrow().stats().waiting();
    }

    @Test
    void completionStreamsTokenMessagesThenDone() {
        try (ApiTestClient.Ws ws = ApiTestClient.ws(base)) {
            ws.send(msg("type", "completion", "id", "a1", "prompt", "Over the socket", "max_tokens", 7,
                    "temperature", 0, "ignore_eos", true, "logprobs", 2));
            StringBuilder text = new StringBuilder();
            JsonNode m;
            int tokens = 0;
            while ((m = ws.next()).get("type").asText().equals("token")) {
                assertEquals("a1", m.get("id").asText());
                assertEquals(0, m.get("index").asInt());
                assertTrue(m.get("token_id").isInt());
                assertTrue(m.get("logprob").asDouble() <= 0);
                assertEquals(2, m.get("top_logprobs").size());
                assertTrue(m.get("top_logprobs").get(0).get("token_id").isInt());
                text.append(m.get("text").asText());
                tokens++;
            }
            assertEquals("done", m.get("type").asText());
            assertEquals("a1", m.get("id").asText());
            assertEquals("length", m.get("finish_reason").asText());
            assertEquals(7, tokens);
            assertEquals(7, m.get("usage").get("completion_tokens").asInt());
            assertEquals(7, m.get("timings").get("predicted_n").asInt());
            assertEquals(text.toString(), m.get("text").asText());
            String rest = given().contentType("application/json").body(msg("prompt", "Over the socket",
                    "max_tokens", 7, "temperature", 0, "ignore_eos", true)).post("/v1/completions").then()
                    .statusCode(200).extract().path("choices[0].text");
            assertEquals(rest, text.toString());
        }
    }

    @Test
    void chatOverTheSocket() {
        try (ApiTestClient.Ws ws = ApiTestClient.ws(base)) {
            ws.send(msg("type", "chat", "id", 42, "messages", List.of(Map.of("role", "user", "content", "Hi")),
                    "max_tokens", 4, "temperature", 0));
            JsonNode m;
            StringBuilder streamed = new StringBuilder();
            while ((m = ws.next()).get("type").asText().equals("token")) {
                assertEquals("42", m.get("id").asText());
                assertTrue(!m.has("logprob"), "no logprob unless asked");
                streamed.append(m.get("text").asText());
            }
            assertEquals("done", m.get("type").asText());
            assertEquals(m.get("text").asText(), streamed.toString(), "token texts add up to the trimmed reply");
            String content = given().contentType("application/json").body(msg("messages",
                    List.of(Map.of("role", "user", "content", "Hi")), "max_tokens", 4, "temperature", 0))
                    .post("/v1/chat/completions").then().statusCode(200).extract().path("choices[0].message.content");
            assertEquals(content, m.get("text").asText());
        }
    }

    @Test
    void severalRequestsRunOverOneConnection() {
        try (ApiTestClient.Ws ws = ApiTestClient.ws(base)) {
            ws.send(msg("type", "completion", "id", "x", "prompt", "first", "max_tokens", 5, "ignore_eos", true));
            ws.send(msg("type", "completion", "id", "y", "prompt", "second", "max_tokens", 6, "ignore_eos", true));
            Map<String, Integer> tokens = new HashMap<>();
            Map<String, Integer> done = new HashMap<>();
            while (done.size() < 2) {
                JsonNode m = ws.next();
                String id = m.get("id").asText();
                assertTrue(id.equals("x") || id.equals("y"), m.toString());
                switch (m.get("type").asText()) {
                    case "token" -> tokens.merge(id, 1, Integer::sum);
                    case "done" -> done.put(id, m.get("usage").get("completion_tokens").asInt());
                    default -> throw new AssertionError(m.toString());
                }
            }
            assertEquals(Map.of("x", 5, "y", 6), tokens);
            assertEquals(Map.of("x", 5, "y", 6), done);
        }
    }

    @Test
    void cancelStopsTheRequestAndFreesItsSlot() {
        try (ApiTestClient.Ws ws = ApiTestClient.ws(base)) {
            ws.send(msg("type", "completion", "id", "long", "prompt", "never ending", "max_tokens", 1500,
                    "ignore_eos", true));
            JsonNode first = ws.next();
            assertEquals("token", first.get("type").asText());
            ws.send(msg("type", "cancel", "id", "long"));
            JsonNode m;
            int more = 0;
            while ((m = ws.next()).get("type").asText().equals("token")) {
                more++;
            }
            assertEquals("done", m.get("type").asText(), m.toString());
            assertEquals("cancelled", m.get("finish_reason").asText());
            assertTrue(m.get("usage").get("completion_tokens").asInt() < 1500);
            assertTrue(more < 1499);
            ApiTestClient.await("the slot to be free", 30, () -> running() == 0);
        }
    }

    @Test
    void closingTheConnectionCancelsItsSequences() {
        ApiTestClient.Ws ws = ApiTestClient.ws(base);
        ws.send(msg("type", "completion", "id", "1", "prompt", "abandon", "max_tokens", 1500, "ignore_eos", true));
        ws.send(msg("type", "completion", "id", "2", "prompt", "abandon too", "max_tokens", 1500,
                "ignore_eos", true));
        assertEquals("token", ws.next().get("type").asText());
        ApiTestClient.await("both to run", 30, () -> running() == 2);
        ws.socket.abort();
        ApiTestClient.await("the slots to be free", 30, () -> running() == 0);
    }

    @Test
    void errorsAreMessagesAndTheConnectionStaysUsable() {
        try (ApiTestClient.Ws ws = ApiTestClient.ws(base)) {
            ws.send("{nope");
            JsonNode e = ws.next();
            assertEquals("error", e.get("type").asText());
            assertTrue(e.get("id").isNull());
            assertEquals("invalid_request_error", e.get("error").get("type").asText());

            ws.send(msg("type", "dance", "id", "d"));
            e = ws.next();
            assertEquals("d", e.get("id").asText());
            assertEquals("type", e.get("error").get("param").asText());

            ws.send(msg("type", "completion", "prompt", "no id"));
            assertEquals("id", ws.next().get("error").get("param").asText());

            ws.send(msg("type", "completion", "id", "t", "prompt", "x", "temperature", "hot"));
            e = ws.next();
            assertEquals("t", e.get("id").asText());
            assertEquals("temperature", e.get("error").get("param").asText());

            ws.send(msg("type", "completion", "id", "m", "prompt", "x", "model", "gpt-4"));
            assertEquals("model_not_found", ws.next().get("error").get("code").asText());

            ws.send(msg("type", "cancel", "id", "unknown"));
            assertEquals("error", ws.next().get("type").asText());

            ws.send(msg("type", "completion", "id", "dup", "prompt", "x", "max_tokens", 1000, "ignore_eos", true));
            ws.send(msg("type", "completion", "id", "dup", "prompt", "x"));
            JsonNode m;
            do {
                m = ws.next();
            } while (m.get("type").asText().equals("token"));
            assertEquals("error", m.get("type").asText(), m.toString());
            assertEquals("dup", m.get("id").asText());
            ws.send(msg("type", "cancel"));
            do {
                m = ws.next();
            } while (m.get("type").asText().equals("token"));
            assertEquals("done", m.get("type").asText());
            assertEquals("cancelled", m.get("finish_reason").asText());

            ws.send(msg("type", "completion", "id", "ok", "prompt", "still works", "max_tokens", 2,
                    "ignore_eos", true));
            do {
                m = ws.next();
            } while (m.get("type").asText().equals("token"));
            assertEquals("done", m.get("type").asText());
            assertEquals("ok", m.get("id").asText());
        }
    }
}
