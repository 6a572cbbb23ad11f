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
 * @param idleWarmUp      after ready and until the first request, run prompt and decode steps on the free slots
 *                        while idle so that the JIT compiles the request paths ({@link IdleWarmUp}); default true
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
        long prefixCacheMaxTokens,
        boolean idleWarmUp) {

    /** Defaults suitable for tests and embedding: all cores, model context, 4 slots, f16 KV cache. */
    public static EngineOptions defaults(Path modelPath) {
        return builder(modelPath).build();
    }

    /** A builder starting from the {@link #defaults} for {@code modelPath} ({@code null}: the demo model). */
    public static Builder builder(Path modelPath) {
        return new Builder(modelPath);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link EngineOptions}; every setting starts at the value the builder was created from. */
    public static final class Builder {
        private Path modelPath;
        private int threads;
        private int contextLength;
        private int maxSequences = 4;
        private KvCacheType kvCacheType = KvCacheType.F16;
        private int queueSize = 64;
        private String kernels = "auto";
        private int prefillChunk = 256;
        private long requestTimeoutMillis;
        private FileType quantize;
        private boolean prefixCache = true;
        private long prefixCacheMaxTokens;
        private boolean idleWarmUp = true;

        private Builder(Path modelPath) {
            this.modelPath = modelPath;
        }

        private Builder(EngineOptions o) {
            this(o.modelPath);
            threads = o.threads;
            contextLength = o.contextLength;
            maxSequences = o.maxSequences;
            kvCacheType = o.kvCacheType;
            queueSize = o.queueSize;
            kernels = o.kernels;
            prefillChunk = o.prefillChunk;
            requestTimeoutMillis = o.requestTimeoutMillis;
            quantize = o.quantize;
            prefixCache = o.prefixCache;
            prefixCacheMaxTokens = o.prefixCacheMaxTokens;
            idleWarmUp = o.idleWarmUp;
        }

        public Builder modelPath(Path modelPath) {
            this.modelPath = modelPath;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder contextLength(int contextLength) {
            this.contextLength = contextLength;
            return this;
        }

        public Builder maxSequences(int maxSequences) {
            this.maxSequences = maxSequences;
            return this;
        }

        public Builder kvCacheType(KvCacheType kvCacheType) {
            this.kvCacheType = kvCacheType;
            return this;
        }

        public Builder queueSize(int queueSize) {
            this.queueSize = queueSize;
            return this;
        }

        public Builder kernels(String kernels) {
            this.kernels = kernels;
            return this;
        }

        public Builder prefillChunk(int prefillChunk) {
            this.prefillChunk = prefillChunk;
            return this;
        }

        public Builder requestTimeoutMillis(long requestTimeoutMillis) {
            this.requestTimeoutMillis = requestTimeoutMillis;
            return this;
        }

        /** The type to quantize the weights to while loading ({@code null}, the default: as stored). */
        public Builder quantize(FileType quantize) {
            this.quantize = quantize;
            return this;
        }

        /** Prefix caching on or off (default on) and its budget of idle positions (0, the default: all). */
        public Builder prefixCache(boolean enabled, long maxTokens) {
            this.prefixCache = enabled;
            this.prefixCacheMaxTokens = maxTokens;
            return this;
        }

        /** The warm-up while idle before the first request on or off (default on; {@link IdleWarmUp}). */
        public Builder idleWarmUp(boolean enabled) {
            this.idleWarmUp = enabled;
            return this;
        }

        public EngineOptions build() {
            return new EngineOptions(modelPath, threads, contextLength, maxSequences, kvCacheType, queueSize,
                    kernels, prefillChunk, requestTimeoutMillis, quantize, prefixCache, prefixCacheMaxTokens,
                    idleWarmUp);
        }
    }
}
