package dev.neox4j.config;

import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.EngineOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps {@link NeoxConfig} once into the engine's {@link EngineOptions} and {@link ChatTemplate}, refusing
 * out-of-range values.
 */
public final class EngineOptionsFactory {

    private EngineOptionsFactory() {
    }

    /**
     * The engine options for {@code config}, with {@code neox.model} taken as a local path.
     *
     * @throws IllegalArgumentException naming every key whose value is out of range
     */
    public static EngineOptions from(NeoxConfig config) {
        return from(config, config.model().filter(s -> !s.isBlank()).map(Path::of).orElse(null));
    }

    /**
     * The engine options for {@code config} serving {@code modelPath} (the local path {@code neox.model} resolved
     * to; {@code null} = the demo model).
     *
     * @throws IllegalArgumentException naming every key whose value is out of range
     */
    public static EngineOptions from(NeoxConfig config, Path modelPath) {
        List<String> problems = new ArrayList<>();
        if (config.threads() < 0) {
            problems.add("neox.threads must be >= 0 (0 = all cores), got " + config.threads());
        }
        if (config.contextLength() < 0) {
            problems.add("neox.context-length must be >= 0 (0 = the model's), got " + config.contextLength());
        }
        if (config.maxSequences() < 1) {
            problems.add("neox.max-sequences must be >= 1, got " + config.maxSequences());
        }
        if (config.queueSize() < 0) {
            problems.add("neox.queue-size must be >= 0, got " + config.queueSize());
        }
        if (config.prefillChunk() < 1) {
            problems.add("neox.prefill-chunk must be >= 1, got " + config.prefillChunk());
        }
        if (config.maxLogprobs() < 0 || config.maxLogprobs() > 20) {
            problems.add("neox.max-logprobs must be within 0..20, got " + config.maxLogprobs());
        }
        long timeoutMillis = config.requestTimeout().map(Duration::toMillis).orElse(0L);
        if (timeoutMillis < 0) {
            problems.add("neox.request-timeout must not be negative, got " + config.requestTimeout().get());
        }
        if (config.shutdown().drainTimeout().isNegative()) {
            problems.add("neox.shutdown.drain-timeout must not be negative, got " + config.shutdown().drainTimeout());
        }
        if (config.prefixCache().maxTokens() < 0) {
            problems.add("neox.prefix-cache.max-tokens must not be negative, got " + config.prefixCache().maxTokens());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
        }
        return new EngineOptions(modelPath, config.threads(), config.contextLength(), config.maxSequences(),
                config.kvCacheType(), config.queueSize(), config.kernels().value(), config.prefillChunk(),
                timeoutMillis, config.quantize().orElse(null), config.prefixCache().enabled(),
                config.prefixCache().maxTokens(), config.idleWarmUp());
    }

    /**
     * The chat template of {@code neox.chat.*}.
     *
     * @throws IllegalArgumentException if the user or assistant prefix is blank
     */
    public static ChatTemplate chatTemplate(NeoxConfig.Chat chat) {
        ChatTemplate.Builder b = ChatTemplate.builder()
                .systemSuffix(chat.systemSuffix())
                .systemPrefix(chat.systemPrefix())
                .userPrefix(chat.userPrefix())
                .assistantPrefix(chat.assistantPrefix())
                .separator(chat.separator());
        chat.generationPrompt().ifPresent(b::generationPrompt);
        return b.build();
    }
}
