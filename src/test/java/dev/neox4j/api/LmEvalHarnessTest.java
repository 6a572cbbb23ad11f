package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.runtime.Engine;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Replays what lm-evaluation-harness's {@code local-completions} model sends (its {@code RemoteTokenizer} probe, the
 * loglikelihood batch and the generate_until batch, field for field) and reads the answers the way its
 * {@code parse_logprobs} / {@code parse_generations} do.
 */
@QuarkusTest
class LmEvalHarnessTest extends ServerTestBase {

    Engine engine;

    @BeforeEach
    void ready() {
        engine = holder.engine().orElseThrow();
    }

    private static JsonNode post(String path, Object body) {
        return ApiTestClient.json(given().contentType("application/json").body(body).post(path).then()
                .statusCode(200).extract().asString());
    }

    /** check_remote_tokenizer_support and RemoteTokenizer: /tokenizer_info, /tokenize, /detokenize. */
    @Test
    void remoteTokenizerProbe() {
        JsonNode info = ApiTestClient.json(given().get("/tokenizer_info").then().statusCode(200).extract().asString());
        assertTrue(info.has("eos_token"));
        String eos = info.get("eos_token").asText();
        JsonNode probe = post("/tokenize", Map.of("prompt", "test", "add_special_tokens", false));
        assertTrue(probe.get("tokens").isArray());
        // eos_token_id = encode(eos_token)[0]
        JsonNode eosIds = post("/tokenize", Map.of("prompt", eos, "add_special_tokens", false));
        assertEquals(engine.tokenizer().eosId(), eosIds.get("tokens").get(0).asInt());
        String text = "Question: What is 2+2?\nAnswer: 4";
        JsonNode ids = post("/tokenize", Map.of("prompt", text, "add_special_tokens", false)).get("tokens");
        assertEquals(text, post("/detokenize", Map.of("tokens", ids)).get("prompt").asText());
    }

    /** _loglikelihood_tokens: a batch of token-id prompts, echo, max_tokens 1, logprobs 1; parse_logprobs. */
    @Test
    void loglikelihoodBatch() throws Exception {
        List<List<Integer>> prompts = new ArrayList<>();
        List<Integer> ctxlens = new ArrayList<>();
        String[][] pairs = {{"The capital of France is", " Paris"}, {"2 + 2 =", " 4"},
                {"<|endoftext|>", "Once upon a time there was a fox."}};
        for (String[] p : pairs) {
            int[] ctx = engine.tokenizer().encode(p[0], true);
            int[] cont = engine.tokenizer().encode(p[1], true);
            List<Integer> all = new ArrayList<>();
            for (int id : ctx) {
                all.add(id);
            }
            for (int id : cont) {
                all.add(id);
            }
            prompts.add(all);
            ctxlens.add(ctx.length);
        }
        Map<String, Object> payload = Map.of("model", holder.modelId(), "prompt", prompts, "temperature", 0,
                "max_tokens", 1, "logprobs", 1, "seed", 1234, "echo", true);
        JsonNode out = post("/v1/completions", payload);
        List<JsonNode> choices = new ArrayList<>();
        out.get("choices").forEach(choices::add);
        choices.sort(Comparator.comparingInt(c -> c.get("index").asInt()));
        assertEquals(prompts.size(), choices.size());
        for (int i = 0; i < choices.size(); i++) {
            JsonNode lp = choices.get(i).get("logprobs");
            JsonNode tokenLogprobs = lp.get("token_logprobs");
            JsonNode top = lp.get("top_logprobs");
            int n = prompts.get(i).size();
            assertEquals(n + 1, tokenLogprobs.size(), "every prompt token plus the generated one");
            assertEquals(n + 1, top.size());
            assertEquals(n + 1, lp.get("tokens").size());
            assertTrue(tokenLogprobs.get(0).isNull(), "the first prompt token has no context");
            // parse_logprobs: sum of token_logprobs[ctxlen:-1]; greedy when each equals max(top.values())
            int ctxlen = ctxlens.get(i);
            double sum = 0;
            boolean greedy = true;
            for (int t = ctxlen; t < n; t++) {
                double v = tokenLogprobs.get(t).asDouble();
                sum += v;
                double max = Double.NEGATIVE_INFINITY;
                for (Iterator<JsonNode> it = top.get(t).elements(); it.hasNext(); ) {
                    max = Math.max(max, it.next().asDouble());
                }
                greedy &= v == max;
            }
            // the same log-likelihood through the engine's own scoring
            int[] ids = prompts.get(i).stream().mapToInt(Integer::intValue).toArray();
            double[] want = engine.score(ids, ctxlen - 1, 0, "test").get(60, TimeUnit.SECONDS);
            double wantSum = 0;
            for (double w : want) {
                wantSum += w;
            }
            assertEquals(wantSum, sum, 1e-4 * (1 + Math.abs(wantSum)), "prompt " + i);
            assertTrue(Double.isFinite(choices.get(i).get("logprobs").get("token_logprobs").get(n).asDouble()),
                    "the generated token carries its logprob");
            assertNotNull(greedy ? Boolean.TRUE : Boolean.FALSE);
        }
    }

    /** generate_until: token-id prompts with max_tokens, temperature 0, a stop list and a seed; parse_generations. */
    @Test
    void generateUntilBatch() {
        List<List<Integer>> prompts = List.of(
                toList(engine.tokenizer().encode("Question: What is the capital of France?\nAnswer:", true)),
                toList(engine.tokenizer().encode("Q: 1+1?\nA:", true)));
        Map<String, Object> payload = Map.of("prompt", prompts, "model", holder.modelId(), "max_tokens", 5,
                "temperature", 0, "stop", List.of("\n\n", "Question:", "<|endoftext|>"), "seed", 1234);
        JsonNode out = post("/v1/completions", payload);
        String[] texts = new String[out.get("choices").size()];
        for (JsonNode c : out.get("choices")) {
            texts[c.get("index").asInt()] = c.get("text").asText();
        }
        assertEquals(2, texts.length);
        for (String t : texts) {
            assertNotNull(t);
            assertFalse(t.contains("\n\n") || t.contains("Question:"), "stop strings are never part of the text");
        }
        // same seed, same answer (lm-eval caches and compares runs)
        JsonNode again = post("/v1/completions", payload);
        for (JsonNode c : again.get("choices")) {
            assertEquals(texts[c.get("index").asInt()], c.get("text").asText());
        }
    }

    private static List<Integer> toList(int[] ids) {
        return java.util.Arrays.stream(ids).boxed().toList();
    }
}
