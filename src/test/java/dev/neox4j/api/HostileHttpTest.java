package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests a well-behaved client never sends, written byte by byte on a socket: each gets its status and, where the
 * application can shape it, the OpenAI error body {@code {"error": {"message", "type", "param", "code"}}} (README
 * "HTTP limits and timeouts").
 */
@QuarkusTest
class HostileHttpTest extends ServerTestBase {

    RawHttp.Response exchange(String request) {
        try (RawHttp http = new RawHttp(base, 30_000)) {
            return http.send(request).read();
        }
    }

    static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    static JsonNode assertOpenAiError(RawHttp.Response r, int status, String code) {
        assertEquals(status, r.status(), () -> "status; body: " + r.body());
        assertTrue(r.header("content-type") != null && r.header("content-type").startsWith("application/json"),
                () -> "content type " + r.header("content-type") + ", body: " + r.body());
        JsonNode error = ApiTestClient.json(r.body()).get("error");
        assertNotNull(error, r.body());
        for (String field : new String[]{"message", "type", "param", "code"}) {
            assertTrue(error.has(field), () -> "error." + field + " missing: " + r.body());
        }
        assertTrue(error.get("message").asText().length() > 10, r.body());
        if (code != null) {
            assertEquals(code, error.get("code").asText(), r.body());
        }
        return error;
    }

    @Test
    void trailingTokensAfterTheJsonBodyAre400OnEveryJsonEndpoint() {
        for (String[] c : new String[][]{
                {"/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2} xyz"},
                {"/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], "
                        + "\"max_tokens\": 2} {\"x\": 1}"},
                {"/tokenize", "{\"prompt\": \"x\"} ]"},
                {"/detokenize", "{\"tokens\": [1]} 5"}}) {
            JsonNode error = assertOpenAiError(exchange(post(c[0], c[1])), 400, null);
            assertTrue(error.get("message").asText().contains("parse the JSON"), c[0] + ": " + error);
        }
    }

    /** The JDK client upgrades plain HTTP to HTTP/2 (h2c) on its first request; Vert.x then reads the body itself. */
    @Test
    void aBodySentWithAnH2cUpgradeIsServed() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2).build();
        for (int i = 0; i < 2; i++) {
            java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
                            base.resolve("/v1/completions")).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"prompt\": \"x\", \"max_tokens\": 2}"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    @Test
    void anUnknownModelNameIsCutInTheMessage() {
        String name = "m".repeat(100_000);
        RawHttp.Response r = exchange(post("/v1/completions", "{\"model\": \"" + name + "\", \"prompt\": \"x\"}"));
        JsonNode error = assertOpenAiError(r, 404, "model_not_found");
        assertTrue(error.get("message").asText().length() < 400, () -> "message of "
                + error.get("message").asText().length() + " characters");
        assertTrue(error.get("message").asText().contains("100000 characters"), error.toString());
    }

    @Test
    void aBodyOverTheLimitIs413() {
        RawHttp.Response r = exchange("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                + "\r\nContent-Length: 20000000\r\n\r\n{\"prompt\": \"");
        assertOpenAiError(r, 413, "request_too_large");
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() {
        try (RawHttp http = new RawHttp(base, 30_000)) {
            http.send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            String chunk = "a".repeat(1 << 20);
            try {
                for (int i = 0; i < 12; i++) {
                    http.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
                }
            } catch (java.io.UncheckedIOException serverClosedFirst) {
                // the server may answer and close before the client is done sending
            }
            assertOpenAiError(http.read(), 413, "request_too_large");
        }
    }

    @Test
    void anOverLongUriIs414() {
        RawHttp.Response r = exchange("GET /v1/models?q=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertOpenAiError(r, 414, "uri_too_long");
    }

    @Test
    void anOverLargeHeaderIs431() {
        RawHttp.Response r = exchange("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000)
                + "\r\n\r\n");
        assertOpenAiError(r, 431, "headers_too_large");
    }

    /**
     * A chunk that is not a chunk: Vert.x reports the decoder failure and closes the connection in the same step,
     * so no answer can be written (README "HTTP limits and timeouts"); what must not happen is a 500 or a
     * connection left open.
     */
    @Test
    void brokenChunkedFramingClosesTheConnectionWithoutA500() throws InterruptedException {
        try (RawHttp http = new RawHttp(base, 30_000)) {
            http.send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"pro\r\n");
            Thread.sleep(300); // the head is being handled when the broken chunk arrives
            http.send("zz\r\nmpt\": 1}\r\n0\r\n\r\n");
            RawHttp.Response r = http.read();
            if (r.status() != -1) {
                assertOpenAiError(r, 400, "invalid_body");
            }
        }
    }

    @Test
    void framingErrorsInTheRequestHeadAre400() {
        // Vert.x answers these itself, before any application code runs (README "HTTP limits and timeouts")
        for (String head : new String[]{
                "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n",
                "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                "GET /v1/models HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"}) {
            assertEquals(400, exchange(head).status(), head);
        }
    }

    @Test
    void anUploadThatStopsHalfWayIs408NotA500() {
        try (RawHttp http = new RawHttp(base, 60_000)) {
            http.send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"prompt\": \"x\", ");
            RawHttp.Response r = http.read();
            assertOpenAiError(r, 408, "request_timeout");
        }
    }
}
