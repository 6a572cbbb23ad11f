package dev.neox4j.engine.runtime;

/** Element type of the per-sequence KV cache ({@code neox.kv-cache-type}). */
public enum KvCacheType {
    /** IEEE half precision, llama.cpp's default: K and V are rounded to f16 when stored. */
    F16,
    /** Single precision: no rounding of K and V. */
    F32
}
