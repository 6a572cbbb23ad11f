package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.tokenizer.Tokenizer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /v1/completions}: every parameter, on the demo model. */
@QuarkusTest
class CompletionsTest extends ServerTestBase {

    Tokenizer tokenizer;

    @BeforeEach
    void ready() {
        tokenizer = holder.engine().orElseThrow().tokenizer();
    }

    static Map<String, Object> req(Object... kv) {
        return ApiTestClient.map(kv);
    }

    static JsonNode complete(Map<String, Object> body) {
        Response r = given().contentType("application/json").body(body).post("/v1/completions");
        assertEquals(200, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        return ApiTestClient.json(r.asString());
    }

    @Test
    void stringPromptGivesAnOpenAiCompletion() {
        JsonNode r = complete(req("prompt", "Hello, my name is", "max_tokens", 5, "temperature", 0, "ignore_eos", true));
        assertTrue(r.get("id").asText().startsWith("cmpl-"));
        assertEquals("text_completion", r.get("object").asText());
        assertEquals("neox4j-demo", r.get("model").asText());
        assertTrue(r.get("created").asLong() > 1_600_000_000L);
        JsonNode choice = r.get("choices").get(0);
        assertEquals(0, choice.get("index").asInt());
        assertTrue(choice.get("logprobs").isNull());
        assertEquals("length", choice.get("finish_reason").asText());
        int promptTokens = tokenizer.encode("Hello, my name is", true).length;
        assertEquals(promptTokens, r.get("usage").get("prompt_tokens").asInt());
        assertEquals(5, r.get("usage").get("completion_tokens").asInt());
        assertEquals(promptTokens + 5, r.get("usage").get("total_tokens").asInt());
        JsonNode t = r.get("timings");
        assertEquals(promptTokens, t.get("prompt_n").asInt());
        assertEquals(5, t.get("predicted_n").asInt());
        for (String k : List.of("prompt_ms", "prompt_per_second", "predicted_ms", "predicted_per_second")) {
            assertTrue(t.get(k).isNumber() && t.get(k).asDouble() >= 0, k + " in " + t);
        }
    }

    @Test
    void maxTokensDefaultsTo16() {
        JsonNode r = complete(req("prompt", "Once upon a time", "temperature", 0, "ignore_eos", true));
        assertEquals(16, r.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void tokenIdPromptEqualsTheSameTextPrompt() {
        String text = "The quick brown fox";
        int[] ids = tokenizer.encode(text, true);
        JsonNode a = complete(req("prompt", text, "max_tokens", 6, "temperature", 0, "ignore_eos", true));
        JsonNode b = complete(req("prompt", ids, "max_tokens", 6, "temperature", 0, "ignore_eos", true));
        assertEquals(a.get("choices").get(0).get("text"), b.get("choices").get(0).get("text"));
        assertEquals(ids.length, b.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void listOfPromptsGivesOneChoicePerPromptInOrder() {
        List<Object> prompts = List.of("first prompt", tokenizer.encode("second one", true), "third");
        JsonNode batch = complete(req("prompt", prompts, "max_tokens", 4, "temperature", 0, "ignore_eos", true));
        JsonNode choices = batch.get("choices");
        assertEquals(3, choices.size());
        int promptTokens = 0;
        for (int i = 0; i < 3; i++) {
            assertEquals(i, choices.get(i).get("index").asInt());
            JsonNode single = complete(req("prompt", prompts.get(i), "max_tokens", 4, "temperature", 0,
                    "ignore_eos", true));
            assertEquals(single.get("choices").get(0).get("text"), choices.get(i).get("text"), "prompt " + i);
            promptTokens += single.get("usage").get("prompt_tokens").asInt();
        }
        assertEquals(promptTokens, batch.get("usage").get("prompt_tokens").asInt());
        assertEquals(12, batch.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void nChoicesPerPromptAreIndexedPromptTimesNPlusJ() {
        JsonNode r = complete(req("prompt", List.of("a b c", "x y z"), "n", 2, "max_tokens", 3, "temperature", 1.0,
                "seed", 7, "ignore_eos", true));
        JsonNode choices = r.get("choices");
        assertEquals(4, choices.size());
        for (int k = 0; k < 4; k++) {
            assertEquals(k, choices.get(k).get("index").asInt());
        }
        assertEquals(12, r.get("usage").get("completion_tokens").asInt());
        // each prompt counted once
        assertEquals(tokenizer.encode("a b c", true).length + tokenizer.encode("x y z", true).length,
                r.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        Map<String, Object> body = req("prompt", "Random text:", "max_tokens", 12, "temperature", 1.5, "seed", 1234,
                "ignore_eos", true, "logprobs", 0);
        JsonNode a = complete(body);
        JsonNode b = complete(body);
        assertEquals(a.get("choices").get(0).get("logprobs").get("tokens"),
                b.get("choices").get(0).get("logprobs").get("tokens"));
        body.put("seed", 4321);
        JsonNode c = complete(body);
        assertNotEquals(a.get("choices").get(0).get("logprobs").get("tokens"),
                c.get("choices").get(0).get("logprobs").get("tokens"));
    }

    @Test
    void logitBiasForcesAToken() {
        int id = tokenizer.encode(" banana", true)[0];
        JsonNode r = complete(req("prompt", "Fruit:", "max_tokens", 4, "temperature", 0, "ignore_eos", true,
                "logit_bias", Map.of(Integer.toString(id), 100), "return_tokens_as_token_ids", true, "logprobs", 1));
        JsonNode tokens = r.get("choices").get(0).get("logprobs").get("tokens");
        assertEquals(4, tokens.size());
        for (JsonNode t : tokens) {
            assertEquals("token_id:" + id, t.asText());
        }
    }

    @Test
    void topK1SamplingEqualsGreedy() {
        JsonNode greedy = complete(req("prompt", "Greedy?", "max_tokens", 8, "temperature", 0, "ignore_eos", true));
        JsonNode topK = complete(req("prompt", "Greedy?", "max_tokens", 8, "temperature", 1.0, "top_k", 1,
                "seed", 3, "ignore_eos", true));
        assertEquals(greedy.get("choices").get(0).get("text"), topK.get("choices").get(0).get("text"));
    }

    @Test
    void samplingExtensionsAndPenaltiesAreAccepted() {
        JsonNode r = complete(req("prompt", "Penalties", "max_tokens", 8, "temperature", 0.8, "top_p", 0.9,
                "min_p", 0.05, "repetition_penalty", 1.3, "presence_penalty", 0.5, "frequency_penalty", 0.5,
                "seed", 11, "user", "someone", "some_unknown_field", List.of(1, 2)));
        assertEquals(1, r.get("choices").size());
        int tokens = r.get("usage").get("completion_tokens").asInt();
        String finish = r.get("choices").get(0).get("finish_reason").asText();
        assertTrue(finish.equals("length") ? tokens == 8 : finish.equals("stop") && tokens <= 8, finish + tokens);
    }

    @Test
    void stopStringEndsTheTextBeforeIt() {
        JsonNode full = complete(req("prompt", "Stop test", "max_tokens", 24, "temperature", 0, "ignore_eos", true));
        String text = full.get("choices").get(0).get("text").asText();
        // pick a stop string from the middle of the greedy text
        int cut = -1;
        for (int i = 3; i < text.length() - 2; i++) {
            if (!Character.isWhitespace(text.charAt(i)) && !Character.isSurrogate(text.charAt(i))) {
                cut = i;
                break;
            }
        }
        assertTrue(cut > 0, "greedy text too short: " + text);
        String stop = text.substring(cut, cut + 1);
        int first = text.indexOf(stop);
        for (Object stopField : List.of(stop, List.of("\u0000never", stop))) {
            JsonNode r = complete(req("prompt", "Stop test", "max_tokens", 24, "temperature", 0, "ignore_eos", true,
                    "stop", stopField));
            JsonNode choice = r.get("choices").get(0);
            assertEquals(text.substring(0, first), choice.get("text").asText());
            assertEquals("stop", choice.get("finish_reason").asText());
        }
    }

    @Test
    void ignoreEosRunsToMaxTokens() {
        int eos = tokenizer.eosId();
        JsonNode withEos = complete(req("prompt", "End", "max_tokens", 5, "temperature", 0,
                "logit_bias", Map.of(Integer.toString(eos), 100)));
        assertEquals("stop", withEos.get("choices").get(0).get("finish_reason").asText());
        assertEquals("", withEos.get("choices").get(0).get("text").asText());
        JsonNode ignored = complete(req("prompt", "End", "max_tokens", 5, "temperature", 0, "ignore_eos", true,
                "logit_bias", Map.of(Integer.toString(eos), 100)));
        assertEquals("length", ignored.get("choices").get(0).get("finish_reason").asText());
        assertEquals(5, ignored.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void legacyLogprobsHaveParallelListsAndOffsetsIntoTheText() {
        JsonNode r = complete(req("prompt", "Logprobs please", "max_tokens", 6, "temperature", 0, "ignore_eos", true,
                "logprobs", 3));
        JsonNode choice = r.get("choices").get(0);
        JsonNode lp = choice.get("logprobs");
        String text = choice.get("text").asText();
        assertEquals(6, lp.get("tokens").size());
        assertEquals(6, lp.get("token_logprobs").size());
        assertEquals(6, lp.get("top_logprobs").size());
        assertEquals(6, lp.get("text_offset").size());
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            double value = lp.get("token_logprobs").get(i).asDouble();
            assertTrue(value <= 0, "logprob " + value);
            JsonNode top = lp.get("top_logprobs").get(i);
            assertTrue(top.size() >= 3 && top.size() <= 4, top.toString());
            // greedy: the chosen token is the most likely one
            double best = top.properties().iterator().next().getValue().asDouble();
            assertEquals(best, value, 1e-5);
            if (joined.indexOf("\uFFFD") < 0) { // offsets index the text, where split characters are whole
                assertEquals(joined.codePointCount(0, joined.length()), lp.get("text_offset").get(i).asInt());
            }
            joined.append(lp.get("tokens").get(i).asText());
        }
        if (joined.indexOf("\uFFFD") < 0) { // pieces of split UTF-8 characters don't concatenate to the text
            assertEquals(text, joined.toString());
        }
    }

    @Test
    void echoPrefixesThePromptAndGivesPromptLogprobsFirstNull() {
        String prompt = "Echo this prompt";
        int n = tokenizer.encode(prompt, true).length;
        JsonNode r = complete(req("prompt", prompt, "max_tokens", 0, "echo", true, "logprobs", 2));
        JsonNode choice = r.get("choices").get(0);
        assertEquals(prompt, choice.get("text").asText());
        assertEquals(0, r.get("usage").get("completion_tokens").asInt());
        JsonNode lp = choice.get("logprobs");
        assertEquals(n, lp.get("tokens").size());
        assertTrue(lp.get("token_logprobs").get(0).isNull());
        assertTrue(lp.get("top_logprobs").get(0).isNull());
        for (int i = 1; i < n; i++) {
            assertTrue(lp.get("token_logprobs").get(i).asDouble() <= 0);
            assertFalse(lp.get("top_logprobs").get(i).isNull());
        }
        assertEquals(0, lp.get("text_offset").get(0).asInt());

        JsonNode more = complete(req("prompt", prompt, "max_tokens", 3, "echo", true, "logprobs", 1,
                "temperature", 0, "ignore_eos", true));
        JsonNode c2 = more.get("choices").get(0);
        assertTrue(c2.get("text").asText().startsWith(prompt));
        JsonNode lp2 = c2.get("logprobs");
        assertEquals(n + 3, lp2.get("tokens").size());
        assertEquals(prompt.length(), lp2.get("text_offset").get(n).asInt());
        // prompt logprobs do not depend on what is generated after
        for (int i = 1; i < n; i++) {
            assertEquals(lp.get("token_logprobs").get(i).asDouble(), lp2.get("token_logprobs").get(i).asDouble(),
                    1e-6);
        }
    }

    @Test
    void returnTokensAsTokenIds() {
        JsonNode r = complete(req("prompt", "ids", "max_tokens", 3, "temperature", 0, "ignore_eos", true,
                "logprobs", 2, "echo", true, "return_tokens_as_token_ids", true));
        JsonNode lp = r.get("choices").get(0).get("logprobs");
        int[] promptIds = tokenizer.encode("ids", true);
        for (int i = 0; i < promptIds.length; i++) {
            assertEquals("token_id:" + promptIds[i], lp.get("tokens").get(i).asText());
        }
        lp.get("top_logprobs").get(promptIds.length).fieldNames()
                .forEachRemaining(k -> assertTrue(k.matches("token_id:\\d+"), k));
    }

    @Test
    void parseSpecialIsOnByDefault() {
        JsonNode on = complete(req("prompt", "<|endoftext|>", "max_tokens", 1, "ignore_eos", true));
        assertEquals(1, on.get("usage").get("prompt_tokens").asInt());
        JsonNode off = complete(req("prompt", "<|endoftext|>", "max_tokens", 1, "ignore_eos", true,
                "parse_special", false));
        assertTrue(off.get("usage").get("prompt_tokens").asInt() > 1);
    }

    @Test
    void truncatePromptTokensKeepsTheEnd() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(1000 + i);
        }
        JsonNode r = complete(req("prompt", ids, "max_tokens", 1, "truncate_prompt_tokens", 10, "echo", true,
                "ignore_eos", true));
        assertEquals(10, r.get("usage").get("prompt_tokens").asInt());
        int[] tail = ids.subList(30, 40).stream().mapToInt(Integer::intValue).toArray();
        assertTrue(r.get("choices").get(0).get("text").asText().startsWith(tokenizer.decodeRaw(tail, true)));
    }

    @Test
    void emptyPromptStartsANewDocument() {
        JsonNode r = complete(req("prompt", "", "max_tokens", 2, "ignore_eos", true));
        assertEquals(1, r.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void modelFieldMayNameTheModelOrBeAbsent() {
        complete(req("model", "neox4j-demo", "prompt", "x", "max_tokens", 1));
        complete(req("prompt", "x", "max_tokens", 1));
    }
}
