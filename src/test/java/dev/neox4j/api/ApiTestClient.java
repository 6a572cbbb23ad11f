package dev.neox4j.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neox4j.config.EngineHolder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Plain JDK clients for the API tests: SSE read line by line, WebSocket message by message. */
public final class ApiTestClient {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ApiTestClient() {
    }

    public static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request body from {@code key, value, key, value, ...} (values: anything Jackson writes). */
    public static Map<String, Object> map(Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key, value pairs");
        }
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** {@link #map} as JSON text. */
    public static String jsonObject(Object... keyValues) {
        return JSON.valueToTree(map(keyValues)).toString();
    }

    /** An open SSE response read event by event. */
    public static final class Sse implements AutoCloseable {
        public final HttpResponse<InputStream> response;
        private final Stream<String> lines;
        private final Iterator<String> it;

        Sse(HttpResponse<InputStream> response) {
            this.response = response;
            this.lines = new java.io.BufferedReader(new java.io.InputStreamReader(response.body(),
                    StandardCharsets.UTF_8)).lines();
            this.it = lines.iterator();
        }

        /** The next {@code data:} payload (the raw text after {@code "data: "}), or null at the end. */
        public String next() {
            while (it.hasNext()) {
                String line = it.next();
                if (line.isEmpty()) {
                    continue;
                }
                assertTrue(line.startsWith("data: "), "not an SSE data line: " + line);
                String data = line.substring(6);
                assertTrue(it.hasNext(), "an event must end with an empty line");
                assertEquals("", it.next(), "an event must end with an empty line");
                return data;
            }
            return null;
        }

        /** All remaining payloads up to and including {@code [DONE]}. */
        public List<String> rest() {
            List<String> out = new ArrayList<>();
            String d;
            while ((d = next()) != null) {
                out.add(d);
                if (d.equals("[DONE]")) {
                    assertEquals(null, next(), "nothing may follow [DONE]");
                    break;
                }
            }
            return out;
        }

        @Override
        public void close() {
            lines.close();
        }
    }

    /** POSTs {@code body} and opens the response as an SSE stream. */
    public static Sse sse(URI base, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return new Sse(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A WebSocket client collecting the server's messages. */
    public static final class Ws implements AutoCloseable {
        public final WebSocket socket;
        private final BlockingQueue<String> messages;

        Ws(WebSocket socket, BlockingQueue<String> messages) {
            this.socket = socket;
            this.messages = messages;
        }

        public void send(String json) {
            socket.sendText(json, true).join();
        }

        /** The next message (fails after 60 s). */
        public JsonNode next() {
            try {
                String m = messages.poll(60, TimeUnit.SECONDS);
                assertNotNull(m, "no WebSocket message within 60 s");
                return json(m);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** The next message, or null if none arrives within {@code millis}. */
        public JsonNode poll(long millis) {
            try {
                String m = messages.poll(millis, TimeUnit.MILLISECONDS);
                return m == null ? null : json(m);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }

    /** Connects to {@code /v1/stream?api_key=<key>}. */
    public static Ws wsQuery(URI base, String key) {
        return connect(URI.create(base.toString().replaceFirst("^http", "ws")).resolve("/v1/stream?api_key=" + key));
    }

    /** Connects to {@code /v1/stream}. */
    public static Ws ws(URI base, String... headers) {
        return connect(URI.create(base.toString().replaceFirst("^http", "ws")).resolve("/v1/stream"), headers);
    }

    private static Ws connect(URI uri, String... headers) {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        // generous: the first handshake of a fresh server loads classes, slow on a loaded CI machine
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        WebSocket socket = b.buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    queue.add(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return CompletableFuture.completedFuture(null);
            }
        }).join();
        return new Ws(socket, queue);
    }

    /** Waits (up to 120 s) until the engine has left LOADING and asserts it is READY. */
    public static void awaitReady(EngineHolder holder) {
        await("the engine to load", 120, () -> holder.state() != EngineHolder.State.LOADING);
        assertEquals(EngineHolder.State.READY, holder.state(),
                () -> "engine state, failure: " + holder.failure().map(Throwable::toString).orElse("none"));
    }

    /** Waits up to {@code seconds} for {@code condition}. */
    public static void await(String what, double seconds, BooleanSupplier condition) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        fail("timed out after " + seconds + " s waiting for " + what);
    }
}
