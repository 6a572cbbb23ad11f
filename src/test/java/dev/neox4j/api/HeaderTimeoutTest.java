package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code neox.http.header-timeout}: a connection that sends no complete request head is closed after it, while
 * streams that are quiet because their request waits for a slot (SSE, WebSocket) keep their connection.
 */
@QuarkusTest
@TestProfile(HeaderTimeoutTest.ShortHeaderTimeout.class)
class HeaderTimeoutTest extends ServerTestBase {

    /** A one-second header timeout and a single slot, so that a second request has to wait. */
    public static class ShortHeaderTimeout extends ConfigProfile {
        public ShortHeaderTimeout() {
            super("neox.http.header-timeout", "1s", "neox.max-sequences", "1");
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() {
        try (RawHttp http = new RawHttp(base, 10_000)) {
            assertTrue(http.closedByServer(), "a silent connection must be closed within the header timeout");
        }
    }

    @Test
    void aConnectionThatStopsInTheMiddleOfItsHeadersIsClosed() {
        try (RawHttp http = new RawHttp(base, 10_000)) {
            http.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nAccept: app");
            assertTrue(http.closedByServer(), "a half-sent head must be closed within the header timeout");
        }
    }

    @Test
    void quietStreamsWaitingForASlotKeepTheirConnection() throws Exception {
        // the only slot is busy for several header timeouts
        CompletableFuture<List<String>> busy = CompletableFuture.supplyAsync(() -> {
            try (ApiTestClient.Sse sse = ApiTestClient.sse(base, "/v1/completions", ApiTestClient.jsonObject(
                    "prompt", "Busy", "max_tokens", 150, "ignore_eos", true, "stream", true))) {
                return sse.rest();
            }
        });
        try (ApiTestClient.Ws ws = ApiTestClient.ws(base)) {
            ApiTestClient.await("the first stream to start", 30,
                    () -> holder.engine().orElseThrow().stats().running() == 1);
            ws.send(ApiTestClient.jsonObject("type", "completion", "id", "w", "prompt", "Waiting", "max_tokens", 3));
            try (ApiTestClient.Sse waiting = ApiTestClient.sse(base, "/v1/completions", ApiTestClient.jsonObject(
                    "prompt", "Waiting", "max_tokens", 3, "stream", true))) {
                List<String> events = waiting.rest();
                assertEquals("[DONE]", events.getLast(), events.toString());
            }
            JsonNode m;
            do {
                m = ws.next();
            } while (!"done".equals(m.get("type").asText()) && !"error".equals(m.get("type").asText()));
            assertEquals("done", m.get("type").asText(), m.toString());
        }
        assertEquals("[DONE]", busy.get().getLast());
    }

    /**
     * Bug: a client that upgrades to HTTP/2 with its first request ({@code h2c}, as the JDK's HttpClient does) got a
     * fresh pipeline from Vert.x at the end of that request, with the header timeout as its idle timeout again: a
     * stream waiting for a slot longer than it lost its connection (EOF). The timeout is now lifted after the
     * upgrade too.
     */
    @Test
    void anH2cUpgradedStreamWaitingForASlotKeepsItsConnection() throws Exception {
        CompletableFuture<String> busy = CompletableFuture.supplyAsync(() -> given().contentType("application/json")
                .body(Map.of("prompt", "Busy", "max_tokens", 300, "ignore_eos", true))
                .post("/v1/completions").then().statusCode(200).extract().asString());
        ApiTestClient.await("the first request to start", 30,
                () -> holder.engine().orElseThrow().stats().running() == 1);
        HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        try {
            HttpResponse<Stream<String>> waiting = fresh.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(ApiTestClient.jsonObject(
                            "prompt", "Waiting", "max_tokens", 3, "stream", true))).build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertEquals(HttpClient.Version.HTTP_2, waiting.version(), "the request was not upgraded to h2c");
            List<String> lines = waiting.body().filter(l -> l.startsWith("data: ")).toList();
            assertEquals("data: [DONE]", lines.getLast(), lines.toString());
        } finally {
            fresh.close();
        }
        assertTrue(busy.get().contains("\"choices\""));
    }
}
