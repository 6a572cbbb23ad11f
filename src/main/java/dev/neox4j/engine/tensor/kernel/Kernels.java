package dev.neox4j.engine.tensor.kernel;

import java.util.Locale;

/**
 * Chooses the kernel family once, at start-up: {@code auto} picks the Vector API kernels when the
 * {@code jdk.incubator.vector} module is present and the preferred vector width is at least 256 bits, otherwise
 * the scalar reference kernels; {@code vector} and {@code scalar} force a family. The choice is logged.
 */
public final class Kernels {

    private static final System.Logger LOG = System.getLogger(Kernels.class.getName());

    private Kernels() {
    }

    /**
     * The kernels for {@code preference} ({@code auto}, {@code vector} or {@code scalar}; {@code null} or blank
     * means auto).
     *
     * @throws IllegalArgumentException for an unknown preference, or {@code vector} when the Vector API is not
     *                                  available
     */
    public static MatmulKernels select(String preference) {
        String p = preference == null || preference.isBlank() ? "auto" : preference.trim().toLowerCase(Locale.ROOT);
        MatmulKernels k = switch (p) {
            case "scalar" -> new ScalarKernels();
            case "vector" -> {
                String why = VectorSupport.unavailableReason();
                if (why != null) {
                    throw new IllegalArgumentException("vector kernels requested but " + why);
                }
                yield VectorSupport.create();
            }
            case "auto" -> {
                String why = VectorSupport.unavailableReason();
                if (why != null) {
                    // WARNING, not INFO: a forgotten --add-modules makes every matmul several times slower, and
                    // applications often show library logs from WARNING up only
                    LOG.log(System.Logger.Level.WARNING, "Vector kernels not used, falling back to the much slower "
                            + "scalar kernels: {0}", why);
                    yield new ScalarKernels();
                }
                yield VectorSupport.create();
            }
            default -> throw new IllegalArgumentException(
                    "unknown kernel preference '" + preference + "' (expected auto, vector or scalar)");
        };
        LOG.log(System.Logger.Level.INFO, "Matmul kernels: {0} (preference {1})", k.name(), p);
        return k;
    }
}
