package dev.neox4j.config;

import dev.neox4j.engine.runtime.Engine;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The holder's life cycle without Quarkus: LOADING → READY → DRAINING, and LOADING → FAILED. */
class EngineHolderTest {

    static void await(String what, EngineHolder h, EngineHolder.State state) throws InterruptedException {
        long end = System.nanoTime() + 120_000_000_000L;
        while (h.state() != state) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what + "; state " + h.state());
            }
            Thread.sleep(10);
        }
    }

    @Test
    void answers503WhileLoadingThenServesThenDrains() throws Exception {
        EngineHolder h = new EngineHolder(EngineOptionsFactoryTest.config(Map.of("neox.threads", "1",
                "neox.max-sequences", "1", "neox.exit-on-load-failure", "false", "neox.model-id", "my-id",
                "neox.shutdown.drain-timeout", "1s")));
        try {
            assertEquals(EngineHolder.State.LOADING, h.state());
            EngineUnavailableException loading = assertThrows(EngineUnavailableException.class, h::require);
            assertEquals(EngineHolder.State.LOADING, loading.state());
            assertTrue(loading.retryAfterSeconds() > 0);
            assertTrue(h.engine().isEmpty());
            CopyOnWriteArrayList<Engine> early = new CopyOnWriteArrayList<>();
            h.whenReady(early::add);

            h.start();
            await("READY", h, EngineHolder.State.READY);
            Engine engine = h.require();
            assertSame(engine, h.engine().orElseThrow());
            assertEquals(java.util.List.of(engine), early);
            CopyOnWriteArrayList<Engine> late = new CopyOnWriteArrayList<>();
            h.whenReady(late::add);
            assertEquals(java.util.List.of(engine), late);
            assertEquals("my-id", h.modelId());
            assertTrue(h.loadMillis() > 0);

            h.drain();
            assertEquals(EngineHolder.State.DRAINING, h.state());
            EngineUnavailableException draining = assertThrows(EngineUnavailableException.class, h::require);
            assertEquals(EngineHolder.State.DRAINING, draining.state());
            assertTrue(h.engine().isPresent(), "running requests may still use the engine while draining");
            h.drain(); // idempotent
        } finally {
            h.close();
        }
    }

    @Test
    void aMissingModelFailsNamingTheFile() throws Exception {
        EngineHolder h = new EngineHolder(EngineOptionsFactoryTest.config(Map.of(
                "neox.model", "target/does-not-exist.gguf", "neox.exit-on-load-failure", "false")));
        CopyOnWriteArrayList<Engine> called = new CopyOnWriteArrayList<>();
        h.whenReady(called::add);
        h.start();
        await("FAILED", h, EngineHolder.State.FAILED);
        EngineUnavailableException e = assertThrows(EngineUnavailableException.class, h::require);
        assertEquals(EngineHolder.State.FAILED, e.state());
        assertTrue(e.getMessage().contains("target/does-not-exist.gguf"), e.getMessage());
        assertTrue(h.failure().isPresent());
        assertTrue(called.isEmpty());
        h.close();
    }

    @Test
    void invalidConfigurationFailsTheLoad() throws Exception {
        EngineHolder h = new EngineHolder(EngineOptionsFactoryTest.config(Map.of(
                "neox.max-sequences", "0", "neox.exit-on-load-failure", "false")));
        h.start();
        await("FAILED", h, EngineHolder.State.FAILED);
        assertTrue(h.failure().orElseThrow().getMessage().contains("neox.max-sequences"));
        h.close();
    }
}
