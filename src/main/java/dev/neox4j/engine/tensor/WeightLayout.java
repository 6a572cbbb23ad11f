package dev.neox4j.engine.tensor;

/**
 * How the bytes of a {@link WeightMatrix} row are arranged: as in the GGUF file, or repacked at load for a kernel
 * that reads another arrangement faster (same bytes per row, same row offsets, same values).
 */
public enum WeightLayout {
    /** Blocks exactly as stored in the GGUF file. */
    GGUF,
    /** Q4_0 rows with the quants of block pairs interleaved and the scales after them ({@link Q4_0Pairs}). */
    Q4_0_PAIRS
}
