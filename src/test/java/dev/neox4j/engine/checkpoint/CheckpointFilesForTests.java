package dev.neox4j.engine.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** Tiny transformers checkpoints for tests outside this package (the Hub tests serve them from a stand-in). */
public final class CheckpointFilesForTests {

    private CheckpointFilesForTests() {
    }

    /** Writes the tiny fixture model as a sharded safetensors checkpoint (F16) into {@code dir}. */
    public static Path writeShardedSafetensors(Path dir) throws IOException {
        return new TinyCheckpoint().format(TinyCheckpoint.Format.SAFETENSORS_SHARDED).dtype("F16").write(dir);
    }
}
