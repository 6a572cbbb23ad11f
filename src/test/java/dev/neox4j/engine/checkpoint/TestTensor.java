package dev.neox4j.engine.checkpoint;

/**
 * A tensor a test writes into a checkpoint: torch shape (outermost first), safetensors dtype and raw little-endian
 * bytes.
 */
record TestTensor(String name, String dtype, long[] shape, byte[] bytes) {
}
