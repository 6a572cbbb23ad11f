package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}) started as users start it, in the prod
 * profile: Quarkus' graceful-shutdown filter counts the HTTP requests ({@code quarkus.shutdown.timeout}), which the
 * {@code @QuarkusTest}s (test profile) never have. Runs in the {@code integration-test} phase, after
 * {@code package} ({@code pom.xml}, execution {@code packaged-test}).
 *
 * <ul>
 *   <li>A text frame with invalid UTF-8 closes the connection with 1007 there too (the route that guards the
 *       WebSocket's frames sees the upgrade behind the filter).</li>
 *   <li>SIGTERM with one WebSocket closed before, one idle and one running a request, next to a running SSE
 *       stream: the streams get their last events, each WebSocket then a close frame 1001, and the process exits
 *       with status 0 without {@code Timed out waiting for graceful shutdown}. Before, every WebSocket upgrade
 *       stayed counted as a running HTTP request, so any shutdown after one waited the whole 10 s and logged that
 *       line, and open WebSockets were dropped without a close frame.</li>
 * </ul>
 * The running requests' clients stop reading, so that their sequences pause ({@code neox.stream.*} is set small)
 * and are certain to be running when SIGTERM arrives; they read again once it has, within a drain timeout long
 * enough for them to finish on a loaded machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackagedServerIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
    private static final String TIMED_OUT = "Timed out waiting for graceful shutdown";
    /** A socket receive buffer small enough that the kernel holds little of a stream the test does not read. */
    private static final int RECEIVE_BUFFER = 4096;

    private static Process server;
    private static final List<String> log = new ArrayList<>();
    private static final CountDownLatch listening = new CountDownLatch(1);
    private static volatile int port;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: this test runs after `./mvnw package`");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dneox4j.relaunch=false", "-Dquarkus.http.port=0",
                "-Dneox.threads=2", "-Dneox.stream.max-buffered-bytes=4K", "-Dneox.stream.stall-timeout=10m",
                "-Dneox.http.send-buffer-size=16K", "-Dneox.shutdown.drain-timeout=5m", "-jar", JAR.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        server = pb.start();
        Thread reader = new Thread(PackagedServerIT::readLog, "packaged-server-log");
        reader.setDaemon(true);
        reader.start();
        // a guard, not a timing: the server starts in seconds, a loaded CI machine may take minutes
        assertTrue(listening.await(5, TimeUnit.MINUTES), "the server did not start:\n" + log());
        awaitReady();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(1)
    void invalidUtf8TextCloses1007() {
        try (RawWebSocket ws = new RawWebSocket(base(), "/v1/stream")) {
            ws.send(true, 0, RawWebSocket.TEXT, new byte[]{'"', (byte) 0xc3, (byte) 0x28, '"'});
            RawWebSocket.Frame close = ws.awaitClose();
            assertNotNull(close, "the server dropped the connection without a close frame");
            assertEquals(1007, close.closeCode(), close.text());
        }
    }

    @Test
    @Order(2)
    void sigtermEndsStreamsClosesWebSocketsWith1001AndExitsWithoutWaitingForThem() throws Exception {
        try (RawWebSocket closed = new RawWebSocket(base(), "/v1/stream")) {
            closed.sendText("{\"type\": \"completion\", \"id\": \"c\", \"prompt\": \"x\", \"max_tokens\": 2}");
            awaitDone(closed, "c");
        }
        String request = "\"prompt\": \"Running at SIGTERM\", \"max_tokens\": 1500, \"ignore_eos\": true";
        try (RawWebSocket idle = new RawWebSocket(base(), "/v1/stream");
             RawWebSocket busy = new RawWebSocket(base(), "/v1/stream", RECEIVE_BUFFER);
             RawHttp sse = new RawHttp(base(), 120_000, RECEIVE_BUFFER)) {
            // a message the endpoint answers: the idle connection is open in the application, not only upgraded
            idle.sendText("{}");
            assertTrue(idle.next().text().contains("'type' is required"), "the idle connection's answer");
            busy.sendText("{\"type\": \"completion\", \"id\": \"b\", " + request + "}");
            assertEquals(RawWebSocket.TEXT, busy.next().opcode(), "the running request's first token");
            sse.post("/v1/completions", "{" + request + ", \"stream\": true}");
            awaitRunning(2);

            long t0 = System.nanoTime();
            server.toHandle().destroy(); // SIGTERM

            List<String> events = sse.read().body().lines().filter(l -> l.startsWith("data: ")).toList();
            assertEquals("data: [DONE]", events.getLast(), "the SSE stream ends properly");
            JsonNode end = ApiTestClient.json(events.get(events.size() - 2).substring("data: ".length()));
            assertEquals("length", end.path("choices").path(0).path("finish_reason").asText(),
                    "the stream finished within the drain: " + end);
            JsonNode last = awaitDone(busy, "b");
            assertEquals("length", last.get("finish_reason").asText(), last.toString());
            assertGoingAway(busy.awaitClose(), "the WebSocket that ran a request");
            assertGoingAway(idle.awaitClose(), "the idle WebSocket");

            assertTrue(server.waitFor(2, TimeUnit.MINUTES), "the server did not exit:\n" + log());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("PackagedServerIT: exit %d ms after SIGTERM (drain included)%n", ms);
            assertEquals(0, server.exitValue(), log());
            assertFalse(log().contains(TIMED_OUT), "shutdown waited for the WebSocket upgrade requests:\n" + log());
            assertTrue(log().contains("Closing 2 WebSocket connection(s) with 1001"), log());
        }
    }

    // ------------------------------------------------------------------ helpers

    private static URI base() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    private static void assertGoingAway(RawWebSocket.Frame close, String which) {
        assertNotNull(close, which + " was dropped without a close frame:\n" + log());
        assertEquals(1001, close.closeCode(), which + ": " + close.text());
    }

    /** Reads {@code ws} up to request {@code id}'s done message and returns it. */
    private static JsonNode awaitDone(RawWebSocket ws, String id) {
        RawWebSocket.Frame f;
        while ((f = ws.next()) != null) {
            if (f.opcode() == RawWebSocket.TEXT) {
                JsonNode m = ApiTestClient.json(f.text());
                assertEquals(id, m.path("id").asText(), m.toString());
                assertFalse("error".equals(m.path("type").asText()), m.toString());
                if ("done".equals(m.path("type").asText())) {
                    return m;
                }
            }
        }
        throw new AssertionError("no done message for " + id + ":\n" + log());
    }

    private static final Pattern RUNNING = Pattern.compile("(?m)^neox_requests_running(?:\\{[^}]*})? ([0-9.]+)");

    /** Waits until {@code n} sequences hold a KV slot ({@code neox_requests_running}). */
    private static void awaitRunning(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        String metrics = "";
        while (System.nanoTime() < deadline) {
            try (RawHttp http = new RawHttp(base(), 10_000)) {
                metrics = http.get("/q/metrics").read().body();
            }
            Matcher m = RUNNING.matcher(metrics);
            if (m.find() && (int) Double.parseDouble(m.group(1)) == n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(n + " sequences did not start: " + metrics.lines()
                .filter(l -> l.startsWith("neox_requests_running")).toList());
    }

    private static void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (RawHttp http = new RawHttp(base(), 10_000)) {
                if (http.get("/q/health/ready").read().status() == 200) {
                    return;
                }
            } catch (RuntimeException e) {
                // not accepting yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the engine did not become ready:\n" + log());
    }

    private static void readLog() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (log) {
                    log.add(line);
                }
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                    listening.countDown();
                }
            }
        } catch (IOException e) {
            synchronized (log) {
                log.add("(log read failed: " + e + ")");
            }
        }
    }

    private static String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }
}
