package dev.neox4j.api;

import dev.neox4j.engine.tokenizer.Tokenizer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

/** {@code /tokenize}, {@code /detokenize} and {@code /tokenizer_info}. */
@QuarkusTest
class TokenizerEndpointsTest extends ServerTestBase {

    Tokenizer tokenizer;
    int ctx;

    @BeforeEach
    void ready() {
        tokenizer = holder.engine().orElseThrow().tokenizer();
        ctx = holder.engine().orElseThrow().modelInfo().contextLength();
    }

    static List<Integer> list(int[] ids) {
        return java.util.Arrays.stream(ids).boxed().toList();
    }

    @Test
    void tokenizeInVllmShape() {
        String text = "Hello world, héllo wörld! 123 <|endoftext|>";
        int[] ids = tokenizer.encode(text, true);
        given().contentType("application/json").body(Map.of("prompt", text, "add_special_tokens", false))
                .post("/tokenize").then().statusCode(200)
                .body("tokens", equalTo(list(ids)))
                .body("count", equalTo(ids.length))
                .body("max_model_len", equalTo(ctx))
                .body("pieces", nullValue());
        // llama.cpp's field name
        given().contentType("application/json").body(Map.of("content", text)).post("/tokenize").then()
                .statusCode(200).body("tokens", equalTo(list(ids)));
    }

    @Test
    void parseSpecialCanBeTurnedOff() {
        given().contentType("application/json").body(Map.of("prompt", "<|endoftext|>")).post("/tokenize").then()
                .statusCode(200).body("tokens", equalTo(List.of(tokenizer.eosId())));
        int[] literal = tokenizer.encode("<|endoftext|>", false);
        given().contentType("application/json").body(Map.of("prompt", "<|endoftext|>", "parse_special", false))
                .post("/tokenize").then().statusCode(200).body("tokens", equalTo(list(literal)))
                .body("count", equalTo(literal.length));
    }

    @Test
    void withPiecesGivesEachTokensText() {
        int[] ids = tokenizer.encode("two words", true);
        given().contentType("application/json").body(Map.of("prompt", "two words", "with_pieces", true))
                .post("/tokenize").then().statusCode(200)
                .body("pieces", hasSize(ids.length))
                .body("pieces[0]", equalTo(tokenizer.tokenPiece(ids[0])))
                .body("pieces[1]", equalTo(tokenizer.tokenPiece(ids[1])));
    }

    @Test
    void tokenizeChatMessagesWithTheTemplate() {
        String rendered = holder.chatTemplate().render(List.of(
                dev.neox4j.engine.runtime.ChatTurn.user("Hi")));
        given().contentType("application/json").body(Map.of("messages", List.of(Map.of("role", "user",
                "content", "Hi")))).post("/tokenize").then().statusCode(200)
                .body("tokens", equalTo(list(tokenizer.encode(rendered, true))));
    }

    @Test
    void detokenizeRoundTrips() {
        String text = "Round trip: ünïcödé, emoji 🎉, and <|endoftext|> too.";
        int[] ids = tokenizer.encode(text, true);
        given().contentType("application/json").body(Map.of("tokens", list(ids))).post("/detokenize").then()
                .statusCode(200).body("prompt", equalTo(tokenizer.decode(ids, true)));
        given().contentType("application/json").body(Map.of("tokens", List.of())).post("/detokenize").then()
                .statusCode(200).body("prompt", equalTo(""));
    }

    @Test
    void tokenizerInfo() {
        given().get("/tokenizer_info").then().statusCode(200)
                .body("eos_token", equalTo("<|endoftext|>"))
                .body("bos_token", equalTo(tokenizer.tokenPiece(tokenizer.bosId())))
                .body("eos_token_id", equalTo(tokenizer.eosId()))
                .body("vocab_size", equalTo(tokenizer.vocabSize()))
                .body("model_max_length", equalTo(ctx))
                .body("tokenizer_model", equalTo("gpt2"))
                .body("pre_type", equalTo(tokenizer.preTokenizer()));
    }

    @Test
    void badInputIs400() {
        String[][] cases = {
                {"/tokenize", "not json", "null", "parse"},
                {"/tokenize", "{}", "prompt", "required"},
                {"/tokenize", "{\"prompt\": 5}", "prompt", "string"},
                {"/tokenize", "{\"prompt\": \"x\", \"with_pieces\": \"yes\"}", "with_pieces", "boolean"},
                {"/tokenize", "{\"prompt\": \"x\", \"parse_special\": 1}", "parse_special", "boolean"},
                {"/detokenize", "{}", "tokens", "required"},
                {"/detokenize", "{\"tokens\": \"1 2\"}", "tokens", "list"},
                {"/detokenize", "{\"tokens\": [1, -1]}", "tokens", "out of range"},
                {"/detokenize", "{\"tokens\": [1, 100000000]}", "tokens", "out of range"},
                {"/detokenize", "{\"tokens\": [1, \"a\"]}", "tokens", "integer"},
                {"/detokenize", "{\"tokens\": [1.5]}", "tokens", "integer"},
        };
        for (String[] c : cases) {
            var then = given().contentType("application/json").body(c[1]).post(c[0]).then().statusCode(400)
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.message", containsString(c[3]));
            if (c[2].equals("null")) {
                then.body("error.param", nullValue());
            } else {
                then.body("error.param", equalTo(c[2]));
            }
        }
        given().contentType("application/json").body("{\"prompt\": \"x\", \"model\": \"other\"}").post("/tokenize")
                .then().statusCode(404).body("error.code", equalTo("model_not_found"));
    }
}
