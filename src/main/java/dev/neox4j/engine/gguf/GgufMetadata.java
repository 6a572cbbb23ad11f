package dev.neox4j.engine.gguf;

/**
 * Typed access to GGUF key/value metadata. API contract; implementation in progress.
 * Getters throw {@link GgufFormatException} naming the key when it is missing or has another type.
 */
public final class GgufMetadata {
}
