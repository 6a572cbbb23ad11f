package dev.neox4j.engine.tensor;

/**
 * Activation rows converted to an {@link ActivationFormat}, produced once per matmul and read by every
 * output row's dot product. Reused across calls (grows, never shrinks).
 * (Layout owned by the kernels; see the tensor package.)
 */
public final class Activations {
    // Placeholder: the tensor work defines the layout.
}
