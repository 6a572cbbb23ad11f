package dev.neox4j.engine.model;

import dev.neox4j.engine.tensor.kernel.Kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The non-matmul numerics of the forward pass against straightforward double-precision references. */
class NumericsTest {

    /** GELU table: input and output rounded to f16, tanh approximation vs exact erf is not involved here. */
    private static final double GELU_VS_DOUBLE_TANH_BUDGET_REL = 2.0 / 1024; // two f16 half-ulps (in+out)
    private static final double LAYER_NORM_BUDGET = 2e-6;
    private static final double ATTENTION_F32_BUDGET = 2e-6;
    private static final double ATTENTION_F16_BUDGET = 2e-3;

    private static float f16(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    private static double geluTanhDouble(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    @Test
    void geluTableMatchesTheRecipe() {
        assertEquals(0.0f, Gelu.apply(-10f));
        assertEquals(0.0f, Gelu.apply(-123f));
        assertEquals(10f, Gelu.apply(10f));
        assertEquals(55.5f, Gelu.apply(55.5f));
        assertEquals(0.0f, Gelu.apply(0f));
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 20000; i++) {
            float x = (float) (r.nextDouble(-12, 12));
            float got = Gelu.apply(x);
            if (x > -10 && x < 10) {
                assertEquals(f16(Gelu.geluTanh(f16(x))), got, "x=" + x);
                double want = geluTanhDouble(x);
                assertEquals(want, got, GELU_VS_DOUBLE_TANH_BUDGET_REL * Math.abs(want) + 1e-4 * Math.abs(x) + 1e-7,
                        "x=" + x);
            }
        }
        float[] a = {-11f, 0.5f, 11f};
        Gelu.applyInPlace(a, 0, 3);
        assertArrayEquals(new float[] {0f, Gelu.apply(0.5f), 11f}, a);
    }

    @Test
    void layerNormMatchesDoubleReference() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 256;
        float[] x = new float[n + 3];
        float[] w = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            x[i + 3] = (float) (r.nextGaussian() * 3 + 5);
            w[i] = (float) (1 + 0.2 * r.nextGaussian());
            b[i] = (float) (0.1 * r.nextGaussian());
        }
        float[] y = new float[n + 1];
        LayerNorm.apply(x, 3, w, b, 1e-5f, y, 1, n);
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += x[i + 3];
        }
        mean /= n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            var += (x[i + 3] - mean) * (x[i + 3] - mean);
        }
        var /= n;
        for (int i = 0; i < n; i++) {
            double want = (x[i + 3] - mean) / Math.sqrt(var + 1e-5) * w[i] + b[i];
            assertEquals(want, y[i + 1], LAYER_NORM_BUDGET * (1 + Math.abs(want)), "i=" + i);
        }
        // in place
        float[] copy = x.clone();
        LayerNorm.apply(copy, 3, w, b, 1e-5f, copy, 3, n);
        for (int i = 0; i < n; i++) {
            assertEquals(y[i + 1], copy[i + 3]);
        }
    }

    @Test
    void ropeRotatesNeoxPairsOfTheRotaryDimsOnly() {
        int hd = 64;
        int nRot = 16;
        Rope rope = new Rope(nRot, 10000f);
        float[] cos = new float[nRot / 2];
        float[] sin = new float[nRot / 2];
        SplittableRandom r = new SplittableRandom(3);
        for (int pos : new int[] {0, 1, 7, 299, 2047}) {
            float[] z = new float[hd + 5];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) r.nextGaussian();
            }
            float[] orig = z.clone();
            rope.angles(pos, cos, sin);
            rope.rotate(z, 5, cos, sin);
            for (int i = 0; i < 5; i++) {
                assertEquals(orig[i], z[i], "outside the head");
            }
            for (int i = nRot; i < hd; i++) {
                assertEquals(orig[5 + i], z[5 + i], "dim " + i + " is not rotary");
            }
            for (int i = 0; i < nRot / 2; i++) {
                double theta = pos * Math.pow(10000, -2.0 * i / nRot);
                double a = orig[5 + i];
                double b = orig[5 + i + nRot / 2];
                // angle error of the repeated f32 product grows with pos and i (a few ulps of theta)
                double budget = 1e-6 + 8 * (i + 2) * Math.ulp((float) Math.max(theta, 1)) * (Math.abs(a) + Math.abs(b));
                assertEquals(a * Math.cos(theta) - b * Math.sin(theta), z[5 + i], budget, "pos " + pos + " i " + i);
                assertEquals(a * Math.sin(theta) + b * Math.cos(theta), z[5 + i + nRot / 2], budget, "pos " + pos + " i " + i);
            }
        }
        rope.angles(0, cos, sin);
        for (int i = 0; i < nRot / 2; i++) {
            assertEquals(1f, cos[i]);
            assertEquals(0f, sin[i]);
        }
    }

    @Test
    void attentionMatchesDoubleReferenceForBothCacheTypes() {
        int embd = 32;
        int heads = 2;
        int hd = 16;
        int n = 37;
        SplittableRandom r = new SplittableRandom(4);
        float[][] ks = new float[n][embd];
        float[][] vs = new float[n][embd];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < embd; i++) {
                ks[j][i] = (float) (2 * r.nextGaussian());
                vs[j][i] = (float) r.nextGaussian();
            }
        }
        float[] q = new float[embd];
        for (int i = 0; i < embd; i++) {
            q[i] = (float) (2 * r.nextGaussian());
        }
        float scale = 0.25f;
        for (KvCache.ElementType type : KvCache.ElementType.values()) {
            boolean half = type == KvCache.ElementType.F16;
            KvCache cache = new KvCache(1, embd, 64, type);
            for (int j = 0; j < n; j++) {
                cache.write(0, j, ks[j], 0, vs[j], 0);
            }
            cache.advance(n);
            Attention.Scratch s = new Attention.Scratch(Kernels.select("auto").newAttentionDots());
            for (int h = 0; h < heads; h++) {
                for (int visible : new int[] {1, 2, n}) {
                    float[] out = new float[hd];
                    Attention.head(q, h * hd, cache, 0, h * hd, hd, visible, scale, s, out, 0);
                    double[] sc = new double[visible];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < visible; j++) {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) {
                            double qq = half ? f16(q[h * hd + d]) : q[h * hd + d];
                            double kk = half ? f16(ks[j][h * hd + d]) : ks[j][h * hd + d];
                            dot += qq * kk;
                        }
                        sc[j] = dot * scale;
                        max = Math.max(max, sc[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < visible; j++) {
                        sc[j] = Math.exp(sc[j] - max);
                        sum += sc[j];
                    }
                    for (int d = 0; d < hd; d++) {
                        double o = 0;
                        for (int j = 0; j < visible; j++) {
                            double vv = half ? f16(vs[j][h * hd + d]) : vs[j][h * hd + d];
                            o += sc[j] / sum * vv;
                        }
                        assertEquals(o, out[d], half ? ATTENTION_F16_BUDGET : ATTENTION_F32_BUDGET,
                                type + " head " + h + " visible " + visible + " d " + d);
                    }
                    if (visible == 1) {
                        for (int d = 0; d < hd; d++) {
                            assertEquals(half ? f16(vs[0][h * hd + d]) : vs[0][h * hd + d], out[d], 0.0,
                                    "one visible position returns its value");
                        }
                    }
                }
            }
        }
    }
}
