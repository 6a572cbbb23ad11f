package dev.neox4j.engine.runtime;

import java.nio.file.Path;

/**
 * What is being served.
 *
 * @param id               model id used in the API (the file name without {@code .gguf}, or {@code neox4j-demo})
 * @param architecture     {@code gptneox}
 * @param name             {@code general.name}, or the id
 * @param path             the GGUF file ({@code null} for the in-memory demo model)
 * @param parameterCount   number of weights (elements of all tensors)
 * @param quantType        the file's type label (e.g. {@code Q4_K_M}), from {@code general.file_type} or the
 *                         most common weight type
 * @param contextLength    positions per sequence served
 * @param trainContextLength {@code gptneox.context_length}
 * @param vocabSize        rows of the embedding / logits per position
 * @param embeddingLength  n_embd
 * @param layers           n_layer
 * @param heads            n_head
 * @param mappedBytes      bytes of the file mapped into memory
 * @param demo             whether this is the built-in demo model with random weights
 */
public record ModelInfo(String id, String architecture, String name, Path path, long parameterCount,
                        String quantType, int contextLength, int trainContextLength, int vocabSize,
                        int embeddingLength, int layers, int heads, long mappedBytes, boolean demo) {
}
