package dev.neox4j.engine.runtime;

import dev.neox4j.engine.checkpoint.FileType;

import java.nio.file.Path;

/**
 * Everything the engine needs to start, mapped once from configuration (the service maps {@code neox.*}
 * keys into this record; the LangChain4j builders and the benchmarks fill it directly).
 *
 * @param modelPath       GGUF file or transformers checkpoint directory to serve; {@code null} selects the built-in
 *                        demo model
 * @param threads         worker threads for matmuls (0 = available processors)
 * @param contextLength   KV positions per sequence (0 = the model's training context length)
 * @param maxSequences    sequences decoded together (KV slots in the pool)
 * @param kvCacheType     element type of the KV cache
 * @param queueSize       requests that may wait for a slot before submissions are rejected
 * @param kernels         kernel family: {@code auto}, {@code vector} or {@code scalar}
 * @param prefillChunk    prompt tokens evaluated per scheduler step and sequence
 * @param requestTimeoutMillis default per-request time limit (0 = none)
 * @param quantize        type to quantize the weights to while loading; {@code null} serves them as stored
 * @param prefixCache     reuse the KV of a prompt prefix already computed ({@link PrefixCache}); default true
 * @param prefixCacheMaxTokens prompt positions idle KV slots keep for reuse, least recently used dropped first
 *                        (0 = every position of every slot)
 */
public record EngineOptions(
        Path modelPath,
        int threads,
        int contextLength,
        int maxSequences,
        KvCacheType kvCacheType,
        int queueSize,
        String kernels,
        int prefillChunk,
        long requestTimeoutMillis,
        FileType quantize,
        boolean prefixCache,
        long prefixCacheMaxTokens) {

    /** Defaults suitable for tests and embedding: all cores, model context, 4 slots, f16 KV cache. */
    public static EngineOptions defaults(Path modelPath) {
        return new EngineOptions(modelPath, 0, 0, 4, KvCacheType.F16, 64, "auto", 256, 0, null, true, 0);
    }

    public EngineOptions withThreads(int n) {
        return new EngineOptions(modelPath, n, contextLength, maxSequences, kvCacheType, queueSize, kernels,
                prefillChunk, requestTimeoutMillis, quantize, prefixCache, prefixCacheMaxTokens);
    }

    public EngineOptions withContextLength(int n) {
        return new EngineOptions(modelPath, threads, n, maxSequences, kvCacheType, queueSize, kernels,
                prefillChunk, requestTimeoutMillis, quantize, prefixCache, prefixCacheMaxTokens);
    }

    public EngineOptions withMaxSequences(int n) {
        return new EngineOptions(modelPath, threads, contextLength, n, kvCacheType, queueSize, kernels,
                prefillChunk, requestTimeoutMillis, quantize, prefixCache, prefixCacheMaxTokens);
    }

    public EngineOptions withKvCacheType(KvCacheType t) {
        return new EngineOptions(modelPath, threads, contextLength, maxSequences, t, queueSize, kernels,
                prefillChunk, requestTimeoutMillis, quantize, prefixCache, prefixCacheMaxTokens);
    }

    public EngineOptions withQueueSize(int n) {
        return new EngineOptions(modelPath, threads, contextLength, maxSequences, kvCacheType, n, kernels,
                prefillChunk, requestTimeoutMillis, quantize, prefixCache, prefixCacheMaxTokens);
    }

    public EngineOptions withKernels(String k) {
        return new EngineOptions(modelPath, threads, contextLength, maxSequences, kvCacheType, queueSize, k,
                prefillChunk, requestTimeoutMillis, quantize, prefixCache, prefixCacheMaxTokens);
    }

    public EngineOptions withPrefillChunk(int n) {
        return new EngineOptions(modelPath, threads, contextLength, maxSequences, kvCacheType, queueSize, kernels,
                n, requestTimeoutMillis, quantize, prefixCache, prefixCacheMaxTokens);
    }

    public EngineOptions withRequestTimeoutMillis(long ms) {
        return new EngineOptions(modelPath, threads, contextLength, maxSequences, kvCacheType, queueSize, kernels,
                prefillChunk, ms, quantize, prefixCache, prefixCacheMaxTokens);
    }

    public EngineOptions withQuantize(FileType t) {
        return new EngineOptions(modelPath, threads, contextLength, maxSequences, kvCacheType, queueSize, kernels,
                prefillChunk, requestTimeoutMillis, t, prefixCache, prefixCacheMaxTokens);
    }

    /** These options with prefix caching on or off and its budget of idle positions (0 = all). */
    public EngineOptions withPrefixCache(boolean enabled, long maxTokens) {
        return new EngineOptions(modelPath, threads, contextLength, maxSequences, kvCacheType, queueSize, kernels,
                prefillChunk, requestTimeoutMillis, quantize, enabled, maxTokens);
    }
}
