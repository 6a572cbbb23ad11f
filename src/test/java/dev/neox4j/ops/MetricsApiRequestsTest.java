package dev.neox4j.ops;

import dev.neox4j.api.ApiTestClient;
import dev.neox4j.config.EngineHolder;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scrapes {@code /q/metrics} before and after real requests to the OpenAI endpoints and checks that the request
 * counters, token counters and latency histograms moved by exactly what the responses report.
 */
@QuarkusTest
class MetricsApiRequestsTest {

    @Inject
    EngineHolder holder;

    @BeforeEach
    void engineIsReady() throws InterruptedException {
        ApiTestClient.awaitReady(holder);
    }

    @Test
    void completionsMoveTheCountersAndHistograms() {
        PrometheusScrape before = OpsTestSupport.scrape();
        int promptTokens = 0;
        int completionTokens = 0;
        for (String prompt : List.of("Hello world", "The quick brown fox jumps over")) {
            JsonPath r = given().contentType(ContentType.JSON)
                    .body("{\"prompt\": \"" + prompt + "\", \"max_tokens\": 4, \"temperature\": 0, \"ignore_eos\": true}")
                    .post("/v1/completions").then().statusCode(200).extract().jsonPath();
            promptTokens += r.getInt("usage.prompt_tokens");
            completionTokens += r.getInt("usage.completion_tokens");
        }
        assertEquals(8, completionTokens, "4 tokens each, end-of-text ignored");
        PrometheusScrape after = OpsTestSupport.scrape();

        String[] src = {"source", "completions"};
        assertEquals(2, PrometheusScrape.delta(before, after, "neox_requests_total", "source", "completions", "outcome", "success"));
        assertEquals(promptTokens, PrometheusScrape.delta(before, after, "neox_prompt_tokens_total", src));
        assertEquals(completionTokens, PrometheusScrape.delta(before, after, "neox_generation_tokens_total", src));
        assertEquals(2, PrometheusScrape.delta(before, after, "neox_time_to_first_token_seconds_count", src));
        assertEquals(6, PrometheusScrape.delta(before, after, "neox_inter_token_latency_seconds_count", src), "3 gaps per request");
        assertEquals(2, PrometheusScrape.delta(before, after, "neox_e2e_request_latency_seconds_count", src));
        assertTrue(PrometheusScrape.delta(before, after, "neox_e2e_request_latency_seconds_sum", src) > 0);
        assertEquals(2, PrometheusScrape.delta(before, after, "neox_queue_time_seconds_count", src));
        assertEquals(2, PrometheusScrape.delta(before, after, "neox_request_prompt_tokens_count", src));
        assertEquals(promptTokens, PrometheusScrape.delta(before, after, "neox_request_prompt_tokens_sum", src));
        assertEquals(completionTokens, PrometheusScrape.delta(before, after, "neox_request_generation_tokens_sum", src));
        assertEquals(2, PrometheusScrape.delta(before, after, "neox_request_generation_tokens_bucket", "source", "completions",
                "le", "5.0"), "4 generated tokens fall in the <= 5 bucket");
        assertEquals(2, PrometheusScrape.delta(before, after, "neox_e2e_request_latency_seconds_bucket", "source", "completions",
                "le", "+Inf"));
    }

    @Test
    void aStreamedChatIsCountedUnderItsOwnSource() {
        PrometheusScrape before = OpsTestSupport.scrape();
        String body = given().contentType(ContentType.JSON)
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 3, \"stream\": true}")
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        assertTrue(body.contains("[DONE]"), body);
        PrometheusScrape after = OpsTestSupport.scrape();
        assertEquals(1, PrometheusScrape.delta(before, after, "neox_requests_total", "source", "chat", "outcome", "success"));
        assertTrue(PrometheusScrape.delta(before, after, "neox_generation_tokens_total", "source", "chat") >= 1);
        assertEquals(0, PrometheusScrape.delta(before, after, "neox_requests_total", "source", "completions"),
                "other sources unchanged");
    }

    /**
     * Issue 18 item 7: a request with {@code n = 3} counted 3 in {@code neox_requests_total}; it counts 1 there and
     * 3 in {@code neox_choices_total}.
     */
    @Test
    void aRequestWithThreeChoicesCountsOneRequestAndThreeChoices() {
        PrometheusScrape before = OpsTestSupport.scrape();
        JsonPath r = given().contentType(ContentType.JSON)
                .body("{\"prompt\": \"Count me\", \"max_tokens\": 3, \"n\": 3, \"ignore_eos\": true}")
                .post("/v1/completions").then().statusCode(200).extract().jsonPath();
        assertEquals(3, r.getList("choices").size());
        PrometheusScrape after = OpsTestSupport.scrape();
        assertEquals(1, PrometheusScrape.delta(before, after, "neox_requests_total", "source", "completions",
                "outcome", "success"));
        assertEquals(3, PrometheusScrape.delta(before, after, "neox_choices_total", "source", "completions",
                "outcome", "success"));
    }
}
