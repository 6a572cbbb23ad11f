package dev.neox4j.playground;

import dev.neox4j.api.ApiTestClient;
import dev.neox4j.api.ServerTestBase;
import dev.neox4j.engine.runtime.EngineStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the playground's browser tests share besides the server ({@link ServerTestBase}): one headless Chromium per
 * test class (1280 × 800) and the wait for the engine to be idle.
 */
abstract class PlaygroundTestBase extends ServerTestBase {

    static Browser browser;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start(1280, 800);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    /** Whether the engine runs and queues nothing. */
    boolean idle() {
        EngineStats s = holder.engine().orElseThrow().stats();
        return s.running() == 0 && s.waiting() == 0;
    }

    /** Waits (up to {@code seconds}) for the engine to be idle. */
    void awaitIdle(int seconds) {
        ApiTestClient.await("the engine to be idle", seconds, this::idle);
    }
}
