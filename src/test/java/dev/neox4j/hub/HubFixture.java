package dev.neox4j.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * One {@link HubStandIn} for the application tests of a JVM, serving the tiny fixture model as
 * {@code hf://neox4j-test/tiny-GGUF} ({@code tiny-gptneox-d256.Q8_0.gguf} and {@code .F16.gguf}), with a fresh
 * cache under {@code target/}. Started on first use, stopped when the JVM exits.
 */
public final class HubFixture {

    /** The repository holding the fixture GGUF files. */
    public static final String REPO = "neox4j-test/tiny-GGUF";
    /** The Q8_0 file's name in it. */
    public static final String Q8_0 = "tiny-gptneox-d256.Q8_0.gguf";

    private static HubFixture instance;

    private final HubStandIn hub;
    private final Path cache;
    private final String commit;

    private HubFixture() throws IOException {
        Path models = Path.of("src/test/resources/fixtures/models");
        hub = new HubStandIn();
        commit = hub.repo(REPO).commit("main", Map.of(
                Q8_0, Files.readAllBytes(models.resolve("tiny-gptneox-d256-Q8_0.gguf")),
                "tiny-gptneox-d256.F16.gguf", Files.readAllBytes(models.resolve("tiny-gptneox-d256-F16.gguf")),
                "README.md", "tiny GPT-NeoX fixture".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        cache = Files.createDirectories(Path.of("target", "hub-test-cache", UUID.randomUUID().toString()))
                .toAbsolutePath();
        Runtime.getRuntime().addShutdownHook(new Thread(hub::close));
    }

    /** The fixture, started on first use. */
    public static synchronized HubFixture get() {
        if (instance == null) {
            try {
                instance = new HubFixture();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** The stand-in. */
    public HubStandIn hub() {
        return hub;
    }

    /** The cache root the application uses. */
    public Path cache() {
        return cache;
    }

    /** The commit of {@code main}. */
    public String commit() {
        return commit;
    }

    /** Configuration that points the application at the stand-in and the cache ({@code HF_*} variables). */
    public Map<String, String> config() {
        return Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HUB_CACHE", cache.toString(), "HF_TOKEN", "hf_test");
    }
}
