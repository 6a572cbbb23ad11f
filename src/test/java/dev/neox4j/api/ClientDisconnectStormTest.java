package dev.neox4j.api;

import dev.neox4j.api.rest.ClientDisconnectLogFilter;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 item 6 / issue 17 finding 7: clients that go away in the middle of a response (SSE over HTTP/1.1 and
 * HTTP/2, plain JSON, WebSocket) or send frames the protocol forbids leave no ERROR or WARN line and no stack trace
 * in the server's log. Before, RESTEasy logged "Exception in SSE server handling" with a trace for every dropped
 * HTTP/2 stream, Quarkus' error handler "HTTP Request ... failed" for dropped connections. The records are caught
 * at the root logger and passed through the filter that {@code quarkus.log.console.filter} installs on the console.
 */
@QuarkusTest
class ClientDisconnectStormTest extends ServerTestBase {

    private LogCapture capture;

    @BeforeEach
    void capture() {
        capture = LogCapture.of("");
    }

    @AfterEach
    void release() {
        capture.close();
    }

    int busy() {
        var s = holder.engine().orElseThrow().stats();
        return s.running() + s.waiting();
    }

    static String post(String body) {
        return "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void aDisconnectStormLeavesNoErrorAndNoStackTraceInTheLog() throws Exception {
        assertEquals(ClientDisconnectLogFilter.NAME,
                ConfigProvider.getConfig().getValue("quarkus.log.console.filter", String.class));
        String stream = ApiTestClient.jsonObject("prompt", "Storm", "max_tokens", 400, "ignore_eos", true,
                "stream", true);
        String json = ApiTestClient.jsonObject("prompt", "Storm", "max_tokens", 400, "ignore_eos", true);
        for (int i = 0; i < 3; i++) {
            // SSE over HTTP/1.1: read the first bytes, then reset the connection
            try (RawHttp http = new RawHttp(base, 30_000)) {
                http.send(post(stream));
                http.readSome(512);
                http.abort();
            }
            // plain JSON: reset while the answer is being generated
            try (RawHttp http = new RawHttp(base, 30_000)) {
                http.send(post(json));
                ApiTestClient.await("the request to run", 30, () -> busy() > 0);
                http.abort();
            }
            // WebSocket: one message, then reset
            try (RawWebSocket ws = new RawWebSocket(base, "/v1/stream")) {
                ws.sendText(ApiTestClient.jsonObject("type", "completion", "id", "s", "prompt", "Storm",
                        "max_tokens", 400, "ignore_eos", true));
                ws.next();
                ws.abort();
            }
        }
        // SSE over HTTP/2 (h2c, as the JDK client does): read two events, then drop the stream
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        try {
            for (int i = 0; i < 3; i++) {
                HttpResponse<InputStream> r = h2.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(stream)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = r.body()) {
                    in.readNBytes(600);
                }
            }
        } finally {
            h2.close();
        }
        // frames the protocol forbids
        try (RawWebSocket ws = new RawWebSocket(base, "/v1/stream")) {
            ws.send(true, 0, RawWebSocket.BINARY, new byte[]{1, 2, 3});
            ws.awaitClose();
        }
        try (RawWebSocket ws = new RawWebSocket(base, "/v1/stream")) {
            ws.send(true, 0, RawWebSocket.TEXT, new byte[]{'{', (byte) 0xC3, (byte) 0x28, '}'});
            ws.awaitClose();
        }
        ApiTestClient.await("every dropped request to free its slot", 60, () -> busy() == 0);
        Thread.sleep(2000); // late failed writes of the dropped responses

        Filter console = new ClientDisconnectLogFilter();
        List<String> loud = capture.records().stream()
                .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue() || r.getThrown() != null)
                .filter(console::isLoggable)
                .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
                        + (r.getThrown() == null ? "" : " [" + r.getThrown() + "]"))
                .toList();
        assertTrue(loud.isEmpty(), () -> "client disconnects logged:\n" + String.join("\n", loud));
    }
}
