package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.api.rest.GenerationPlan;
import dev.neox4j.api.rest.GenerationService;
import dev.neox4j.api.rest.JsonFields;
import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.ChatTurn;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /v1/chat/completions} on the demo model. */
@QuarkusTest
class ChatCompletionsTest extends ServerTestBase {

    @Inject
    GenerationService service;

    static final List<Map<String, Object>> MESSAGES = List.of(
            Map.of("role", "system", "content", "Be brief."),
            Map.of("role", "user", "content", "Hi"),
            Map.of("role", "assistant", "content", "Hello!"),
            Map.of("role", "user", "content", List.of(Map.of("type", "text", "text", "Why?"))));

    static JsonNode chat(Map<String, Object> body) {
        Response r = given().contentType("application/json").body(body).post("/v1/chat/completions");
        assertEquals(200, r.statusCode(), r.asString());
        return ApiTestClient.json(r.asString());
    }

    @Test
    void answersInTheChatShapeWithUsageAndTimings() {
        JsonNode r = chat(Map.of("messages", MESSAGES, "max_tokens", 6, "temperature", 0));
        assertTrue(r.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat.completion", r.get("object").asText());
        assertEquals("neox4j-demo", r.get("model").asText());
        JsonNode choice = r.get("choices").get(0);
        assertEquals(0, choice.get("index").asInt());
        assertEquals("assistant", choice.get("message").get("role").asText());
        String content = choice.get("message").get("content").asText();
        assertEquals(content.strip(), content);
        assertTrue(choice.get("logprobs").isNull());
        assertTrue(List.of("stop", "length").contains(choice.get("finish_reason").asText()));
        String prompt = holder.chatTemplate().render(List.of(ChatTurn.system("Be brief."), ChatTurn.user("Hi"),
                ChatTurn.assistant("Hello!"), ChatTurn.user("Why?")));
        int promptTokens = holder.engine().orElseThrow().tokenizer().encode(prompt, true).length;
        assertEquals(promptTokens, r.get("usage").get("prompt_tokens").asInt());
        assertTrue(r.get("usage").get("completion_tokens").asInt() <= 6);
        int cached = r.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt();
        assertEquals(promptTokens - cached, r.get("timings").get("prompt_n").asInt(), "tokens evaluated");
    }

    @Test
    void rendersWithTheTemplateAndStopsAtTheNextUserTurn() {
        var parser = service.parser();
        GenerationPlan plan = parser.chat(JsonFields.of(ApiTestClient.JSON.valueToTree(
                Map.of("messages", MESSAGES, "stop", "END"))), "chat");
        var request = plan.sequences().getFirst().request();
        String expected = "Be brief.\n\nUser: Hi\nAssistant: Hello!\nUser: Why?\nAssistant:";
        assertEquals(expected, plan.sequences().getFirst().promptText());
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                holder.engine().orElseThrow().tokenizer().encode(expected, true), request.prompt());
        assertTrue(request.stop().contains("\nUser:"), request.stop().toString());
        assertTrue(request.stop().contains("END"), request.stop().toString());
        // without max_tokens a chat may use the rest of the context
        int ctx = holder.engine().orElseThrow().modelInfo().contextLength();
        assertEquals(ctx - request.prompt().length, request.maxTokens());
    }

    @Test
    void textPartsOfOneMessageAreJoinedByANewline() {
        GenerationPlan plan = service.parser().chat(JsonFields.of(ApiTestClient.JSON.valueToTree(Map.of("messages",
                List.of(Map.of("role", "user", "content", List.of(Map.of("type", "text", "text", "one"),
                        Map.of("type", "text", "text", "two"))))))), "chat");
        assertEquals(ChatTemplate.DEFAULT.render(List.of(ChatTurn.user("one\ntwo"))),
                plan.sequences().getFirst().promptText());
    }

    @Test
    void chatLogprobsHaveTheChatShape() {
        JsonNode r = chat(Map.of("messages", MESSAGES, "max_tokens", 4, "temperature", 0, "logprobs", true,
                "top_logprobs", 3, "ignore_eos", true, "stop", List.of()));
        JsonNode content = r.get("choices").get(0).get("logprobs").get("content");
        assertTrue(content.size() >= 1 && content.size() <= 4, content.toString());
        for (JsonNode entry : content) {
            assertTrue(entry.get("token").isTextual());
            assertTrue(entry.get("logprob").asDouble() <= 0);
            assertTrue(entry.get("bytes").isArray());
            JsonNode top = entry.get("top_logprobs");
            assertEquals(3, top.size());
            assertEquals(top.get(0).get("logprob").asDouble(), entry.get("logprob").asDouble(), 1e-5);
            for (JsonNode alt : top) {
                assertTrue(alt.get("token").isTextual() && alt.get("bytes").isArray());
            }
        }
        JsonNode noTop = chat(Map.of("messages", MESSAGES, "max_tokens", 2, "logprobs", true));
        assertEquals(0, noTop.get("choices").get(0).get("logprobs").get("content").get(0).get("top_logprobs").size());
    }

    @Test
    void nChoicesAndSeed() {
        JsonNode r = chat(Map.of("messages", MESSAGES, "max_tokens", 3, "n", 3, "seed", 5, "temperature", 1.0));
        assertEquals(3, r.get("choices").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, r.get("choices").get(i).get("index").asInt());
        }
        JsonNode again = chat(Map.of("messages", MESSAGES, "max_tokens", 3, "n", 3, "seed", 5, "temperature", 1.0));
        assertEquals(r.get("choices"), again.get("choices"));
    }

    @Test
    void maxCompletionTokensIsHonoured() {
        JsonNode r = chat(Map.of("messages", MESSAGES, "max_completion_tokens", 2, "ignore_eos", true,
                "stop", List.of(), "logprobs", true));
        assertTrue(r.get("usage").get("completion_tokens").asInt() <= 2);
    }

    @Test
    void badChatRequests() {
        String[][] cases = {
                {"{}", "messages", "required"},
                {"{\"messages\": []}", "messages", "non-empty"},
                {"{\"messages\": \"hi\"}", "messages", "non-empty"},
                {"{\"messages\": [5]}", "messages[0]", "object"},
                {"{\"messages\": [{\"content\": \"x\"}]}", "messages[0].role", "role"},
                {"{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}", "messages[0].role", "wizard"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", "messages[0].content", "string"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}",
                        "messages[0].content", "text"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"top_logprobs\": 2}", "top_logprobs",
                        "logprobs"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"logprobs\": 3}", "logprobs",
                        "boolean"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tools\": [{\"type\": \"function\"}]}",
                        "tools", "not supported"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"response_format\": "
                        + "{\"type\": \"json_object\"}}", "response_format", "not supported"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 0}", "max_tokens",
                        "at least 1"},
        };
        for (String[] c : cases) {
            given().contentType("application/json").body(c[0]).post("/v1/chat/completions").then()
                    .statusCode(400)
                    .body("error.param", equalTo(c[1]))
                    .body("error.message", containsString(c[2]));
        }
    }
}
