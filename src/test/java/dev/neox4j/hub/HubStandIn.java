package dev.neox4j.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hugging Face Hub of the tests' own, on loopback, speaking the protocol {@code huggingface_hub} relies on:
 * {@code HEAD/GET /OWNER/REPO/resolve/REV/PATH} answering small files directly (git ETag) and LFS files with a
 * redirect to a second server (another port, the "CDN") carrying {@code X-Linked-Etag} (sha256),
 * {@code X-Linked-Size} and {@code X-Repo-Commit}; the CDN refuses requests that carry {@code Authorization} (as
 * presigned URLs do) and honours {@code Range}. The model-info ({@code /api/models/R/revision/REV}), tree and refs
 * APIs list files and revisions. Gated repositories answer 401 without a token and 403 with a wrong one; errors
 * carry {@code X-Error-Code}. Faults can be injected: a transfer cut after some bytes, a stalled transfer, a
 * corrupt blob. Every request is recorded.
 */
public final class HubStandIn implements AutoCloseable {

    /** One recorded request. */
    public record Request(String server, String method, String path, String authorization, String range) {
    }

    /** A file of a commit. */
    record StoredFile(byte[] content, boolean lfs, String sha256, String gitOid) {
    }

    /** A repository: commits, branches and tags, and an optional gate. */
    public final class Repo {
        final String id;
        final Map<String, Map<String, StoredFile>> commits = new ConcurrentHashMap<>();
        final Map<String, String> branches = new ConcurrentHashMap<>();
        final Map<String, String> tags = new ConcurrentHashMap<>();
        volatile String requiredToken;

        Repo(String id) {
            this.id = id;
        }

        /**
         * Commits {@code files} on {@code branch} (the branch moves to the new commit) and returns the commit hash.
         * Files ending in .gguf, .safetensors or .bin are LFS files.
         */
        public String commit(String branch, Map<String, byte[]> files) {
            Map<String, StoredFile> stored = new TreeMap<>();
            files.forEach((path, bytes) -> stored.put(path, new StoredFile(bytes.clone(), isLfs(path),
                    hex("SHA-256", bytes), gitOid(bytes))));
            String commit = hex("SHA-1", (id + branch + commitCounter.incrementAndGet() + stored.keySet())
                    .getBytes(StandardCharsets.UTF_8));
            commits.put(commit, stored);
            branches.put(branch, commit);
            return commit;
        }

        /** Tags {@code commit}. */
        public Repo tag(String name, String commit) {
            tags.put(name, commit);
            return this;
        }

        /** Makes the repository gated: only {@code token} may read it. */
        public Repo gate(String token) {
            requiredToken = token;
            return this;
        }

        String commitOf(String revision) {
            if (commits.containsKey(revision)) {
                return revision;
            }
            String c = branches.get(revision);
            return c != null ? c : tags.get(revision);
        }
    }

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger commitCounter = new AtomicInteger();
    private final Map<String, Integer> cutAfter = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> cutsLeft = new ConcurrentHashMap<>();
    private final Map<String, Integer> stallAfter = new ConcurrentHashMap<>();
    private final Map<String, Boolean> corrupt = new ConcurrentHashMap<>();
    private volatile boolean revisionApi = true;
    private volatile long cdnDelayMillis;

    public HubStandIn() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(any, 0);
        cdn = HttpServer.create(any, 0);
        hub.setExecutor(executor);
        cdn.setExecutor(executor);
        hub.createContext("/", this::hub);
        cdn.createContext("/", this::cdn);
        hub.start();
        cdn.start();
    }

    /** The Hub's base URL (for {@code HF_ENDPOINT}). */
    public String endpoint() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    /** The CDN's port. */
    public int cdnPort() {
        return cdn.getAddress().getPort();
    }

    /** The repository {@code owner/name}, created when new. */
    public Repo repo(String id) {
        return repos.computeIfAbsent(id, Repo::new);
    }

    /** The requests so far. */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Forgets the recorded requests. */
    public void clearRequests() {
        requests.clear();
    }

    /** The next {@code times} CDN transfers of {@code sha256} break the connection after {@code bytes} bytes. */
    public void cutAfter(String sha256, int bytes, int times) {
        cutAfter.put(sha256, bytes);
        cutsLeft.put(sha256, new AtomicInteger(times));
    }

    /** The next CDN transfer of {@code sha256} sends {@code bytes} bytes and then nothing for a long time. */
    public void stallAfter(String sha256, int bytes) {
        stallAfter.put(sha256, bytes);
    }

    /** The CDN serves {@code sha256} with one byte changed (same length). */
    public void corrupt(String sha256) {
        corrupt.put(sha256, true);
    }

    /** Turns the model-info API off (404), so that clients must use the tree API. */
    public void disableRevisionApi() {
        revisionApi = false;
    }

    /** Slows each CDN chunk down (to keep concurrent downloads overlapping). */
    public void cdnDelay(long millis) {
        cdnDelayMillis = millis;
    }

    /** The sha256 of {@code bytes}, lower-case hex. */
    public static String sha256(byte[] bytes) {
        return hex("SHA-256", bytes);
    }

    private void record(String server, HttpExchange ex) {
        requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Range")));
    }

    private void hub(HttpExchange ex) throws IOException {
        try (ex) {
            record("hub", ex);
            String[] parts = ex.getRequestURI().getRawPath().substring(1).split("/", -1);
            if (parts.length >= 5 && parts[0].equals("api") && parts[1].equals("models")) {
                api(ex, parts);
            } else if (parts.length >= 5 && parts[2].equals("resolve")) {
                resolve(ex, parts);
            } else {
                send(ex, 404, Map.of(), new byte[0]);
            }
        }
    }

    private Repo authorized(HttpExchange ex, String id) throws IOException {
        Repo repo = repos.get(id);
        if (repo == null) {
            send(ex, 401, Map.of("X-Error-Code", "RepoNotFound", "X-Error-Message", "Repository not found"),
                    new byte[0]);
            return null;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (repo.requiredToken != null && !("Bearer " + repo.requiredToken).equals(auth)) {
            send(ex, auth == null ? 401 : 403, Map.of("X-Error-Code", "GatedRepo", "X-Error-Message",
                    "Access to model " + id + " is restricted"), new byte[0]);
            return null;
        }
        return repo;
    }

    private void resolve(HttpExchange ex, String[] parts) throws IOException {
        Repo repo = authorized(ex, parts[0] + "/" + parts[1]);
        if (repo == null) {
            return;
        }
        String revision = decode(parts[3]);
        String commit = repo.commitOf(revision);
        if (commit == null) {
            send(ex, 404, Map.of("X-Error-Code", "RevisionNotFound", "X-Error-Message", "Invalid rev id: "
                    + revision), new byte[0]);
            return;
        }
        StringBuilder path = new StringBuilder();
        for (int i = 4; i < parts.length; i++) {
            path.append(i > 4 ? "/" : "").append(decode(parts[i]));
        }
        StoredFile file = repo.commits.get(commit).get(path.toString());
        if (file == null) {
            send(ex, 404, Map.of("X-Error-Code", "EntryNotFound", "X-Repo-Commit", commit,
                    "X-Error-Message", "Entry not found"), new byte[0]);
            return;
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (file.lfs()) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Location", "http://127.0.0.1:" + cdnPort() + "/blob/" + file.sha256()
                    + "?X-Amz-Signature=" + commit.substring(0, 8));
            h.put("ETag", "\"" + file.gitOid() + "\"");
            h.put("X-Linked-Etag", "\"" + file.sha256() + "\"");
            h.put("X-Linked-Size", Long.toString(file.content().length));
            h.put("X-Repo-Commit", commit);
            send(ex, 302, h, new byte[0]);
            return;
        }
        Map<String, String> h = Map.of("ETag", "\"" + file.gitOid() + "\"", "X-Repo-Commit", commit);
        if (head) {
            ex.getResponseHeaders().add("Content-Length", Integer.toString(file.content().length));
            h.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.sendResponseHeaders(200, -1);
        } else {
            send(ex, 200, h, file.content());
        }
    }

    private void api(HttpExchange ex, String[] parts) throws IOException {
        Repo repo = authorized(ex, parts[2] + "/" + parts[3]);
        if (repo == null) {
            return;
        }
        String what = parts[4];
        if (what.equals("refs")) {
            StringBuilder json = new StringBuilder("{\"branches\":[");
            refsJson(json, repo.branches);
            json.append("],\"tags\":[");
            refsJson(json, repo.tags);
            json.append("],\"converts\":[]}");
            send(ex, 200, Map.of("Content-Type", "application/json"), json.toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (parts.length < 6 || !(what.equals("revision") || what.equals("tree"))
                || (what.equals("revision") && !revisionApi)) {
            send(ex, 404, Map.of(), new byte[0]);
            return;
        }
        String revision = decode(parts[5]);
        String commit = repo.commitOf(revision);
        if (commit == null) {
            send(ex, 404, Map.of("X-Error-Code", "RevisionNotFound"), new byte[0]);
            return;
        }
        StringBuilder json = new StringBuilder();
        if (what.equals("revision")) {
            json.append("{\"_id\":\"x\",\"id\":\"").append(repo.id).append("\",\"sha\":\"").append(commit)
                    .append("\",\"private\":false,\"siblings\":[");
            boolean first = true;
            for (String f : repo.commits.get(commit).keySet()) {
                json.append(first ? "" : ",").append("{\"rfilename\":\"").append(f).append("\"}");
                first = false;
            }
            json.append("]}");
        } else {
            json.append("[");
            boolean first = true;
            for (var e : repo.commits.get(commit).entrySet()) {
                json.append(first ? "" : ",").append("{\"type\":\"file\",\"oid\":\"").append(e.getValue().gitOid())
                        .append("\",\"size\":").append(e.getValue().content().length).append(",\"path\":\"")
                        .append(e.getKey()).append("\"}");
                first = false;
            }
            json.append("]");
        }
        send(ex, 200, Map.of("Content-Type", "application/json"), json.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void refsJson(StringBuilder json, Map<String, String> refs) {
        boolean first = true;
        for (var e : new TreeMap<>(refs).entrySet()) {
            json.append(first ? "" : ",").append("{\"name\":\"").append(e.getKey()).append("\",\"ref\":\"refs/heads/")
                    .append(e.getKey()).append("\",\"targetCommit\":\"").append(e.getValue()).append("\"}");
            first = false;
        }
    }

    private void cdn(HttpExchange ex) throws IOException {
        try (ex) {
            record("cdn", ex);
            if (ex.getRequestHeaders().getFirst("Authorization") != null) {
                // presigned URLs refuse a second authentication mechanism
                send(ex, 400, Map.of(), "Only one auth mechanism allowed".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            String sha = path.startsWith("/blob/") ? path.substring("/blob/".length()) : "";
            StoredFile file = findBlob(sha);
            if (file == null) {
                send(ex, 404, Map.of(), new byte[0]);
                return;
            }
            byte[] content = file.content().clone();
            if (corrupt.containsKey(sha) && content.length > 0) {
                content[content.length / 2] ^= 0x5a;
            }
            long from = 0;
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
                from = Long.parseLong(range.substring(6, range.length() - 1));
                if (from >= content.length) {
                    ex.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/"
                        + content.length);
            }
            int status = range != null ? 206 : 200;
            int length = (int) (content.length - from);
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(status, length);
            Integer cut = null;
            AtomicInteger left = cutsLeft.get(sha);
            if (left != null && left.getAndDecrement() > 0) {
                cut = cutAfter.get(sha);
            }
            Integer stall = stallAfter.remove(sha);
            OutputStream out = ex.getResponseBody();
            int sent = 0;
            int chunk = 8192;
            while (sent < length) {
                int n = Math.min(chunk, length - sent);
                if (cut != null && sent + n > cut) {
                    n = Math.max(0, cut - sent);
                }
                if (stall != null && sent + n > stall) {
                    n = Math.max(0, stall - sent);
                }
                out.write(content, (int) from + sent, n);
                out.flush();
                sent += n;
                if (cut != null && sent >= cut) {
                    // the fixed-length body is incomplete: closing the exchange drops the connection
                    return;
                }
                if (stall != null && sent >= stall) {
                    sleep(30_000);
                    return;
                }
                if (cdnDelayMillis > 0) {
                    sleep(cdnDelayMillis);
                }
            }
        }
    }

    private StoredFile findBlob(String sha) {
        for (Repo r : repos.values()) {
            for (Map<String, StoredFile> files : r.commits.values()) {
                for (StoredFile f : files.values()) {
                    if (f.lfs() && f.sha256().equals(sha)) {
                        return f;
                    }
                }
            }
        }
        return null;
    }

    private static void send(HttpExchange ex, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isLfs(String path) {
        return path.endsWith(".gguf") || path.endsWith(".safetensors") || path.endsWith(".bin");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String gitOid(byte[] bytes) {
        byte[] header = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[header.length + bytes.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(bytes, 0, all, header.length, bytes.length);
        return hex("SHA-1", all);
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
    }
}
