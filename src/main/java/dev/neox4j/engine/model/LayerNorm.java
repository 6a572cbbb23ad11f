package dev.neox4j.engine.model;

/**
 * LayerNorm exactly as ggml computes it ({@code ggml_norm} followed by {@code ggml_mul} and {@code ggml_add};
 * docs/gpt-neox.md, "LayerNorm"): mean and variance sums accumulated in double, stored as f32; the reciprocal
 * standard deviation computed once in f32; weight and bias applied as two separate f32 operations.
 */
final class LayerNorm {

    private LayerNorm() {
    }

    /**
     * {@code y[yOff..yOff+n) = LayerNorm(x[xOff..xOff+n)) * weight + bias}. {@code x} and {@code y} may be
     * the same range.
     */
    static void apply(float[] x, int xOff, float[] weight, float[] bias, float eps, float[] y, int yOff, int n) {
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            sum += x[xOff + i];
        }
        float mean = (float) (sum / n);
        double sum2 = 0.0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i] - mean;
            y[yOff + i] = v;
            sum2 += v * v; // product in f32, sum in double
        }
        float variance = (float) (sum2 / n);
        float scale = 1.0f / (float) Math.sqrt(variance + eps);
        for (int i = 0; i < n; i++) {
            float v = y[yOff + i] * scale;
            v = v * weight[i];
            y[yOff + i] = v + bias[i];
        }
    }
}
