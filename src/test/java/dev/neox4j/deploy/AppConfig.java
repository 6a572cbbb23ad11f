package dev.neox4j.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What the packaged application listens on, read from {@code src/main/resources/application.properties} the way
 * Quarkus resolves it in the prod profile ({@code %prod.} keys win, Quarkus defaults otherwise): the HTTP port,
 * the management interface if enabled, and the paths of the health and metrics endpoints.
 */
final class AppConfig {

    static final Path PROPERTIES = Path.of("src/main/resources/application.properties");

    private final Properties properties;

    private AppConfig(Properties properties) {
        this.properties = properties;
    }

    static AppConfig load() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(PROPERTIES)) {
            p.load(r);
        }
        return new AppConfig(p);
    }

    String get(String key, String defaultValue) {
        String prod = properties.getProperty("%prod." + key);
        if (prod != null) {
            return prod.strip();
        }
        String plain = properties.getProperty(key);
        return plain == null ? defaultValue : plain.strip();
    }

    boolean managementEnabled() {
        return Boolean.parseBoolean(get("quarkus.management.enabled", "false"));
    }

    /** The port the application's HTTP server listens on. */
    int httpPort() {
        return Integer.parseInt(get("quarkus.http.port", "8080"));
    }

    /** The port of the health and metrics endpoints: the management port when that interface is enabled. */
    int observabilityPort() {
        return managementEnabled() ? Integer.parseInt(get("quarkus.management.port", "9000")) : httpPort();
    }

    /** The absolute path under which Quarkus serves its non-application endpoints, e.g. {@code /q}. */
    String nonApplicationRoot() {
        if (managementEnabled()) {
            return absolute("/", get("quarkus.management.root-path", "/q"));
        }
        String root = absolute("/", get("quarkus.http.root-path", "/"));
        return absolute(root, get("quarkus.http.non-application-root-path", "q"));
    }

    String healthPath(String which) {
        String health = absolute(nonApplicationRoot(), get("quarkus.smallrye-health.root-path", "health"));
        String defaultSub = switch (which) {
            case "startup" -> "started";
            case "readiness" -> "ready";
            case "liveness" -> "live";
            default -> throw new IllegalArgumentException(which);
        };
        return absolute(health, get("quarkus.smallrye-health." + which + "-path", defaultSub));
    }

    String metricsPath() {
        return absolute(nonApplicationRoot(), get("quarkus.micrometer.export.prometheus.path", "metrics"));
    }

    /** {@code child} as Quarkus resolves it: absolute when it starts with '/', else relative to {@code base}. */
    static String absolute(String base, String child) {
        String path = child.startsWith("/") ? child : (base.endsWith("/") ? base : base + "/") + child;
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
