package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.InspectRequest;
import dev.neox4j.engine.runtime.Inspection;
import dev.neox4j.engine.runtime.Perplexity;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code POST /v1/inspect} and {@code POST /v1/perplexity} on the demo model: the response shapes of the issue, the
 * tensors decoded from base64 equal to {@link Engine#inspect}'s typed arrays, OpenAI-style errors.
 */
@QuarkusTest
class InspectEndpointTest extends ServerTestBase {

    Engine engine;

    @BeforeEach
    void ready() {
        engine = holder.engine().orElseThrow();
    }

    private static JsonNode post(String path, Object body, int status) {
        String s = given().contentType("application/json").body(body).post(path).then().statusCode(status)
                .extract().asString();
        return ApiTestClient.json(s);
    }

    private static float[] floats(JsonNode tensor) {
        byte[] b = Base64.getDecoder().decode(tensor.get("data").asText());
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    @Test
    void responseHasTheIssuesShapeAndTheEnginesNumbers() throws Exception {
        String text = "The capital of France is Paris.";
        int nLayer = engine.modelInfo().layers();
        int embd = engine.modelInfo().embeddingLength();
        int heads = engine.modelInfo().heads();
        JsonNode r = post("/v1/inspect", Map.of("prompt", text, "logit_lens", Map.of("top_k", 3),
                "hidden_states", Map.of("layers", List.of(0, nLayer)), "attention", Map.of("layers", List.of(1))),
                200);
        int[] ids = engine.tokenizer().encode(text, true);
        int n = ids.length;
        Inspection want = engine.inspect(new InspectRequest(ids, 3, new int[] {0, nLayer}, new int[] {1}, 0, "t"))
                .get(60, TimeUnit.SECONDS);

        assertEquals(holder.modelId(), r.get("model").asText());
        assertEquals(n, r.get("tokens").size());
        for (int t = 0; t < n; t++) {
            assertEquals(ids[t], r.get("tokens").get(t).get("id").asInt());
            assertEquals(engine.tokenizer().tokenPiece(ids[t]), r.get("tokens").get(t).get("text").asText());
        }
        JsonNode lens = r.get("logit_lens").get("layers");
        assertEquals(nLayer + 1, lens.size());
        for (int l = 0; l <= nLayer; l++) {
            assertEquals(l, lens.get(l).get("layer").asInt());
            JsonNode top = lens.get(l).get("top");
            assertEquals(n, top.size());
            for (int t = 0; t < n; t++) {
                assertEquals(3, top.get(t).size());
                for (int k = 0; k < 3; k++) {
                    JsonNode c = top.get(t).get(k);
                    int id = want.logitLens().get(l).topIds()[t][k];
                    assertEquals(id, c.get("id").asInt());
                    assertEquals(engine.tokenizer().tokenPiece(id), c.get("token").asText());
                    assertEquals(want.logitLens().get(l).topLogprobs()[t][k], c.get("logprob").floatValue());
                }
            }
        }
        JsonNode hidden = r.get("hidden_states").get("layers");
        assertEquals(2, hidden.size());
        for (int i = 0; i < 2; i++) {
            JsonNode h = hidden.get(i);
            assertEquals(i == 0 ? 0 : nLayer, h.get("layer").asInt());
            assertEquals("float32", h.get("dtype").asText());
            assertEquals(List.of(n, embd), List.of(h.get("shape").get(0).asInt(), h.get("shape").get(1).asInt()));
            float[] got = floats(h);
            assertEquals(n * embd, got.length);
            for (int t = 0; t < n; t++) {
                assertArrayEquals(want.hiddenStates().get(i).values()[t],
                        java.util.Arrays.copyOfRange(got, t * embd, (t + 1) * embd));
            }
        }
        JsonNode att = r.get("attention").get("layers");
        assertEquals(1, att.size());
        assertEquals(1, att.get(0).get("layer").asInt());
        assertEquals(List.of(heads, n, n), List.of(att.get(0).get("shape").get(0).asInt(),
                att.get(0).get("shape").get(1).asInt(), att.get(0).get("shape").get(2).asInt()));
        float[] probs = floats(att.get(0));
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    float p = probs[(h * n + i) * n + j];
                    assertEquals(want.attention().getFirst().probs()[h][i][j], p);
                    if (j > i) {
                        assertEquals(0f, p, "zeros above the diagonal");
                    }
                }
            }
        }
    }

    @Test
    void onlyWhatIsAskedForIsReturned() {
        JsonNode r = post("/v1/inspect", Map.of("prompt", List.of(510, 5347), "logit_lens", Map.of()), 200);
        assertEquals(2, r.get("tokens").size());
        assertEquals(510, r.get("tokens").get(0).get("id").asInt());
        assertEquals(5, r.get("logit_lens").get("layers").get(0).get("top").get(0).size(), "default top_k 5");
        assertNull(r.get("hidden_states"));
        assertNull(r.get("attention"));
        JsonNode bare = post("/v1/inspect", Map.of("prompt", "<|endoftext|>"), 200);
        assertEquals(engine.tokenizer().eosId(), bare.get("tokens").get(0).get("id").asInt());
        assertNull(bare.get("logit_lens"));
        JsonNode literal = post("/v1/inspect", Map.of("prompt", "<|endoftext|>", "parse_special", false), 200);
        assertTrue(literal.get("tokens").size() > 1, "parse_special false reads the text");
    }

    @Test
    void badRequestsGetOpenAiErrors() {
        int nLayer = engine.modelInfo().layers();
        JsonNode e = post("/v1/inspect", Map.of("prompt", "x", "logit_lens", Map.of("top_k", 21)), 400);
        assertEquals("logit_lens.top_k", e.get("error").get("param").asText());
        assertEquals("invalid_request_error", e.get("error").get("type").asText());
        e = post("/v1/inspect", Map.of("prompt", "x", "hidden_states", Map.of("layers", List.of(nLayer + 1))), 400);
        assertEquals("hidden_states.layers", e.get("error").get("param").asText());
        e = post("/v1/inspect", Map.of("prompt", "x", "attention", Map.of("layers", List.of(nLayer))), 400);
        assertEquals("attention.layers", e.get("error").get("param").asText());
        e = post("/v1/inspect", Map.of("prompt", "x", "attention", Map.of("layers", List.of(0, 0))), 400);
        assertEquals("attention.layers", e.get("error").get("param").asText());
        e = post("/v1/inspect", Map.of("prompt", List.of()), 400);
        assertEquals("prompt", e.get("error").get("param").asText());
        e = post("/v1/inspect", Map.of("prompt", List.of(1, 999_999)), 400);
        assertEquals("prompt", e.get("error").get("param").asText());
        e = post("/v1/inspect", Map.of("prompt", "x", "hidden_states", "all"), 400);
        assertEquals("hidden_states", e.get("error").get("param").asText());
        post("/v1/inspect", Map.of("prompt", "x", "model", "other"), 404);
        given().contentType("application/json").body("{").post("/v1/inspect").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"));
    }

    @Test
    void tooManyTokensIsRefusedNamingTheLimit() {
        int max = holder.config().inspect().maxTokens();
        int[] ids = new int[max + 1];
        java.util.Arrays.fill(ids, 510);
        given().contentType("application/json").body(Map.of("prompt", ids)).post("/v1/inspect").then()
                .statusCode(400).body("error.message", containsString("neox.inspect.max-tokens"))
                .body("error.param", equalTo("prompt"));
    }

    @Test
    void perplexityEndpointComputesWhatTheCommandComputes() throws Exception {
        String text = "The quick brown fox jumps over the lazy dog. ".repeat(8);
        int[] tokens = Perplexity.tokenize(engine.tokenizer(), text);
        Perplexity.Result want = Perplexity.start(engine, tokens, 16, 0, "t", null).get(60, TimeUnit.SECONDS);
        JsonNode r = post("/v1/perplexity", Map.of("text", text, "ctx", 16), 200);
        assertEquals("perplexity", r.get("object").asText());
        assertEquals(want.perplexity(), r.get("perplexity").asDouble(), 0.0);
        assertEquals(want.uncertainty(), r.get("uncertainty").asDouble(), 0.0);
        assertEquals(tokens.length, r.get("tokens").asInt());
        assertEquals(tokens.length / 16, r.get("chunks").asInt());
        assertEquals(tokens.length / 16 * 7, r.get("scored_tokens").asInt());
        assertEquals(r.get("chunks").asInt(), r.get("chunk_perplexities").size());
        assertEquals(want.finalEstimate(), r.get("final_estimate").asText());

        JsonNode e = post("/v1/perplexity", Map.of("text", "too short", "ctx", 16), 400);
        assertEquals("text", e.get("error").get("param").asText());
        assertTrue(e.get("error").get("message").asText().contains("at least 32 tokens"));
        e = post("/v1/perplexity", Map.of("text", text, "ctx", 2), 400);
        assertEquals("ctx", e.get("error").get("param").asText());
        e = post("/v1/perplexity", Map.of("ctx", 16), 400);
        assertEquals("text", e.get("error").get("param").asText());
    }
}
