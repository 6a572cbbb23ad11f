package dev.neox4j.engine.model;

/**
 * GELU as ggml's CPU backend computes it for GPT-NeoX (docs/gpt-neox.md, "GELU"): the tanh approximation,
 * looked up in a 65536-entry table indexed by the f16-rounded input and holding f16-rounded results; inputs
 * {@code <= -10} give 0 and inputs {@code >= 10} pass through unchanged.
 */
final class Gelu {

    private static final float SQRT_2_OVER_PI = 0.79788456080286535587989211986876f;
    private static final float GELU_COEF_A = 0.044715f;

    /** {@code TABLE[h] = f16(gelu_tanh(f32(h)))} as a float, for every f16 bit pattern {@code h}. */
    private static final float[] TABLE = new float[65536];

    static {
        for (int h = 0; h < 65536; h++) {
            float x = Float.float16ToFloat((short) h);
            TABLE[h] = Float.float16ToFloat(Float.floatToFloat16(geluTanh(x)));
        }
    }

    private Gelu() {
    }

    /** The tanh-approximated GELU in f32, with ggml's operation order. */
    static float geluTanh(float x) {
        return 0.5f * x * (1.0f + (float) Math.tanh(SQRT_2_OVER_PI * x * (1.0f + GELU_COEF_A * x * x)));
    }

    /** ggml's table GELU of one value. */
    static float apply(float x) {
        if (x <= -10.0f) {
            return 0.0f;
        }
        if (x >= 10.0f) {
            return x;
        }
        return TABLE[Float.floatToFloat16(x) & 0xFFFF];
    }

    /** Applies {@link #apply(float)} in place to {@code a[off..off+n)}. */
    static void applyInPlace(float[] a, int off, int n) {
        for (int i = off, end = off + n; i < end; i++) {
            a[i] = apply(a[i]);
        }
    }
}
