package dev.neox4j.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two processes downloading the same file: the second waits for the first one's lock and then uses its blob, so
 * the file is transferred once and both get the same, complete file.
 */
class ConcurrentProcessDownloadTest {

    @TempDir
    Path cache;

    @Test
    void aSecondProcessWaitsForTheFirstDownload() throws Exception {
        try (HubStandIn hub = new HubStandIn()) {
            byte[] gguf = ModelResolverTest.random(2_000_000, 21);
            hub.repo("acme/big-GGUF").commit("main", Map.of("big.Q4_0.gguf", gguf));
            hub.cdnDelay(4);
            String reference = "hf://acme/big-GGUF:Q4_0";
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ResolveMain.class.getName(), hub.endpoint(),
                    cache.toString(), reference).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                // once the other process is transferring, resolve here too
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (hub.requests().stream().noneMatch(r -> r.server().equals("cdn")) && System.nanoTime() < end
                        && child.isAlive()) {
                    Thread.sleep(10);
                }
                Path here;
                try (ModelResolver resolver = ModelResolver.create(new HubSettings(hub.endpoint(), Optional.empty(),
                        false, cache), Duration.ofSeconds(30), Duration.ofMillis(10))) {
                    here = resolver.resolve(reference);
                }
                assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the other process finished");
                String printed = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                assertEquals(0, child.exitValue());
                assertEquals(here.toString(), printed);
                assertArrayEquals(gguf, Files.readAllBytes(here));
                List<HubStandIn.Request> cdn = hub.requests().stream().filter(r -> r.server().equals("cdn")).toList();
                assertEquals(1, cdn.size(), "transferred once: " + cdn);
                try (var blobs = Files.list(cache.resolve("models--acme--big-GGUF/blobs"))) {
                    assertEquals(List.of(HubStandIn.sha256(gguf)),
                            blobs.map(p -> p.getFileName().toString()).toList(), "no partial file left");
                }
            } finally {
                child.destroyForcibly();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
