package dev.neox4j.engine.tensor.kernel;

/**
 * Probes the Vector API without linking to it first, so that a JVM started without
 * {@code --add-modules jdk.incubator.vector} falls back to the scalar kernels instead of failing.
 */
final class VectorSupport {

    private VectorSupport() {
    }

    /** Why the vector kernels cannot be used, or {@code null} if they can. */
    static String unavailableReason() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the jdk.incubator.vector module is not present (start the JVM with --add-modules jdk.incubator.vector)";
        }
        try {
            int bits = VectorShapes.FS.vectorBitSize();
            if (bits < 256) {
                return "the preferred vector width is only " + bits + " bits";
            }
        } catch (LinkageError e) {
            return "the Vector API could not be loaded: " + e;
        }
        return null;
    }

    /** The vector kernels; only call when {@link #unavailableReason()} is null. */
    static MatmulKernels create() {
        return new VectorKernels();
    }
}
