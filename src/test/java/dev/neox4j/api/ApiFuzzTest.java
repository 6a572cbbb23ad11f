package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neox4j.api.rest.ApiException;
import dev.neox4j.api.rest.GenerationService;
import dev.neox4j.api.rest.JsonBody;
import dev.neox4j.api.rest.RequestParser;
import dev.neox4j.fuzz.Mutator;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz test (issue 18, bounded for CI by iterations, seeded) of the API's input handling: mutated and type-confused
 * request bodies through the parser ({@link JsonBody}, {@link RequestParser}), and mutated messages through the
 * WebSocket handler of a running server. A body is parsed into a plan or refused with a 4xx {@link ApiException};
 * every WebSocket message gets token/done messages or an {@code error} message that is the client's (never a 500
 * "internal error"), and the connection stays usable.
 */
@QuarkusTest
class ApiFuzzTest extends ServerTestBase {

    static final long SEED = 0x0a91_f022L;
    static final int PARSER_ITERATIONS = 1500;
    static final int WEBSOCKET_ITERATIONS = 120;

    static final String COMPLETION = """
            {"model": "m", "prompt": "Hello there", "max_tokens": 4, "temperature": 0.7, "top_p": 0.9, "top_k": 5,
             "min_p": 0.05, "n": 2, "logprobs": 2, "echo": true, "stop": ["x", "y"], "seed": 3,
             "logit_bias": {"50": 1.5, "7": -100}, "presence_penalty": 0.5, "frequency_penalty": 0.1,
             "repetition_penalty": 1.1, "stream": true, "stream_options": {"include_usage": true},
             "ignore_eos": false, "user": "u", "return_tokens_as_token_ids": true}""";
    static final String TOKEN_PROMPTS = """
            {"prompt": [[1, 2, 3], [50, 60]], "max_tokens": 3, "n": 1, "truncate_prompt_tokens": 2}""";
    static final String CHAT = """
            {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
             {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]}, {"role": "user", "content": "Why?"}],
             "max_tokens": 4, "logprobs": true, "top_logprobs": 3, "stop": "\\n", "n": 1, "temperature": 0}""";
    /** Values that confuse types and ranges. */
    static final String[] VALUES = {"null", "true", "-1", "0", "1e309", "-1e309", "2147483648", "9223372036854775808",
            "\"x\"", "\"\"", "[]", "{}", "[1, \"a\"]", "[[]]", "{\"a\": {}}", "0.5", "-0.5", "1000000000", "[-1]",
            "[\"\\ud800\"]", "\"\\u0000\""};

    @Inject
    GenerationService service;

    @Inject
    ObjectMapper mapper;

    /** {@code json} with one field set to a value of another type or range (or removed, or added). */
    String typeConfused(String json, Mutator m) {
        try {
            ObjectNode node = (ObjectNode) mapper.readTree(json);
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            String field = m.random().nextInt(8) == 0 ? "extra" : m.pick(names);
            if (m.random().nextInt(10) == 0) {
                node.remove(field);
            } else {
                node.set(field, mapper.readTree(m.pick(VALUES)));
            }
            return node.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void mutatedBodiesAreParsedOrRefusedWithA4xx() {
        RequestParser parser = service.parser();
        Mutator m = new Mutator(SEED);
        List<String> hostile = List.of("[".repeat(100_000), "{\"prompt\": " + "[".repeat(5000) + "]".repeat(5000) + "}",
                "{\"prompt\": \"" + "x".repeat(200_000) + "\", \"max_tokens\": 1}", "", "null", "\"\"", "{}",
                "{\"messages\": []}", "{\"prompt\": []}", "{\"prompt\": [[]]}", "{\"prompt\": [-5]}");
        for (int i = 0; i < PARSER_ITERATIONS + hostile.size(); i++) {
            boolean chat = i % 3 == 2;
            String body = i >= PARSER_ITERATIONS ? hostile.get(i - PARSER_ITERATIONS)
                    : m.random().nextBoolean() ? m.mutate(chat ? CHAT : m.pick(COMPLETION, TOKEN_PROMPTS))
                    : typeConfused(chat ? CHAT : m.pick(COMPLETION, TOKEN_PROMPTS), m);
            try {
                var fields = JsonBody.object(mapper, body);
                var plan = chat ? parser.chat(fields, "chat") : parser.completion(fields, "completions");
                assertTrue(plan.sequences().size() >= 1);
            } catch (ApiException e) {
                if (e.status() < 400 || e.status() >= 500) {
                    fail("seed " + m.seed() + " iteration " + i + ": " + e.status() + " " + e.getMessage()
                            + " for " + ApiException.cut(body));
                }
            } catch (Throwable t) {
                fail("seed " + m.seed() + " iteration " + i + ": " + t + " for " + ApiException.cut(body), t);
            }
        }
    }

    @Test
    void mutatedWebSocketMessagesGetAClientErrorOrAnAnswer() {
        Mutator m = new Mutator(SEED + 1);
        String completion = "{\"type\": \"completion\", \"id\": \"c\", \"prompt\": \"Hi\", \"max_tokens\": 2, "
                + "\"logprobs\": 1, \"n\": 1}";
        String chat = "{\"type\": \"chat\", \"id\": 7, \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], "
                + "\"max_tokens\": 2}";
        String cancel = "{\"type\": \"cancel\", \"id\": \"c\"}";
        List<JsonNode> replies = new ArrayList<>();
        try (ApiTestClient.Ws ws = ApiTestClient.ws(base)) {
            for (int i = 0; i < WEBSOCKET_ITERATIONS; i++) {
                String base = m.pick(completion, chat, cancel);
                String message = m.random().nextBoolean() ? m.mutate(base) : typeConfused(base, m);
                // a WebSocket text frame is UTF-8: a lone surrogate (a JSON escape decoded) cannot be sent as such
                ws.send(new String(message.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
                JsonNode r;
                while ((r = ws.poll(0)) != null) {
                    replies.add(r);
                }
            }
            ApiTestClient.await("the fuzzed requests to end", 60, () -> {
                var s = holder.engine().orElseThrow().stats();
                return s.running() + s.waiting() == 0;
            });
            JsonNode r;
            while ((r = ws.poll(1000)) != null) {
                replies.add(r);
            }
            // the connection still works
            ws.send("{\"type\": \"completion\", \"id\": \"last\", \"prompt\": \"Hi\", \"max_tokens\": 1}");
            do {
                r = ws.next();
                replies.add(r);
            } while (!("last".equals(r.path("id").asText()) && "done".equals(r.path("type").asText())));
        }
        assertTrue(replies.size() >= WEBSOCKET_ITERATIONS / 2, "most messages are answered: " + replies.size());
        Set<String> types = Set.of("token", "done", "error");
        for (Iterator<JsonNode> it = replies.iterator(); it.hasNext(); ) {
            JsonNode r = it.next();
            assertTrue(types.contains(r.path("type").asText()), r.toString());
            if ("error".equals(r.path("type").asText())) {
                JsonNode e = r.get("error");
                assertNotNull(e, r.toString());
                assertTrue(Set.of("invalid_request_error", "rate_limit_exceeded").contains(e.path("type").asText()),
                        "a client error (or a full queue), not the server's: " + r);
            }
        }
    }
}
