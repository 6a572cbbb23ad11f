package dev.neox4j.engine.tensor.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.NEG_ZERO;

/**
 * Vector API attention products ({@link AttentionDots}): for a tile of four queries each loaded key or value chunk
 * is converted once and multiplied into four accumulators; smaller tiles take the one-query path per query (same
 * chains, so the same bits). Not thread-safe (one instance per thread: it holds a reduction scratch row).
 */
final class VectorAttentionDots implements AttentionDots {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final float[] red = new float[F];

    @Override
    public int lanes() {
        return F;
    }

    private static FloatVector load(MemorySegment m, boolean half, long index) {
        return half ? VectorShapes.loadF16(m, 2 * index) : VectorShapes.loadF32(m, 4 * index);
    }

    private static float at(MemorySegment m, boolean half, long index) {
        return half ? Float.float16ToFloat(m.get(HALF, 2 * index)) : m.get(FLOAT, 4 * index);
    }

    @Override
    public void scores(float[] q, int nq, int hd, MemorySegment k, boolean half, long off, long stride, int nKeys,
                       float scale, float[] s, int ss) {
        if (nq == 4) {
            for (int j = 0; j < nKeys; j++) {
                scores4(q, hd, k, half, off + j * stride, scale, s, j, ss);
            }
            return;
        }
        for (int i = 0; i < nq; i++) {
            for (int j = 0; j < nKeys; j++) {
                s[i * ss + j] = scale * dot(q, i * hd, hd, k, half, off + j * stride);
            }
        }
    }

    /** One query against one key: the lane chains, their fixed-order sum, then the scalar tail. */
    private float dot(float[] q, int qo, int hd, MemorySegment k, boolean half, long ko) {
        int body = hd - hd % F;
        FloatVector a = FloatVector.zero(FS);
        for (int d = 0; d < body; d += F) {
            a = FloatVector.fromArray(FS, q, qo + d).fma(load(k, half, ko + d), a);
        }
        float tail = 0f;
        for (int d = body; d < hd; d++) {
            tail = Math.fma(q[qo + d], at(k, half, ko + d), tail);
        }
        NEG_ZERO.add(a).intoArray(red, 0);
        return VectorShapes.reduce(red) + tail;
    }

    /** Four queries against key {@code j}: each key chunk is loaded and converted once. */
    private void scores4(float[] q, int hd, MemorySegment k, boolean half, long ko, float scale, float[] s, int j,
                         int ss) {
        int body = hd - hd % F;
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int d = 0; d < body; d += F) {
            FloatVector kv = load(k, half, ko + d);
            a0 = FloatVector.fromArray(FS, q, d).fma(kv, a0);
            a1 = FloatVector.fromArray(FS, q, hd + d).fma(kv, a1);
            a2 = FloatVector.fromArray(FS, q, 2 * hd + d).fma(kv, a2);
            a3 = FloatVector.fromArray(FS, q, 3 * hd + d).fma(kv, a3);
        }
        NEG_ZERO.add(a0).intoArray(red, 0);
        float r0 = VectorShapes.reduce(red);
        NEG_ZERO.add(a1).intoArray(red, 0);
        float r1 = VectorShapes.reduce(red);
        NEG_ZERO.add(a2).intoArray(red, 0);
        float r2 = VectorShapes.reduce(red);
        NEG_ZERO.add(a3).intoArray(red, 0);
        float r3 = VectorShapes.reduce(red);
        if (body < hd) {
            float t0 = 0f;
            float t1 = 0f;
            float t2 = 0f;
            float t3 = 0f;
            for (int d = body; d < hd; d++) {
                float kk = at(k, half, ko + d);
                t0 = Math.fma(q[d], kk, t0);
                t1 = Math.fma(q[hd + d], kk, t1);
                t2 = Math.fma(q[2 * hd + d], kk, t2);
                t3 = Math.fma(q[3 * hd + d], kk, t3);
            }
            r0 += t0;
            r1 += t1;
            r2 += t2;
            r3 += t3;
        } else {
            r0 += 0f;
            r1 += 0f;
            r2 += 0f;
            r3 += 0f;
        }
        s[j] = scale * r0;
        s[ss + j] = scale * r1;
        s[2 * ss + j] = scale * r2;
        s[3 * ss + j] = scale * r3;
    }

    @Override
    public void weightedSum(float[] p, int ps, int nq, int n0, MemorySegment v, boolean half, long off, long stride,
                            int hd, float[] out, int oo, int os) {
        int body = hd - hd % F;
        for (int d = 0; d < body; d += F) {
            if (nq == 4) {
                sum4(p, ps, n0, v, half, off + d, stride, out, oo + d, os);
            } else {
                for (int i = 0; i < nq; i++) {
                    sum1(p, i * ps, n0 + i, v, half, off + d, stride, out, oo + i * os + d);
                }
            }
        }
        for (int d = body; d < hd; d++) {
            for (int i = 0; i < nq; i++) {
                float a = 0f;
                for (int j = 0, n = n0 + i; j < n; j++) {
                    a = Math.fma(p[i * ps + j], at(v, half, off + j * stride + d), a);
                }
                out[oo + i * os + d] = a;
            }
        }
    }

    private static void sum1(float[] p, int po, int n, MemorySegment v, boolean half, long vo, long stride,
                             float[] out, int o) {
        FloatVector a = FloatVector.zero(FS);
        for (int j = 0; j < n; j++) {
            a = load(v, half, vo + j * stride).fma(FloatVector.broadcast(FS, p[po + j]), a);
        }
        NEG_ZERO.add(a).intoArray(out, o);
    }

    /** Four consecutive queries: values {@code j < n0} are loaded once for all four, then each query's extra ones. */
    private static void sum4(float[] p, int ps, int n0, MemorySegment v, boolean half, long vo, long stride,
                             float[] out, int o, int os) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int j = 0; j < n0; j++) {
            FloatVector vv = load(v, half, vo + j * stride);
            a0 = vv.fma(FloatVector.broadcast(FS, p[j]), a0);
            a1 = vv.fma(FloatVector.broadcast(FS, p[ps + j]), a1);
            a2 = vv.fma(FloatVector.broadcast(FS, p[2 * ps + j]), a2);
            a3 = vv.fma(FloatVector.broadcast(FS, p[3 * ps + j]), a3);
        }
        FloatVector v0 = load(v, half, vo + n0 * stride);
        FloatVector v1 = load(v, half, vo + (n0 + 1) * stride);
        FloatVector v2 = load(v, half, vo + (n0 + 2) * stride);
        a1 = v0.fma(FloatVector.broadcast(FS, p[ps + n0]), a1);
        a2 = v0.fma(FloatVector.broadcast(FS, p[2 * ps + n0]), a2);
        a2 = v1.fma(FloatVector.broadcast(FS, p[2 * ps + n0 + 1]), a2);
        a3 = v0.fma(FloatVector.broadcast(FS, p[3 * ps + n0]), a3);
        a3 = v1.fma(FloatVector.broadcast(FS, p[3 * ps + n0 + 1]), a3);
        a3 = v2.fma(FloatVector.broadcast(FS, p[3 * ps + n0 + 2]), a3);
        NEG_ZERO.add(a0).intoArray(out, o);
        NEG_ZERO.add(a1).intoArray(out, o + os);
        NEG_ZERO.add(a2).intoArray(out, o + 2 * os);
        NEG_ZERO.add(a3).intoArray(out, o + 3 * os);
    }

    /**
     * {@link SoftmaxExp#exp} in {@code F} lanes, operation for operation (the maximum is exact in any order), the
     * elements past the last full vector through the scalar twin.
     */
    @Override
    public void softmaxExp(float[] s, int off, int n) {
        int j = 0;
        FloatVector m = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        for (; j + F <= n; j += F) {
            m = m.max(FloatVector.fromArray(FS, s, off + j));
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            max = Math.max(max, s[off + j]);
        }
        j = 0;
        for (; j + F <= n; j += F) {
            FloatVector x = FloatVector.fromArray(FS, s, off + j).sub(max).max(SoftmaxExp.MIN_X);
            FloatVector t = x.fma(SoftmaxExp.LOG2E, SoftmaxExp.ROUND);
            FloatVector k = t.sub(SoftmaxExp.ROUND);
            FloatVector r = k.fma(FloatVector.broadcast(FS, -SoftmaxExp.LN2_HI), x);
            r = k.fma(FloatVector.broadcast(FS, -SoftmaxExp.LN2_LO), r);
            FloatVector p = FloatVector.broadcast(FS, SoftmaxExp.P0).fma(r, FloatVector.broadcast(FS, SoftmaxExp.P1));
            p = p.fma(r, FloatVector.broadcast(FS, SoftmaxExp.P2));
            p = p.fma(r, FloatVector.broadcast(FS, SoftmaxExp.P3));
            p = p.fma(r, FloatVector.broadcast(FS, SoftmaxExp.P4));
            p = p.fma(r, FloatVector.broadcast(FS, SoftmaxExp.P5));
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            FloatVector scale = t.reinterpretAsInts().sub(SoftmaxExp.ROUND_BITS - 127)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            y.mul(scale).intoArray(s, off + j);
        }
        for (; j < n; j++) {
            s[off + j] = SoftmaxExp.exp(s[off + j] - max);
        }
    }
}
