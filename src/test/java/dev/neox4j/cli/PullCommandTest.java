package dev.neox4j.cli;

import dev.neox4j.hub.HubFixture;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar's commands: {@code pull} downloads from the Hub stand-in and prints the path; {@code --help} works for
 * each command. The HTTP port is held by the test and the served model is a missing file with exit-on-failure on,
 * so a command that bound the port or loaded the model would fail: commands run beside a server.
 */
@QuarkusMainTest
@TestProfile(PullCommandTest.PortTaken.class)
class PullCommandTest {

    private static final ServerSocket TAKEN = take();

    /** The HTTP port is taken; the served model cannot be loaded; the Hub is the stand-in. */
    public static class PortTaken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(HubFixture.get().config());
            config.put("quarkus.http.test-port", Integer.toString(TAKEN.getLocalPort()));
            config.put("quarkus.http.port", Integer.toString(TAKEN.getLocalPort()));
            config.put("neox.model", "target/no-such-dir/missing-model.gguf");
            config.put("neox.exit-on-load-failure", "true");
            return config;
        }
    }

    private static ServerSocket take() {
        try {
            return new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void release() throws IOException {
        TAKEN.close();
    }

    @Test
    void pullPrintsTheCachedPath(QuarkusMainLauncher launcher) throws IOException {
        LaunchResult result = launcher.launch("pull", "hf://" + HubFixture.REPO + ":Q8_0");
        String all = result.getOutput() + result.getErrorOutput();
        assertEquals(0, result.exitCode(), all);
        // (the test launcher shows log lines on the same output; the packaged jar logs to standard error)
        Path printed = Path.of(result.getOutput().strip().lines().reduce((first, last) -> last).orElse(""));
        assertEquals(HubFixture.get().cache().resolve("models--neox4j-test--tiny-GGUF/snapshots")
                .resolve(HubFixture.get().commit()).resolve(HubFixture.Q8_0), printed);
        assertArrayEquals(Files.readAllBytes(Path.of("src/test/resources/fixtures/models/tiny-gptneox-d256-Q8_0.gguf")),
                Files.readAllBytes(printed));
        assertFalse(all.contains("Cannot load model"), all);
        assertFalse(all.contains("Loading model"), all);
    }

    @Test
    void pullExplainsAFailure(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("pull", "hf://" + HubFixture.REPO + ":Q2_K");
        assertEquals(1, result.exitCode());
        String err = result.getErrorOutput() + result.getOutput();
        assertTrue(err.contains("no GGUF file with quant 'Q2_K'") && err.contains("F16, Q8_0"), err);
    }

    @Test
    void helpForTheJarAndEachCommand(QuarkusMainLauncher launcher) {
        LaunchResult top = launcher.launch("--help");
        assertEquals(0, top.exitCode(), top.getErrorOutput());
        assertTrue(top.getOutput().contains("pull") && top.getOutput().contains("Without arguments"),
                top.getOutput());
        LaunchResult pull = launcher.launch("pull", "--help");
        assertEquals(0, pull.exitCode(), pull.getErrorOutput());
        assertTrue(pull.getOutput().contains("hf://OWNER/REPO[@REVISION]:QUANT") && pull.getOutput().contains("HF_TOKEN"),
                pull.getOutput());
        LaunchResult unknown = launcher.launch("no-such-command");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.getErrorOutput().contains("no-such-command"), unknown.getErrorOutput());
    }

    @Test
    void withoutACommandTheServerWouldBindTheTakenPort(QuarkusMainLauncher launcher) {
        // the control: the same configuration without a command is the server, which needs the port
        LaunchResult server = launcher.launch();
        assertNotEquals(0, server.exitCode());
        String all = server.getOutput() + server.getErrorOutput();
        assertTrue(all.contains(Integer.toString(TAKEN.getLocalPort())), all);
    }
}
