package dev.neox4j.hub;

import dev.neox4j.engine.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hub's HTTP protocol as {@code huggingface_hub} speaks it: {@code HEAD .../resolve/<rev>/<file>} without
 * following a redirect to another host, the model-info and tree APIs for listings, the refs API for error messages,
 * and GETs that drop the token when they leave the Hub's host. Errors become {@link HubException}s that say what
 * to do. Thread-safe; close it to release the HTTP client.
 */
final class HubClient implements AutoCloseable {

    private static final String USER_AGENT = "neox4j/0.1.0; huggingface_hub-compatible";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_LISTED = 40;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    private final HubSettings settings;
    private final HttpClient http;

    HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT).build();
    }

    HubSettings settings() {
        return settings;
    }

    /** The resolve URL of {@code file}, with the revision and path encoded as huggingface_hub encodes them. */
    URI resolveUrl(RepoId repo, String revision, String file) {
        return URI.create(settings.endpoint() + "/" + repo + "/resolve/" + encodeSegment(revision) + "/"
                + encodePath(file));
    }

    /**
     * Resolves one file: its commit, blob name, size and download location.
     *
     * @throws HubException 401/403 (mention {@code HF_TOKEN}), unknown revision or file (with what exists),
     *                      missing protocol headers
     */
    FileMetadata head(RepoId repo, String revision, String file) throws IOException {
        URI at = resolveUrl(repo, revision, file);
        HttpResponse<Void> answer = null;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = request(at, true).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity");
            answer = send(b.build(), HttpResponse.BodyHandlers.discarding());
            int status = answer.statusCode();
            String location = answer.headers().firstValue("Location").orElse(null);
            // follow only relative redirects (a renamed repository); an absolute one is where the bytes are
            if (status >= 300 && status < 400 && location != null && URI.create(location).getHost() == null) {
                at = at.resolve(location);
                continue;
            }
            break;
        }
        HttpResponse<Void> r = answer;
        URI url = at;
        int status = r.statusCode();
        boolean redirect = status >= 300 && status < 400;
        if (!redirect && status != 200) {
            throw failure(r, repo, revision, file);
        }
        String commit = r.headers().firstValue("X-Repo-Commit").orElse(null);
        if (commit == null || commit.isBlank()) {
            throw new HubException(HubException.Kind.PROTOCOL, settings.endpoint() + " did not answer like the "
                    + "Hugging Face Hub (no X-Repo-Commit for " + url + "); check HF_ENDPOINT and any proxy");
        }
        Optional<String> linkedEtag = r.headers().firstValue("X-Linked-Etag").map(HubClient::normalizeEtag);
        String etag = linkedEtag.or(() -> r.headers().firstValue("ETag").map(HubClient::normalizeEtag))
                .filter(s -> !s.isEmpty()).orElseThrow(() -> new HubException(HubException.Kind.PROTOCOL,
                        "the Hub sent no ETag for " + url + ": cannot cache it reliably"));
        String sizeText = r.headers().firstValue("X-Linked-Size")
                .or(() -> redirect ? Optional.empty() : r.headers().firstValue("Content-Length")).orElse(null);
        long size;
        try {
            size = Long.parseLong(sizeText == null ? "" : sizeText.strip());
        } catch (NumberFormatException e) {
            throw new HubException(HubException.Kind.PROTOCOL, "the Hub sent no usable size for " + url);
        }
        if (size < 0) {
            throw new HubException(HubException.Kind.PROTOCOL, "negative size " + size + " for " + url);
        }
        URI location = url;
        boolean sendToken = true;
        if (redirect) {
            String target = r.headers().firstValue("Location").orElseThrow(() -> new HubException(
                    HubException.Kind.PROTOCOL, "redirect without Location for " + url));
            location = url.resolve(target);
            sendToken = sameHost(url, location);
        }
        // the sha256 is X-Linked-Etag (an LFS file); the plain ETag of a redirect is not a content hash
        String sha256 = linkedEtag.map(e -> e.toLowerCase(Locale.ROOT)).filter(e -> SHA256.matcher(e).matches())
                .orElse(null);
        return new FileMetadata(commit.strip(), etag, size, location, sendToken, sha256);
    }

    /**
     * The files of {@code repo} at {@code revision}: {@code GET /api/models/<repo>/revision/<rev>} (its
     * {@code sha} and {@code siblings}), else the tree API.
     */
    RepoListing listing(RepoId repo, String revision) throws IOException {
        URI info = URI.create(settings.endpoint() + "/api/models/" + repo + "/revision/" + encodeSegment(revision));
        HttpResponse<String> r = send(request(info, true).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            Object json = parseJson(r.body(), info);
            Object siblings = Json.member(json, "siblings");
            if (siblings instanceof List<?> list) {
                TreeSet<String> files = new TreeSet<>();
                for (Object s : list) {
                    if (Json.member(s, "rfilename") instanceof String name) {
                        files.add(name);
                    }
                }
                String sha = Json.member(json, "sha") instanceof String s ? s : null;
                return new RepoListing(sha, List.copyOf(files));
            }
        } else if (isAuthOrKnownError(r)) {
            throw failure(r, repo, revision, null);
        }
        return tree(repo, revision);
    }

    private RepoListing tree(RepoId repo, String revision) throws IOException {
        URI url = URI.create(settings.endpoint() + "/api/models/" + repo + "/tree/" + encodeSegment(revision)
                + "?recursive=true&expand=false");
        TreeSet<String> files = new TreeSet<>();
        for (int page = 0; url != null && page < 1000; page++) {
            HttpResponse<String> r = send(request(url, true).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw failure(r, repo, revision, null);
            }
            if (!(parseJson(r.body(), url) instanceof List<?> entries)) {
                throw new HubException(HubException.Kind.PROTOCOL, "the tree API of " + url + " sent no list");
            }
            for (Object e : entries) {
                if ("file".equals(Json.member(e, "type")) && Json.member(e, "path") instanceof String path) {
                    files.add(path);
                }
            }
            URI current = url;
            url = r.headers().firstValue("Link").map(NEXT_LINK::matcher).filter(Matcher::find)
                    .map(m -> current.resolve(m.group(1))).orElse(null);
        }
        return new RepoListing(null, List.copyOf(files));
    }

    /** The branch and tag names of {@code repo}, best effort (empty when the Hub does not say). */
    List<String> refNames(RepoId repo) {
        try {
            URI url = URI.create(settings.endpoint() + "/api/models/" + repo + "/refs");
            HttpResponse<String> r = send(request(url, true).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return List.of();
            }
            Object json = Json.parse(r.body());
            List<String> names = new ArrayList<>();
            for (String kind : new String[] {"branches", "tags"}) {
                if (Json.member(json, kind) instanceof List<?> refs) {
                    for (Object ref : refs) {
                        if (Json.member(ref, "name") instanceof String name) {
                            names.add(name);
                        }
                    }
                }
            }
            return names;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * GETs {@code location}, following redirects; the token goes only to the host of the first URL, and only if
     * {@code sendToken}.
     *
     * @param range the first byte wanted (0 = the whole file)
     */
    HttpResponse<InputStream> get(URI location, boolean sendToken, long range) throws IOException {
        URI url = location;
        boolean token = sendToken;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = request(url, token).GET().header("Accept-Encoding", "identity");
            if (range > 0) {
                b.header("Range", "bytes=" + range + "-");
            }
            HttpResponse<InputStream> r = send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = r.statusCode();
            Optional<String> next = r.headers().firstValue("Location");
            if (status >= 300 && status < 400 && next.isPresent()) {
                r.body().close();
                URI target = url.resolve(next.get());
                token = token && sameHost(url, target);
                url = target;
                continue;
            }
            return r;
        }
        throw new HubException(HubException.Kind.PROTOCOL, "too many redirects downloading " + location);
    }

    /** The error for a non-success answer about {@code repo} (and {@code file}, if given). */
    HubException failure(HttpResponse<?> r, RepoId repo, String revision, String file) {
        int status = r.statusCode();
        String code = r.headers().firstValue("X-Error-Code").orElse("");
        String serverMessage = r.headers().firstValue("X-Error-Message").map(m -> " (" + m + ")").orElse("");
        String where = "hf://" + repo + (revision.equals(ModelReference.DEFAULT_REVISION) ? "" : "@" + revision);
        String repoPage = settings.endpoint() + "/" + repo;
        if (code.equals("GatedRepo") || ((status == 401 || status == 403) && !code.equals("RepoNotFound")
                && !code.equals("RevisionNotFound") && !code.equals("EntryNotFound"))) {
            String token = settings.token().isPresent()
                    ? "the token in use (HF_TOKEN, HUGGING_FACE_HUB_TOKEN or $HF_HOME/token) has no access to it"
                    : "no token is set";
            return new HubException(HubException.Kind.UNAUTHORIZED, where + ": access refused (HTTP " + status
                    + ")" + serverMessage + ". The repository is gated or private and " + token + ": accept its "
                    + "conditions at " + repoPage + " and set HF_TOKEN to a read token of that account");
        }
        if (code.equals("RevisionNotFound")) {
            List<String> refs = refNames(repo);
            return new HubException(HubException.Kind.NOT_FOUND, where + ": revision '" + revision
                    + "' not found" + (refs.isEmpty() ? "" : "; branches and tags: " + list(refs))
                    + " (or use a commit hash)");
        }
        if (code.equals("EntryNotFound") && file != null) {
            String files = filesForMessage(repo, revision);
            return new HubException(HubException.Kind.NOT_FOUND, where + ": no file '" + file + "'"
                    + (files.isEmpty() ? "" : "; files: " + files));
        }
        if (code.equals("RepoNotFound") || status == 404) {
            return new HubException(HubException.Kind.NOT_FOUND, where + ": " + (file == null ? "repository"
                    : "repository, revision or file") + " not found (HTTP " + status + ")" + serverMessage
                    + "; check the name at " + repoPage + " (a private or gated repository also needs HF_TOKEN)");
        }
        return new HubException(HubException.Kind.PROTOCOL, where + ": the Hub answered HTTP " + status
                + serverMessage + (status == 429 || status >= 500 ? "; try again later" : ""));
    }

    /** The files of {@code repo} at {@code revision} for an error message, best effort. */
    String filesForMessage(RepoId repo, String revision) {
        try {
            return list(listing(repo, revision).files());
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Joins names for an error message, eliding past {@link #MAX_LISTED}. */
    static String list(List<String> names) {
        if (names.size() <= MAX_LISTED) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, MAX_LISTED)) + ", ... (" + names.size() + " in all)";
    }

    private static boolean isAuthOrKnownError(HttpResponse<?> r) {
        int status = r.statusCode();
        String code = r.headers().firstValue("X-Error-Code").orElse("");
        return status == 401 || status == 403 || !code.isEmpty();
    }

    private HttpRequest.Builder request(URI url, boolean withToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(REQUEST_TIMEOUT).header("User-Agent", USER_AGENT);
        if (withToken) {
            settings.token().ifPresent(t -> b.header("Authorization", "Bearer " + t));
        }
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        if (settings.offline()) {
            // one guard for every request: offline mode never touches the network
            throw new HubException(HubException.Kind.OFFLINE, "HF_HUB_OFFLINE is set: no request to "
                    + request.uri());
        }
        try {
            return http.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while requesting " + request.uri());
        } catch (java.net.ConnectException e) {
            throw new java.net.ConnectException("cannot reach " + request.uri().getScheme() + "://"
                    + request.uri().getAuthority() + " (check HF_ENDPOINT, the network or a proxy)"
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private static Object parseJson(String body, URI from) throws HubException {
        try {
            return Json.parse(body);
        } catch (IllegalArgumentException e) {
            throw new HubException(HubException.Kind.PROTOCOL, from + " sent invalid JSON: " + e.getMessage());
        }
    }

    /** Strips the weak prefix and quotes of an ETag, as huggingface_hub does. */
    static String normalizeEtag(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        while (e.startsWith("\"")) {
            e = e.substring(1);
        }
        while (e.endsWith("\"")) {
            e = e.substring(0, e.length() - 1);
        }
        return e;
    }

    /** Whether two URLs have the same host and port (huggingface_hub's "netloc"). */
    static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && b.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** Percent-encodes one path segment (huggingface_hub's {@code quote(s, safe="")}). */
    static String encodeSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%7E", "~");
    }

    /** Percent-encodes a path, keeping its slashes (huggingface_hub's {@code quote(s)}). */
    static String encodePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String segment : path.split("/", -1)) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            sb.append(encodeSegment(segment));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        http.close();
    }
}
