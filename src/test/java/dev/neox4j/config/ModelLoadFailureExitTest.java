package dev.neox4j.config;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model that cannot be loaded stops the whole application with exit status 1 and one clear ERROR line. */
@QuarkusMainTest
@TestProfile(ModelLoadFailureExitTest.MissingModel.class)
class ModelLoadFailureExitTest {

    static final String MISSING = "target/no-such-dir/missing-model.gguf";

    /** Points neox.model at a file that does not exist and turns the exit back on. */
    public static class MissingModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("neox.model", MISSING, "neox.exit-on-load-failure", "true");
        }
    }

    /**
     * The application must exit by itself (a hang would block here: the timeout is only a guard, generous because
     * Quarkus alone takes over a minute to start on a loaded CI machine; it used to be a 60 s wall-time assertion,
     * which failed under load although the application exited correctly).
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void exitsWithStatusOneNamingTheFile(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch();
        assertEquals(1, result.exitCode(), result.getOutput() + result.getErrorOutput());
        String log = result.getOutput() + result.getErrorOutput();
        assertTrue(log.contains("Cannot load model " + MISSING), log);
    }
}
