package dev.neox4j.engine.tensor.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Scalar twin of {@link VectorAttentionDots}: the same lane-wise fused multiply-add chains written out one lane at a
 * time, hence the same bits for the same lane count (checked by {@code AttentionDotsTest}). The kernels of the
 * scalar family use it with 16 lanes.
 */
public final class ScalarAttentionDots implements AttentionDots {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int lanes;
    private final float[] acc; // [lanes]

    /** @param lanes a power of two, 1..64 */
    public ScalarAttentionDots(int lanes) {
        if (lanes < 1 || lanes > 64 || Integer.bitCount(lanes) != 1) {
            throw new IllegalArgumentException("lanes must be a power of two in 1..64, got " + lanes);
        }
        this.lanes = lanes;
        this.acc = new float[lanes];
    }

    @Override
    public int lanes() {
        return lanes;
    }

    private static float at(MemorySegment m, boolean half, long index) {
        return half ? Float.float16ToFloat(m.get(HALF, 2 * index)) : m.get(FLOAT, 4 * index);
    }

    @Override
    public void scores(float[] q, int nq, int hd, MemorySegment k, boolean half, long off, long stride, int nKeys,
                       float scale, float[] s, int ss) {
        int body = hd - hd % lanes;
        for (int i = 0; i < nq; i++) {
            int qo = i * hd;
            for (int j = 0; j < nKeys; j++) {
                long ko = off + j * stride;
                java.util.Arrays.fill(acc, 0f);
                for (int d = 0; d < body; d += lanes) {
                    for (int l = 0; l < lanes; l++) {
                        acc[l] = Math.fma(q[qo + d + l], at(k, half, ko + d + l), acc[l]);
                    }
                }
                float tail = 0f;
                for (int d = body; d < hd; d++) {
                    tail = Math.fma(q[qo + d], at(k, half, ko + d), tail);
                }
                s[i * ss + j] = scale * (reduce(acc, lanes) + tail);
            }
        }
    }

    @Override
    public void weightedSum(float[] p, int ps, int nq, int n0, MemorySegment v, boolean half, long off, long stride,
                            int hd, float[] out, int oo, int os) {
        for (int i = 0; i < nq; i++) {
            int n = n0 + i;
            for (int d = 0; d < hd; d++) {
                float a = 0f;
                for (int j = 0; j < n; j++) {
                    a = Math.fma(p[i * ps + j], at(v, half, off + j * stride + d), a);
                }
                out[oo + i * os + d] = a;
            }
        }
    }

    /** {@link VectorShapes#reduce}'s pairwise order, for any power-of-two lane count. */
    static float reduce(float[] r, int lanes) {
        float[] t = r;
        for (int half = lanes / 2; half > 0; half /= 2) {
            for (int l = 0; l < half; l++) {
                t[l] = t[l] + t[l + half];
            }
        }
        return t[0];
    }

    @Override
    public void softmaxExp(float[] s, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, s[off + j]);
        }
        for (int j = 0; j < n; j++) {
            s[off + j] = SoftmaxExp.exp(s[off + j] - max);
        }
    }
}
