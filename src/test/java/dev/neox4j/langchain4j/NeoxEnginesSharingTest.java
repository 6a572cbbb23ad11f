package dev.neox4j.langchain4j;

import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineClosedException;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.engine.runtime.GenerationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NeoxEngines}' bookkeeping: the bound, failed opens, concurrent acquirers, closing with the last lease. */
class NeoxEnginesSharingTest {

    private static EngineOptions options(Path model) {
        return EngineOptions.builder(model).threads(1).contextLength(64).maxSequences(1).build();
    }

    private static Path copy(Path dir, String name) throws IOException {
        return Files.copy(TinyModel.PATH, dir.resolve(name + ".gguf"));
    }

    @Test
    void atMostMaxEnginesFilesAreOpenAndAnOpenFileIsStillShared(@TempDir Path dir) throws IOException {
        int before = NeoxEngines.openEngines();
        List<EngineLease> leases = new ArrayList<>();
        try {
            for (int i = before; i < NeoxEngines.MAX_ENGINES; i++) {
                leases.add(NeoxEngines.acquire(options(copy(dir, "m" + i))));
            }
            assertEquals(NeoxEngines.MAX_ENGINES, NeoxEngines.openEngines());
            Path extra = copy(dir, "extra");
            IllegalStateException full = assertThrows(IllegalStateException.class,
                    () -> NeoxEngines.acquire(options(extra)));
            assertTrue(full.getMessage().contains("at most " + NeoxEngines.MAX_ENGINES), full.getMessage());
            EngineLease again = NeoxEngines.acquire(options(leases.get(0).modelPath()));
            assertSame(leases.get(0).engine(), again.engine());
            again.close();
            leases.remove(0).close();
            EngineLease fresh = NeoxEngines.acquire(options(extra));
            leases.add(fresh);
            assertEquals(extra.toRealPath(), fresh.modelPath());
        } finally {
            leases.forEach(EngineLease::close);
        }
        assertEquals(before, NeoxEngines.openEngines());
    }

    @Test
    void aFailedOpenLeavesNothingBehindAndIsReported(@TempDir Path dir) throws IOException {
        int before = NeoxEngines.openEngines();
        Path notAModel = Files.writeString(dir.resolve("not-a-model.gguf"), "hello");
        assertThrows(Exception.class, () -> NeoxEngines.acquire(options(notAModel)));
        assertEquals(before, NeoxEngines.openEngines());
        assertEquals(0, NeoxEngines.references(notAModel));
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> NeoxEngines.acquire(options(dir.resolve("missing.gguf"))));
        assertEquals(before, NeoxEngines.openEngines());
    }

    @Test
    void concurrentAcquirersOfOneFileShareOneEngineThatClosesWithTheLastLease(@TempDir Path dir) throws Exception {
        Path model = copy(dir, "shared");
        List<EngineLease> leases = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    assertTrue(start.await(10, TimeUnit.SECONDS));
                    leases.add(NeoxEngines.acquire(options(model)));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(30_000);
            assertFalse(t.isAlive());
        }
        assertEquals(4, leases.size());
        Engine engine = leases.get(0).engine();
        for (EngineLease l : leases) {
            assertSame(engine, l.engine());
        }
        assertEquals(4, NeoxEngines.references(model));
        EngineLease first = leases.get(0);
        first.close();
        first.close(); // idempotent
        assertThrows(IllegalStateException.class, first::engine);
        assertEquals(3, NeoxEngines.references(model));
        for (EngineLease l : leases.subList(1, 4)) {
            l.close();
        }
        assertEquals(0, NeoxEngines.references(model));
        assertThrows(EngineClosedException.class,
                () -> engine.submit(GenerationRequest.greedy(new int[] {1}, 1), NeoxEnginesTest.IGNORE));
        // a later acquisition opens a fresh engine
        try (EngineLease again = NeoxEngines.acquire(options(model))) {
            assertNotSame(engine, again.engine());
        }
    }
}
