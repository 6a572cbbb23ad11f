package dev.neox4j.acceptance;

import dev.neox4j.engine.gguf.GgufFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Regressions for bad model paths found by the black-box acceptance run (bench/acceptance/). */
class ModelFileRegressionTest {

    /**
     * Bug: {@code -Dneox.model=<a directory>} made the service exit with the one-line reason "No such device" (the
     * OS error of mapping a directory), which names neither the file nor the defect.
     */
    @Test
    void aDirectoryIsRefusedWithAMessageThatSaysSo(@TempDir Path dir) throws Exception {
        Path model = Files.createDirectory(dir.resolve("pythia.gguf"));
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> GgufFile.open(model).close());
        assertTrue(e.getMessage().contains(model.toString()) && e.getMessage().contains("is a directory"),
                e.getMessage());
    }
}
