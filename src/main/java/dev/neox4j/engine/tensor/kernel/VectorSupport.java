package dev.neox4j.engine.tensor.kernel;

/**
 * Probes the Vector API without linking to it, so that a JVM started without
 * {@code --add-modules jdk.incubator.vector} falls back to the scalar kernels instead of failing.
 */
final class VectorSupport {

    private VectorSupport() {
    }

    /** Why the vector kernels cannot be used, or {@code null} if they can. */
    static String unavailableReason() {
        return "the Vector API kernels are not part of this build yet";
    }

    /** The vector kernels; only call when {@link #unavailableReason()} is null. */
    static MatmulKernels create() {
        throw new IllegalStateException(unavailableReason());
    }
}
