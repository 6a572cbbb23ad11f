package dev.neox4j.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neox4j.api.ApiTestClient;
import dev.neox4j.config.EngineHolder;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document: every endpoint appears with its method, the JSON request and response schemas are attached,
 * and they match the implementation: every documented request field's example is accepted by the API, and every
 * field of real responses (completion, chat, chat stream chunk, error) is documented.
 */
@QuarkusTest
class OpenApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, List<String>> ENDPOINTS = Map.of(
            "/v1/models", List.of("get"),
            "/v1/models/{id}", List.of("get"),
            "/v1/completions", List.of("post"),
            "/v1/chat/completions", List.of("post"),
            "/tokenize", List.of("post"),
            "/detokenize", List.of("post"),
            "/tokenizer_info", List.of("get"),
            "/v1/inspect", List.of("post"),
            "/v1/perplexity", List.of("post"));

    private static JsonNode doc;

    @Inject
    EngineHolder holder;

    @BeforeEach
    void engineIsReadyAndDocumentFetched() throws Exception {
        ApiTestClient.awaitReady(holder);
        if (doc == null) {
            doc = JSON.readTree(given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                    .extract().asString());
        }
    }

    private static JsonNode schema(String name) {
        JsonNode s = doc.path("components").path("schemas").path(name);
        assertFalse(s.isMissingNode(), "schema " + name);
        return s;
    }

    private static JsonNode resolve(JsonNode schema) {
        JsonNode ref = schema.get("$ref");
        return ref == null ? schema : schema(ref.asText().substring("#/components/schemas/".length()));
    }

    @Test
    void everyEndpointAppearsWithItsMethod() {
        JsonNode paths = doc.path("paths");
        ENDPOINTS.forEach((path, methods) -> {
            assertTrue(paths.has(path), path + " in " + paths.properties());
            for (String method : methods) {
                assertTrue(paths.path(path).has(method), method.toUpperCase() + " " + path);
            }
        });
    }

    @Test
    void jsonBodiesAndErrorsAreDocumented() {
        Map<String, String> requests = Map.of("/v1/completions", "CompletionRequest",
                "/v1/chat/completions", "ChatCompletionRequest", "/tokenize", "TokenizeRequest",
                "/detokenize", "DetokenizeRequest", "/v1/inspect", "InspectRequest", "/v1/perplexity",
                "PerplexityRequest");
        requests.forEach((path, schema) -> {
            JsonNode body = doc.path("paths").path(path).path("post").path("requestBody").path("content");
            assertEquals("#/components/schemas/" + schema, body.path("application/json").path("schema")
                    .path("$ref").asText(), "request body of POST " + path);
            assertFalse(body.has("text/plain"), "POST " + path + " takes JSON, not text");
        });
        JsonNode chat = doc.path("paths").path("/v1/chat/completions").path("post").path("responses");
        assertEquals("#/components/schemas/ChatCompletionResponse",
                chat.path("200").path("content").path("application/json").path("schema").path("$ref").asText());
        assertEquals("#/components/schemas/ChatCompletionChunk",
                chat.path("200").path("content").path("text/event-stream").path("schema").path("$ref").asText());
        for (String code : List.of("400", "401", "429", "503")) {
            assertEquals("#/components/schemas/ErrorResponse",
                    chat.path(code).path("content").path("application/json").path("schema").path("$ref").asText(),
                    code + " of POST /v1/chat/completions");
        }
    }

    /** A request with every documented field of {@code schemaName} set to its example. */
    private ObjectNode exampleRequest(String schemaName) {
        ObjectNode body = JSON.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = schema(schemaName).path("properties").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode example = field.getValue().get("example");
            if (example == null) {
                example = resolve(field.getValue()).get("example");
            }
            if (example != null) {
                body.set(field.getKey(), example);
            }
        }
        body.put("model", holder.modelId());
        return body;
    }

    @Test
    void everyDocumentedRequestFieldIsAccepted() {
        for (Map.Entry<String, String> e : Map.of("/v1/completions", "CompletionRequest",
                "/v1/chat/completions", "ChatCompletionRequest", "/tokenize", "TokenizeRequest",
                "/detokenize", "DetokenizeRequest", "/v1/inspect", "InspectRequest", "/v1/perplexity",
                "PerplexityRequest").entrySet()) {
            ObjectNode body = exampleRequest(e.getValue());
            assertTrue(body.size() > 1, "examples in " + e.getValue());
            given().contentType(ContentType.JSON).body(body.toString()).post(e.getKey())
                    .then().statusCode(200);
        }
    }

    /** Every field of {@code value} is a documented property (recursively); returns the undocumented ones. */
    private static List<String> undocumented(JsonNode value, JsonNode schema, String where) {
        List<String> problems = new ArrayList<>();
        JsonNode s = resolve(schema);
        if (s.has("oneOf") || s.has("anyOf")) {
            return problems;
        }
        if (value.isObject() && s.has("properties")) {
            Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                JsonNode property = s.path("properties").get(f.getKey());
                if (property == null) {
                    problems.add(where + "." + f.getKey());
                } else if (!f.getValue().isNull()) {
                    problems.addAll(undocumented(f.getValue(), property, where + "." + f.getKey()));
                }
            }
        } else if (value.isArray() && s.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                problems.addAll(undocumented(value.get(i), s.get("items"), where + "[" + i + "]"));
            }
        }
        return problems;
    }

    private static void assertDocumented(String json, String schemaName) throws Exception {
        JsonNode value = JSON.readTree(json);
        assertEquals(List.of(), undocumented(value, schema(schemaName), schemaName), json);
    }

    @Test
    void responsesHaveOnlyDocumentedFields() throws Exception {
        String completion = given().contentType(ContentType.JSON)
                .body("{\"prompt\": \"Hello\", \"max_tokens\": 3, \"logprobs\": 2, \"echo\": true}")
                .post("/v1/completions").then().statusCode(200).extract().asString();
        assertDocumented(completion, "CompletionResponse");
        assertTrue(completion.contains("\"timings\"") && completion.contains("\"token_logprobs\""), completion);

        String chat = given().contentType(ContentType.JSON)
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 3,"
                        + " \"logprobs\": true, \"top_logprobs\": 2}")
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        assertDocumented(chat, "ChatCompletionResponse");

        String stream = given().contentType(ContentType.JSON)
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 3,"
                        + " \"stream\": true, \"stream_options\": {\"include_usage\": true}}")
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        int chunks = 0;
        for (String line : stream.split("\n")) {
            if (line.startsWith("data: {")) {
                assertDocumented(line.substring("data: ".length()), "ChatCompletionChunk");
                chunks++;
            }
        }
        assertTrue(chunks >= 2, stream);

        assertDocumented(given().contentType(ContentType.JSON).body(exampleRequest("InspectRequest").toString())
                .post("/v1/inspect").then().statusCode(200).extract().asString(), "InspectResponse");
        assertDocumented(given().contentType(ContentType.JSON).body(exampleRequest("PerplexityRequest").toString())
                .post("/v1/perplexity").then().statusCode(200).extract().asString(), "PerplexityResponse");

        String error = given().contentType(ContentType.JSON).body("{\"prompt\": \"Hello\", \"temperature\": -1}")
                .post("/v1/completions").then().statusCode(400).extract().asString();
        assertDocumented(error, "ErrorResponse");
        assertNotNull(JSON.readTree(error).path("error").get("param"));
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }
}
