package dev.neox4j.hub;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where and how to reach the Hugging Face Hub, read from the same environment variables as {@code huggingface_hub}:
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the Hub's base URL (default {@code https://huggingface.co});</li>
 *   <li>the token: {@code HF_TOKEN}, else {@code HUGGING_FACE_HUB_TOKEN}, else the file {@code HF_TOKEN_PATH}
 *       (default {@code $HF_HOME/token});</li>
 *   <li>{@code HF_HUB_OFFLINE} ({@code 1}, {@code true}, {@code yes}, {@code on}): no request at all, files come
 *       from the cache;</li>
 *   <li>the cache root: {@code HF_HUB_CACHE}, else {@code HUGGINGFACE_HUB_CACHE}, else {@code $HF_HOME/hub};
 *       {@code HF_HOME} defaults to {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface}.</li>
 * </ul>
 *
 * @param endpoint the Hub's base URL, without a trailing slash
 * @param token    the bearer token, if any
 * @param offline  whether no request may be made
 * @param cacheDir the cache root (holding {@code models--OWNER--REPO} folders)
 */
public record HubSettings(String endpoint, Optional<String> token, boolean offline, Path cacheDir) {

    /** The public Hub. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");

    public HubSettings {
        endpoint = stripTrailingSlashes(endpoint);
        token = token.map(String::strip).filter(t -> !t.isEmpty());
    }

    /** The settings of this process's environment variables. */
    public static HubSettings fromEnvironment() {
        return from(name -> Optional.ofNullable(System.getenv(name)), Path.of(System.getProperty("user.home")));
    }

    /**
     * The settings read through {@code variables} (an environment, or a configuration that also sees it).
     *
     * @param variables looks up one variable by name; blank values count as unset
     * @param home      the user's home directory (for {@code ~/.cache})
     */
    public static HubSettings from(Function<String, Optional<String>> variables, Path home) {
        Function<String, Optional<String>> get = name -> variables.apply(name).filter(v -> !v.isBlank());
        Path hfHome = get.apply("HF_HOME").map(v -> expandHome(v, home))
                .orElseGet(() -> get.apply("XDG_CACHE_HOME").map(v -> expandHome(v, home))
                        .orElse(home.resolve(".cache")).resolve("huggingface"));
        Path cache = get.apply("HF_HUB_CACHE").or(() -> get.apply("HUGGINGFACE_HUB_CACHE"))
                .map(v -> expandHome(v, home)).orElse(hfHome.resolve("hub"));
        Optional<String> token = get.apply("HF_TOKEN").or(() -> get.apply("HUGGING_FACE_HUB_TOKEN"))
                .or(() -> readTokenFile(get.apply("HF_TOKEN_PATH").map(v -> expandHome(v, home))
                        .orElse(hfHome.resolve("token"))));
        boolean offline = get.apply("HF_HUB_OFFLINE").or(() -> get.apply("TRANSFORMERS_OFFLINE"))
                .map(v -> TRUE.contains(v.strip().toUpperCase(Locale.ROOT))).orElse(false);
        return new HubSettings(get.apply("HF_ENDPOINT").orElse(DEFAULT_ENDPOINT), token, offline, cache);
    }

    /** These settings with another endpoint. */
    public HubSettings withEndpoint(String newEndpoint) {
        return new HubSettings(newEndpoint, token, offline, cacheDir);
    }

    /** These settings with another token (empty = none). */
    public HubSettings withToken(Optional<String> newToken) {
        return new HubSettings(endpoint, newToken, offline, cacheDir);
    }

    /** These settings, offline or not. */
    public HubSettings withOffline(boolean newOffline) {
        return new HubSettings(endpoint, token, newOffline, cacheDir);
    }

    /** These settings with another cache root. */
    public HubSettings withCacheDir(Path newCacheDir) {
        return new HubSettings(endpoint, token, offline, newCacheDir);
    }

    @Override
    public String toString() {
        // never print the token
        return "HubSettings[endpoint=" + endpoint + ", token=" + (token.isPresent() ? "set" : "none")
                + ", offline=" + offline + ", cacheDir=" + cacheDir + "]";
    }

    private static Optional<String> readTokenFile(Path file) {
        try {
            return java.nio.file.Files.isRegularFile(file)
                    ? Optional.of(java.nio.file.Files.readString(file).strip()).filter(t -> !t.isEmpty())
                    : Optional.empty();
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Path expandHome(String value, Path home) {
        if (value.equals("~")) {
            return home;
        }
        return value.startsWith("~/") ? home.resolve(value.substring(2)) : Path.of(value);
    }

    private static String stripTrailingSlashes(String url) {
        String s = url.strip();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
