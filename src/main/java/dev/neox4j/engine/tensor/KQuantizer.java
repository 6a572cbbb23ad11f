package dev.neox4j.engine.tensor;

/**
 * Shared search used by the K-quant quantizers. These are simpler than llama.cpp's {@code make_qkx2_quants}
 * search; their accuracy is pinned by the round-trip error budgets in the tests.
 *
 * <p>Every sub-block gets a float scale (and for the asymmetric types a non-negative min), the sub-block
 * values are then quantized to the super-block's integer scale grid, and finally each element is rounded
 * against the scale it will really be decoded with.
 */
final class KQuantizer {

    private KQuantizer() {
    }

    /**
     * Asymmetric sub-block fit ({@code x ~ scale * q - min}, {@code q in [0, qmax]}, {@code min >= 0}): fills
     * {@code scales[k]} and {@code mins[k]} for each of the {@code nSub} sub-blocks of {@code subLen} elements.
     * Starts from the min/max fit and refines scale and min by least squares on the chosen quants.
     */
    static void fitAsymmetric(float[] x, int off, int nSub, int subLen, int qmax, float[] scales, float[] mins) {
        for (int k = 0; k < nSub; k++) {
            int s = off + k * subLen;
            float lo = 0f;
            float hi = x[s];
            for (int i = 0; i < subLen; i++) {
                lo = Math.min(lo, x[s + i]);
                hi = Math.max(hi, x[s + i]);
            }
            if (hi <= lo) {
                scales[k] = 0f;
                mins[k] = -lo;
                continue;
            }
            float scale = (hi - lo) / qmax;
            float min = -lo;
            float bestErr = error(x, s, subLen, qmax, scale, min);
            for (int iter = 0; iter < 4; iter++) {
                // least squares for x ~ a*q + b with the current quants, keeping b <= 0
                double sq = 0, sqq = 0, sx = 0, sqx = 0;
                for (int i = 0; i < subLen; i++) {
                    int q = QuantMath.clamp(QuantMath.nearestInt((x[s + i] + min) / scale), 0, qmax);
                    sq += q;
                    sqq += (double) q * q;
                    sx += x[s + i];
                    sqx += q * (double) x[s + i];
                }
                double det = subLen * sqq - sq * sq;
                if (det <= 0) {
                    break;
                }
                double a = (subLen * sqx - sq * sx) / det;
                double b = (sx - a * sq) / subLen;
                if (b > 0) {
                    b = 0;
                    a = sqq > 0 ? sqx / sqq : a;
                }
                if (!(a > 0)) {
                    break;
                }
                float err = error(x, s, subLen, qmax, (float) a, (float) -b);
                if (err >= bestErr) {
                    break;
                }
                bestErr = err;
                scale = (float) a;
                min = (float) -b;
            }
            scales[k] = scale;
            mins[k] = min;
        }
    }

    private static float error(float[] x, int s, int n, int qmax, float scale, float min) {
        float e = 0f;
        for (int i = 0; i < n; i++) {
            int q = QuantMath.clamp(QuantMath.nearestInt((x[s + i] + min) / scale), 0, qmax);
            float d = scale * q - min - x[s + i];
            e += d * d;
        }
        return e;
    }

    /**
     * Symmetric sub-block fit ({@code x ~ scale * q}, {@code q in [-(qmax+1), qmax]}): the largest-magnitude
     * element maps to {@code -(qmax+1)}, as llama.cpp's legacy quantizers do.
     */
    static void fitSymmetric(float[] x, int off, int nSub, int subLen, int qmax, float[] scales) {
        for (int k = 0; k < nSub; k++) {
            int s = off + k * subLen;
            float amax = 0f;
            float max = 0f;
            for (int i = 0; i < subLen; i++) {
                float v = x[s + i];
                if (Math.abs(v) > amax) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            scales[k] = max / -(qmax + 1);
        }
    }

    /** The value in {@code v[0..n)} with the largest magnitude (signed), or 0. */
    static float signedMaxAbs(float[] v, int n) {
        float amax = 0f;
        float max = 0f;
        for (int i = 0; i < n; i++) {
            if (Math.abs(v[i]) > amax) {
                amax = Math.abs(v[i]);
                max = v[i];
            }
        }
        return max;
    }

    /** The largest value in {@code v[0..n)}, at least 0. */
    static float max(float[] v, int n) {
        float m = 0f;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, v[i]);
        }
        return m;
    }

    /** {@code round(v / step)} clamped to {@code [lo, hi]}; 0 when the step is 0 or not finite. */
    static int grid(float v, float step, int lo, int hi) {
        if (step == 0f || !Float.isFinite(step)) {
            return 0;
        }
        float r = v / step;
        if (Float.isNaN(r)) {
            return 0;
        }
        return QuantMath.clamp(QuantMath.nearestInt(Math.max(-1e9f, Math.min(1e9f, r))), lo, hi);
    }
}
