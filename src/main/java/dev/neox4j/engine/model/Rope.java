package dev.neox4j.engine.model;

/**
 * Rotary position embedding, NEOX style, on the first {@code n_rot} dimensions of each head (spec
 * docs/gpt-neox.md, "Rotary embedding"): pairs {@code (i, i + n_rot/2)}; dimensions {@code n_rot..hd-1} are untouched.
 *
 * <p>Angles follow llama.cpp's float recipe: {@code theta_scale = powf(base, -2/n_rot)}, {@code theta = p},
 * and for each pair {@code cos = cosf(theta)}, {@code sin = sinf(theta)}, then {@code theta *= theta_scale}
 * (a repeated f32 multiplication, not a fresh power per pair).
 */
final class Rope {

    private final int nRot;
    private final float thetaScale;

    /**
     * @param nRot rotary dimensions per head (even)
     * @param base frequency base (10000 for Pythia)
     */
    Rope(int nRot, float base) {
        this.nRot = nRot;
        this.thetaScale = nRot == 0 ? 1.0f : (float) Math.pow(base, -2.0f / nRot);
    }

    /** Rotary dimensions per head. */
    int dims() {
        return nRot;
    }

    /** Fills {@code cos[0..n_rot/2)} and {@code sin[0..n_rot/2)} for position {@code pos}. */
    void angles(int pos, float[] cos, float[] sin) {
        float theta = (float) pos;
        for (int i = 0; i < nRot / 2; i++) {
            cos[i] = (float) Math.cos(theta);
            sin[i] = (float) Math.sin(theta);
            theta *= thetaScale;
        }
    }

    /** Rotates one head vector starting at {@code z[off]} in place with precomputed angles. */
    void rotate(float[] z, int off, float[] cos, float[] sin) {
        int half = nRot / 2;
        for (int i = 0; i < half; i++) {
            float a = z[off + i];
            float b = z[off + i + half];
            z[off + i] = a * cos[i] - b * sin[i];
            z[off + i + half] = a * sin[i] + b * cos[i];
        }
    }
}
