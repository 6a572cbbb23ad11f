package dev.neox4j.engine.gguf;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Produces one tensor's bytes on demand while {@link GgufWriter} writes the file, so that multi-GB tensors
 * never sit in memory. The source must write exactly the tensor's byte size (the writer checks).
 */
@FunctionalInterface
public interface TensorSource {
    /** Writes the tensor's bytes, in file order, to {@code out}. Do not close {@code out}. */
    void writeTo(OutputStream out) throws IOException;
}
