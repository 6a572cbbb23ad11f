package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code "stream": true}: Server-Sent Events exactly as OpenAI sends them, read line by line. */
@QuarkusTest
class StreamingSseTest extends ServerTestBase {

    static String body(Object... kv) {
        return ApiTestClient.jsonObject(kv);
    }

    static JsonNode nonStream(String path, String body) {
        return ApiTestClient.json(given().contentType("application/json").body(body).post(path).then()
                .statusCode(200).extract().asString());
    }

    @Test
    void completionStreamsOneChunkPerTokenThenFinishThenDone() {
        String req = body("prompt", "Stream me", "max_tokens", 10, "temperature", 0, "ignore_eos", true,
                "logprobs", 2);
        try (ApiTestClient.Sse sse = ApiTestClient.sse(base, "/v1/completions",
                body("prompt", "Stream me", "max_tokens", 10, "temperature", 0, "ignore_eos", true, "logprobs", 2,
                        "stream", true))) {
            assertEquals(200, sse.response.statusCode());
            assertTrue(sse.response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            StringBuilder text = new StringBuilder();
            List<String> tokens = new ArrayList<>();
            String id = null;
            JsonNode finish = null;
            String data;
            while ((data = sse.next()) != null && !data.equals("[DONE]")) {
                JsonNode chunk = ApiTestClient.json(data);
                assertEquals("text_completion", chunk.get("object").asText());
                if (id == null) {
                    id = chunk.get("id").asText();
                }
                assertEquals(id, chunk.get("id").asText(), "one id per stream");
                JsonNode choice = chunk.get("choices").get(0);
                assertEquals(0, choice.get("index").asInt());
                if (!choice.get("finish_reason").isNull()) {
                    finish = chunk;
                    assertEquals("", choice.get("text").asText());
                    continue;
                }
                assertNull(finish, "no token after the finish chunk");
                JsonNode lp = choice.get("logprobs");
                assertEquals(1, lp.get("tokens").size(), "one token per chunk");
                tokens.add(lp.get("tokens").get(0).asText());
                text.append(choice.get("text").asText());
            }
            assertEquals("[DONE]", data);
            assertNull(sse.next(), "nothing after [DONE]");
            assertNotNull(finish);
            assertEquals("length", finish.get("choices").get(0).get("finish_reason").asText());
            assertEquals(10, finish.get("timings").get("predicted_n").asInt());
            assertEquals(10, tokens.size());

            JsonNode full = nonStream("/v1/completions", req);
            assertEquals(full.get("choices").get(0).get("text").asText(), text.toString());
            List<String> fullTokens = new ArrayList<>();
            full.get("choices").get(0).get("logprobs").get("tokens").forEach(t -> fullTokens.add(t.asText()));
            assertEquals(fullTokens, tokens);
        }
    }

    @Test
    void includeUsageAddsAFinalChunkWithEmptyChoices() {
        try (ApiTestClient.Sse sse = ApiTestClient.sse(base, "/v1/completions",
                body("prompt", List.of("one", "two"), "max_tokens", 3, "n", 2, "ignore_eos", true, "stream", true,
                        "stream_options", Map.of("include_usage", true)))) {
            List<String> events = sse.rest();
            assertEquals("[DONE]", events.getLast());
            JsonNode usageChunk = ApiTestClient.json(events.get(events.size() - 2));
            assertEquals(0, usageChunk.get("choices").size());
            assertEquals(12, usageChunk.get("usage").get("completion_tokens").asInt());
            assertEquals(12, usageChunk.get("timings").get("predicted_n").asInt());
            // every one of the 4 choices finishes once
            int[] finished = new int[4];
            for (String e : events.subList(0, events.size() - 2)) {
                JsonNode chunk = ApiTestClient.json(e);
                assertFalse(chunk.has("usage"), "usage only in the last chunk");
                JsonNode choice = chunk.get("choices").get(0);
                if (!choice.get("finish_reason").isNull()) {
                    finished[choice.get("index").asInt()]++;
                }
            }
            assertEquals("[1, 1, 1, 1]", java.util.Arrays.toString(finished));
        }
    }

    @Test
    void echoStreamsThePromptFirst() {
        for (boolean logprobs : new boolean[]{false, true}) {
            String req = logprobs
                    ? body("prompt", "Echo me", "max_tokens", 3, "echo", true, "stream", true, "ignore_eos", true,
                    "temperature", 0, "logprobs", 1)
                    : body("prompt", "Echo me", "max_tokens", 3, "echo", true, "stream", true, "ignore_eos", true,
                    "temperature", 0);
            try (ApiTestClient.Sse sse = ApiTestClient.sse(base, "/v1/completions", req)) {
                List<String> events = sse.rest();
                JsonNode first = ApiTestClient.json(events.getFirst()).get("choices").get(0);
                assertEquals("Echo me", first.get("text").asText());
                if (logprobs) {
                    assertTrue(first.get("logprobs").get("token_logprobs").get(0).isNull());
                }
                StringBuilder all = new StringBuilder();
                for (String e : events.subList(0, events.size() - 1)) {
                    all.append(ApiTestClient.json(e).get("choices").get(0).get("text").asText());
                }
                JsonNode full = nonStream("/v1/completions", req.replace("\"stream\":true", "\"stream\":false"));
                assertEquals(full.get("choices").get(0).get("text").asText(), all.toString());
            }
        }
    }

    @Test
    void chatStreamsRoleThenContentDeltasThenFinish() {
        List<Map<String, Object>> messages = List.of(Map.of("role", "user", "content", "Say something"));
        String req = body("messages", messages, "max_tokens", 8, "temperature", 0, "logprobs", true,
                "top_logprobs", 2);
        try (ApiTestClient.Sse sse = ApiTestClient.sse(base, "/v1/chat/completions",
                req.substring(0, req.length() - 1) + ",\"stream\":true}")) {
            List<String> events = sse.rest();
            assertEquals("[DONE]", events.getLast());
            JsonNode first = ApiTestClient.json(events.getFirst());
            assertEquals("chat.completion.chunk", first.get("object").asText());
            assertTrue(first.get("id").asText().startsWith("chatcmpl-"));
            assertEquals("assistant", first.get("choices").get(0).get("delta").get("role").asText());
            StringBuilder content = new StringBuilder();
            int logprobEntries = 0;
            JsonNode last = ApiTestClient.json(events.get(events.size() - 2));
            for (String e : events.subList(1, events.size() - 2)) {
                JsonNode choice = ApiTestClient.json(e).get("choices").get(0);
                assertTrue(choice.get("finish_reason").isNull());
                if (choice.get("delta").has("content")) {
                    content.append(choice.get("delta").get("content").asText());
                }
                if (!choice.get("logprobs").isNull()) {
                    logprobEntries += choice.get("logprobs").get("content").size();
                }
            }
            JsonNode lastChoice = last.get("choices").get(0);
            assertEquals(0, lastChoice.get("delta").size(), "the finish chunk has an empty delta");
            assertFalse(lastChoice.get("finish_reason").isNull());
            JsonNode full = nonStream("/v1/chat/completions", req);
            assertEquals(full.get("choices").get(0).get("message").get("content").asText(), content.toString(),
                    "the deltas add up to the non-streamed message, trimmed alike");
            assertEquals(full.get("choices").get(0).get("logprobs").get("content").size(), logprobEntries);
        }
    }

    @Test
    void theBodyNotTheAcceptHeaderChoosesJsonOrSse() {
        // the official OpenAI clients send "Accept: application/json" for streams too
        for (String accept : new String[]{"application/json", "text/event-stream", "*/*", "text/html"}) {
            try (ApiTestClient.Sse sse = ApiTestClient.sse(base, "/v1/completions",
                    body("prompt", "x", "max_tokens", 2, "stream", true), "Accept", accept)) {
                assertEquals(200, sse.response.statusCode(), accept);
                assertTrue(sse.response.headers().firstValue("content-type").orElse("")
                        .startsWith("text/event-stream"), accept);
                assertEquals("[DONE]", sse.rest().getLast());
            }
            given().accept(accept).contentType("application/json").body(body("prompt", "x", "max_tokens", 2))
                    .post("/v1/completions").then().statusCode(200)
                    .contentType(org.hamcrest.Matchers.startsWith("application/json"));
            given().accept(accept).contentType("application/json")
                    .body(body("messages", List.of(Map.of("role", "user", "content", "x")), "max_tokens", 2))
                    .post("/v1/chat/completions").then().statusCode(200)
                    .contentType(org.hamcrest.Matchers.startsWith("application/json"));
        }
    }

    @Test
    void errorsBeforeTheStreamStartsAreJson() {
        try (ApiTestClient.Sse sse = ApiTestClient.sse(base, "/v1/completions",
                body("prompt", "x", "stream", true, "temperature", "hot"))) {
            assertEquals(400, sse.response.statusCode());
            String all = new String(sse.response.body().readAllBytes());
            assertEquals("temperature", ApiTestClient.json(all).get("error").get("param").asText());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
