package dev.neox4j.engine.tensor.kernel;

/**
 * The exponential of attention softmax, {@code exp(x)} for {@code x <= 0}, as a fixed sequence of single-precision
 * operations that the scalar twin ({@link #exp}) and the vector kernel ({@code VectorAttentionDots#softmaxExp})
 * perform identically, so both give the same bits (the JDK's {@code Math.exp} and the Vector API's {@code EXP} do
 * not promise that between interpreted, compiled and vector code). Cephes' {@code expf}: {@code n = rint(x / ln 2)}
 * by the {@code 1.5 * 2^23} rounding trick, {@code r = x - n ln 2} in two FMA steps (Cody-Waite), a degree-7
 * polynomial for {@code e^r} in Horner form with FMAs, then the product with {@code 2^n} built in the exponent
 * bits; within 2 ulp of {@code e^x}. Inputs below {@link #MIN_X} are clamped there ({@code e^-87 ≈ 1.6e-38}:
 * such a probability is 0 after any rounding to f16 and negligible in f32).
 */
final class SoftmaxExp {

    /** Smallest input used: {@code 2^n} stays a normal float. */
    static final float MIN_X = -87.0f;
    static final float LOG2E = 1.44269504088896341f;
    /** {@code 1.5 * 2^23}: adding and subtracting it rounds to the nearest integer (ties to even). */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    static final float P0 = 1.9875691500e-4f;
    static final float P1 = 1.3981999507e-3f;
    static final float P2 = 8.3334519073e-3f;
    static final float P3 = 4.1665795894e-2f;
    static final float P4 = 1.6666665459e-1f;
    static final float P5 = 5.0000001201e-1f;

    private SoftmaxExp() {
    }

    /** {@code e^x} for {@code x <= 0} (finite), the scalar twin of the vector kernel's lanes. */
    static float exp(float x) {
        x = Math.max(x, MIN_X);
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(P0, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(t) - ROUND_BITS + 127) << 23);
        return y * scale;
    }
}
