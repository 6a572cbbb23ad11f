package dev.neox4j.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Soak test (not run in CI; README "Soak test"): mixed traffic against a running server for a while, sampling the
 * server process every minute. Traffic per worker, drawn at random: short JSON completions, long SSE streams read to
 * the end, streams cancelled after a few events, slow readers (an {@code n=4} stream read one event every two
 * seconds, then dropped), chats, and WebSocket requests. Samples: resident memory ({@code /proc/PID/status}),
 * heap used after a full GC ({@code jcmd PID GC.run}, then {@code GC.heap_info}), open file descriptors
 * ({@code /proc/PID/fd}) and the outcome counts so far.
 *
 * <pre>java src/test/java/dev/neox4j/soak/Soak.java http://127.0.0.1:18800 PID [minutes=30] [workers=6]</pre>
 */
public final class Soak {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        long pid = Long.parseLong(args[1]);
        int minutes = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        CountDownLatch done = new CountDownLatch(workers);
        for (int w = 0; w < workers; w++) {
            long seed = w;
            pool.submit(() -> {
                Random random = new Random(seed);
                while (System.nanoTime() < end) {
                    String kind = switch (random.nextInt(6)) {
                        case 0 -> "short";
                        case 1 -> "long-stream";
                        case 2 -> "cancelled";
                        case 3 -> "slow-reader";
                        case 4 -> "chat";
                        default -> "websocket";
                    };
                    try {
                        run(base, kind, random);
                        count(kind + ".ok");
                    } catch (Exception e) {
                        count(kind + ".failed");
                    }
                }
                done.countDown();
            });
        }
        System.out.println("minute,rss_mb,heap_after_gc_mb,fds,counts");
        for (int minute = 0; minute <= minutes; minute++) {
            System.out.printf("%d,%.1f,%.1f,%d,%s%n", minute, rssMb(pid), heapAfterGcMb(pid), fds(pid),
                    new java.util.TreeMap<>(COUNTS));
            if (minute < minutes) {
                Thread.sleep(60_000);
            }
        }
        done.await(5, TimeUnit.MINUTES);
        pool.shutdownNow();
    }

    private static void count(String key) {
        COUNTS.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static void run(URI base, String kind, Random random) throws Exception {
        switch (kind) {
            case "short" -> json(base, "/v1/completions", "{\"prompt\": \"Hello\", \"max_tokens\": 8}");
            case "chat" -> json(base, "/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 16}");
            case "long-stream" -> stream(base, "{\"prompt\": \"Once\", \"max_tokens\": 200, \"ignore_eos\": true, "
                    + "\"stream\": true}", Integer.MAX_VALUE, 0);
            case "cancelled" -> stream(base, "{\"prompt\": \"Once\", \"max_tokens\": 500, \"ignore_eos\": true, "
                    + "\"stream\": true}", 3 + random.nextInt(5), 0);
            case "slow-reader" -> stream(base, "{\"prompt\": \"Once\", \"max_tokens\": 1000, \"ignore_eos\": true, "
                    + "\"stream\": true, \"n\": 4}", 5, 2000);
            default -> websocket(base);
        }
    }

    private static void json(URI base, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(post(base, path, body), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("status " + r.statusCode());
        }
    }

    /** Reads up to {@code events} SSE events, pausing {@code pauseMillis} between them, then drops the stream. */
    private static void stream(URI base, String body, int events, long pauseMillis) throws Exception {
        HttpResponse<InputStream> r = HTTP.send(post(base, "/v1/completions", body),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body();
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            if (r.statusCode() != 200) {
                throw new IllegalStateException("status " + r.statusCode());
            }
            int read = 0;
            String line;
            while (read < events && (line = reader.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    read++;
                    if (line.equals("data: [DONE]")) {
                        return;
                    }
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                }
            }
        }
    }

    private static void websocket(URI base) throws Exception {
        CompletableFuture<Void> finished = new CompletableFuture<>();
        WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(
                URI.create(base.toString().replaceFirst("^http", "ws")).resolve("/v1/stream"),
                new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket s, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            String m = text.toString();
                            text.setLength(0);
                            if (m.contains("\"type\":\"done\"")) {
                                finished.complete(null);
                            } else if (m.contains("\"type\":\"error\"")) {
                                finished.completeExceptionally(new IllegalStateException(m));
                            }
                        }
                        s.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"type\": \"completion\", \"id\": \"1\", \"prompt\": \"Hi\", \"max_tokens\": 32}", true);
        try {
            finished.get(120, TimeUnit.SECONDS);
        } finally {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }

    private static HttpRequest post(URI base, String path, String body) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static double rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return -1;
    }

    private static long fds(long pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.count();
        }
    }

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private static double heapAfterGcMb(long pid) throws Exception {
        jcmd(pid, "GC.run");
        Matcher m = USED.matcher(jcmd(pid, "GC.heap_info"));
        return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : -1;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("# ended " + Instant.now())));
    }
}
