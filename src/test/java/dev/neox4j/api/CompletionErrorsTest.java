package dev.neox4j.api;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** Malformed and refused requests get 4xx with OpenAI error bodies naming the field. */
@QuarkusTest
class CompletionErrorsTest extends ServerTestBase {

    static void bad(String path, String body, String param, String messagePart) {
        var then = given().contentType("application/json").body(body).post(path).then()
                .statusCode(400)
                .contentType(containsString("application/json"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString(messagePart));
        if (param == null) {
            then.body("error.param", org.hamcrest.Matchers.nullValue());
        } else {
            then.body("error.param", equalTo(param));
        }
    }

    @Test
    void notJsonOrNotAnObject() {
        bad("/v1/completions", "{not json", null, "parse the JSON");
        bad("/v1/completions", "[1, 2]", null, "JSON object");
        bad("/v1/completions", "", null, "empty");
        bad("/v1/chat/completions", "\"just a string\"", null, "JSON object");
    }

    @Test
    void wrongTypesAndRangesNameTheField() {
        bad("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": \"abc\"}", "max_tokens", "integer");
        bad("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 1.5}", "max_tokens", "integer");
        bad("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": -1}", "max_tokens", "at least 0");
        bad("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 99999999999}", "max_tokens", "at most");
        bad("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 1e300}", "max_tokens", "integer");
        bad("/v1/completions", "{\"prompt\": \"x\", \"temperature\": \"hot\"}", "temperature", "number");
        bad("/v1/completions", "{\"prompt\": \"x\", \"temperature\": -0.5}", "temperature", "between");
        bad("/v1/completions", "{\"prompt\": \"x\", \"top_p\": 0}", "top_p", "greater than 0");
        bad("/v1/completions", "{\"prompt\": \"x\", \"top_p\": 1.5}", "top_p", "between");
        bad("/v1/completions", "{\"prompt\": \"x\", \"n\": 0}", "n", "between");
        bad("/v1/completions", "{\"prompt\": \"x\", \"logprobs\": 21}", "logprobs", "between 0 and 20");
        bad("/v1/completions", "{\"prompt\": \"x\", \"logprobs\": true}", "logprobs", "integer");
        bad("/v1/completions", "{\"prompt\": \"x\", \"stop\": 5}", "stop", "string");
        bad("/v1/completions", "{\"prompt\": \"x\", \"stop\": [\"a\", 1]}", "stop", "string");
        bad("/v1/completions", "{\"prompt\": \"x\", \"echo\": \"yes\"}", "echo", "boolean");
        bad("/v1/completions", "{\"prompt\": \"x\", \"stream\": 1}", "stream", "boolean");
        bad("/v1/completions", "{\"prompt\": \"x\", \"seed\": \"s\"}", "seed", "integer");
        bad("/v1/completions", "{\"prompt\": \"x\", \"presence_penalty\": 3}", "presence_penalty", "between");
        bad("/v1/completions", "{\"prompt\": \"x\", \"frequency_penalty\": -3}", "frequency_penalty", "between");
        bad("/v1/completions", "{\"prompt\": \"x\", \"repetition_penalty\": 0}", "repetition_penalty", "greater");
        bad("/v1/completions", "{\"prompt\": \"x\", \"min_p\": 2}", "min_p", "between");
        bad("/v1/completions", "{\"prompt\": \"x\", \"top_k\": -2}", "top_k", "at least");
        bad("/v1/completions", "{\"prompt\": \"x\", \"logit_bias\": {\"abc\": 1}}", "logit_bias", "token ids");
        bad("/v1/completions", "{\"prompt\": \"x\", \"logit_bias\": {\"5\": 101}}", "logit_bias", "between -100");
        bad("/v1/completions", "{\"prompt\": \"x\", \"logit_bias\": {\"99999999\": 1}}", "logit_bias", "out of range");
        bad("/v1/completions", "{\"prompt\": \"x\", \"logit_bias\": [1]}", "logit_bias", "object");
        bad("/v1/completions", "{\"prompt\": \"x\", \"stream_options\": 3}", "stream_options", "object");
        bad("/v1/completions", "{\"prompt\": \"x\", \"suffix\": \"y\"}", "suffix", "not supported");
        bad("/v1/completions", "{\"prompt\": \"x\", \"best_of\": 3}", "best_of", "not supported");
        bad("/v1/completions", "{\"prompt\": \"x\", \"model\": 5}", "model", "string");
    }

    @Test
    void badPrompts() {
        bad("/v1/completions", "{\"prompt\": {}}", "prompt", "must be a string");
        bad("/v1/completions", "{\"prompt\": []}", "prompt", "empty");
        bad("/v1/completions", "{\"prompt\": [1, -5]}", "prompt", "out of range");
        bad("/v1/completions", "{\"prompt\": [1, 99999999]}", "prompt", "out of range");
        bad("/v1/completions", "{\"prompt\": [1, 2.5]}", "prompt", "integer token ids");
        bad("/v1/completions", "{\"prompt\": [\"ok\", 3]}", "prompt", "index 1");
        bad("/v1/completions", "{\"prompt\": [\"ok\", []]}", "prompt", "empty list");
        bad("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 0}", "max_tokens", "echo");
    }

    @Test
    void unknownModelIs404() {
        given().contentType("application/json").body("{\"model\": \"gpt-3.5-turbo-instruct\", \"prompt\": \"x\"}")
                .post("/v1/completions").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"))
                .body("error.param", equalTo("model"))
                .body("error.message", containsString("gpt-3.5-turbo-instruct"));
        given().contentType("application/json")
                .body("{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"));
    }

    @Test
    void promptLongerThanTheContextIs400ContextLengthExceeded() {
        int ctx = holder.engine().orElseThrow().modelInfo().contextLength();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < ctx + 1; i++) {
            ids.add(500 + (i % 100));
        }
        given().contentType("application/json").body(java.util.Map.of("prompt", ids, "max_tokens", 1))
                .post("/v1/completions").then().statusCode(400)
                .body("error.code", equalTo("context_length_exceeded"))
                .body("error.param", equalTo("prompt"))
                .body("error.message", containsString(Integer.toString(ctx)));
        String longText = "word ".repeat(ctx + 10);
        given().contentType("application/json")
                .body(java.util.Map.of("messages", List.of(java.util.Map.of("role", "user", "content", longText))))
                .post("/v1/chat/completions").then().statusCode(400)
                .body("error.code", equalTo("context_length_exceeded"))
                .body("error.param", equalTo("messages"));
        // truncation on request makes it fit
        given().contentType("application/json")
                .body(java.util.Map.of("prompt", ids, "max_tokens", 1, "truncate_prompt_tokens", 64))
                .post("/v1/completions").then().statusCode(200)
                .body("usage.prompt_tokens", equalTo(64));
    }

    @Test
    void promptPlusMaxTokensBeyondTheContextIs400NamingBothNumbers() {
        int ctx = holder.engine().orElseThrow().modelInfo().contextLength();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < ctx - 10; i++) {
            ids.add(500 + (i % 100));
        }
        given().contentType("application/json").body(java.util.Map.of("prompt", ids, "max_tokens", 11))
                .post("/v1/completions").then().statusCode(400)
                .body("error.code", equalTo("context_length_exceeded"))
                .body("error.param", equalTo("max_tokens"))
                .body("error.message", containsString(Integer.toString(ctx)))
                .body("error.message", containsString((ctx - 10) + " in the prompt, 11 in the completion"));
        given().contentType("application/json")
                .body(java.util.Map.of("prompt", ids, "max_tokens", 10, "ignore_eos", true))
                .post("/v1/completions").then().statusCode(200)
                .body("usage.completion_tokens", equalTo(10));
        given().contentType("application/json")
                .body(java.util.Map.of("messages", List.of(java.util.Map.of("role", "user", "content", "hi")),
                        "max_tokens", ctx))
                .post("/v1/chat/completions").then().statusCode(400)
                .body("error.code", equalTo("context_length_exceeded"))
                .body("error.message", containsString(ctx + " in the completion"));
    }

    @Test
    void errorBodyAlwaysHasTheFourFields() {
        given().contentType("application/json").body("{\"prompt\": \"x\", \"n\": \"two\"}").post("/v1/completions")
                .then().statusCode(400)
                .body("error.message", notNullValue())
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("n"))
                .body("error.code", equalTo("invalid_value"));
    }
}
