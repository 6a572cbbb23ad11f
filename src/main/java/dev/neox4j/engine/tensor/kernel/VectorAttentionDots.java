package dev.neox4j.engine.tensor.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.IS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.LE;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.NEG_ZERO;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.TWO_POW_112;

/**
 * Vector API attention products ({@link AttentionDots}): a tile's queries go four at a time, each loaded key or
 * value chunk converted once and multiplied into four accumulators, the rest one query at a time (same chains, so
 * the same bits). With 16 lanes, a tile of at least {@value #KEY_MAJOR_QUERIES} queries (a prompt chunk) takes the
 * key-major scores ({@link #scoresKeyMajor}): the keys converted and transposed once per tile, 16 keys per vector,
 * no lane sum per query-key pair. Not thread-safe (one instance per thread: it holds scratch rows).
 *
 * <p>Each of the four per-query load sites converts its f16 keys or values itself, with JDK vector calls only,
 * instead of calling a shared load helper that returns a vector: a helper C2 has already compiled on its own may be
 * refused inlining at a later site, and its vectors then stay boxed (in a JVM that had run the matmul kernels first,
 * the one-query weighted sum allocated 43 KB per call for good). The tile paths convert whole rows through
 * {@link #toFloats}, whose signature holds no vector. {@code AttentionKernelAllocationTest} guards all of them.
 */
final class VectorAttentionDots implements AttentionDots {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final float[] red = new float[F];
    /** The keys of {@link #scoresKeyMajor} as floats, 16 keys per vector: [key block][hd][16] (grows only). */
    private float[] kt = new float[0];
    /** The values of {@link #weightedSumFloats} as floats: [key][hd] (grows only). */
    private float[] vf = new float[0];
    /** One key block's 16 lane chains of up to four queries before their lane sum: [query][lane][16 keys]. */
    private final float[] chains = new float[4 * 16 * 16];

    /**
     * Tiles of at least this many queries take {@link #scoresKeyMajor} (with 16 lanes and {@code hd} a multiple
     * of 16): the keys are converted and transposed once per tile, which a tile of a few queries does not repay.
     */
    static final int KEY_MAJOR_QUERIES = 8;

    @Override
    public int lanes() {
        return F;
    }

    private static float at(MemorySegment m, boolean half, long index) {
        return half ? Float.float16ToFloat(m.get(HALF, 2 * index)) : m.get(FLOAT, 4 * index);
    }

    @Override
    public void scores(float[] q, int nq, int hd, MemorySegment k, boolean half, long off, long stride, int nKeys,
                       float scale, float[] s, int ss) {
        if (F == 16 && nq >= KEY_MAJOR_QUERIES && hd % 16 == 0) {
            scoresKeyMajor(q, nq, hd, k, half, off, stride, nKeys, scale, s, ss);
            return;
        }
        int i = 0;
        for (; i + 4 <= nq; i += 4) {
            scores4(q, i * hd, hd, k, half, off, stride, nKeys, scale, s, i * ss, ss);
        }
        for (; i < nq; i++) {
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
            FloatVector kv;
            if (half) { // VectorShapes.loadF16 written out (see the class comment)
                IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, k, 2 * (ko + d), LE)
                        .convertShape(VectorOperators.S2I, IS, 0);
                IntVector em = h.and(0x7FFF);
                IntVector sh = em.lanewise(VectorOperators.LSHL, 13);
                IntVector bits = ((IntVector) ((FloatVector) sh.reinterpretShape(FS, 0)).mul(TWO_POW_112).reinterpretShape(IS, 0))
                        .blend(sh.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00));
                kv = (FloatVector) bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretShape(FS, 0);
            } else {
                kv = FloatVector.fromMemorySegment(FS, k, 4 * (ko + d), LE);
            }
            a = FloatVector.fromArray(FS, q, qo + d).fma(kv, a);
        }
        float tail = 0f;
        for (int d = body; d < hd; d++) {
            tail = Math.fma(q[qo + d], at(k, half, ko + d), tail);
        }
        NEG_ZERO.add(a).intoArray(red, 0);
        return VectorShapes.reduce(red) + tail;
    }

    /** Lane indexes into two 16-lane vectors (16 + i is lane i of the second) for {@link FloatVector#selectFrom}. */
    private static FloatVector lanes(int... i) {
        float[] f = new float[i.length];
        for (int l = 0; l < i.length; l++) {
            f[l] = i[l];
        }
        return FloatVector.fromArray(FloatVector.SPECIES_512, f, 0);
    }

    // The four levels of VectorShapes.reduce's tree for 16 lanes (lane i + lane i + 8, then i + 4, then i + 2, then
    // i + 1), each done for two vectors at once: P gathers the lower lane of every pair from both vectors, Q the
    // upper one, P + Q is the level's sums of both. Four accumulators a0..a3 thus end as lanes 0..3 of one vector
    // after 4 levels (12 vector operations), with exactly the bits of four stored-and-summed reductions.
    private static final FloatVector L1P = F == 16 ? lanes(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) : null;
    private static final FloatVector L1Q = F == 16 ? lanes(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31) : null;
    private static final FloatVector L2P = F == 16 ? lanes(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27) : null;
    private static final FloatVector L2Q = F == 16 ? lanes(4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31) : null;
    private static final FloatVector L3P = F == 16 ? lanes(0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29) : null;
    private static final FloatVector L3Q = F == 16 ? lanes(2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31) : null;
    private static final FloatVector L4P = F == 16 ? lanes(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30) : null;
    private static final FloatVector L4Q = F == 16 ? lanes(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31) : null;

    /**
     * Lane {@code i} takes lane {@code i + 2}, {@code i + 1} (mod {@code F}); with {@link VectorShapes#SWAP}
     * ({@code i + F/2}) {@link #scores4}'s 8-lane sums. Integer shuffles on the bits of the float accumulators, of the
     * class the Q4_0/Q8_0 kernels already rearrange with: a float shuffle would be one more receiver type in the
     * profiles of the JDK's shared vector methods, which is what left kernels boxed before (package documentation).
     */
    private static final VectorShuffle<Integer> UP2 = VectorShuffle.fromOp(IS, i -> (i + 2) % F);
    private static final VectorShuffle<Integer> UP1 = VectorShuffle.fromOp(IS, i -> (i + 1) % F);

    /** Four queries against every key: each key chunk is loaded and converted once. */
    private void scores4(float[] q, int qo, int hd, MemorySegment k, boolean half, long off, long stride, int nKeys,
                         float scale, float[] s, int so, int ss) {
        int body = hd - hd % F;
        for (int j = 0; j < nKeys; j++) { // the key loop here, not in the caller: C2 would not inline this method
            long ko = off + j * stride;
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int d = 0; d < body; d += F) {
                FloatVector kv;
                if (half) { // VectorShapes.loadF16 written out (see the class comment)
                    IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, k, 2 * (ko + d), LE)
                            .convertShape(VectorOperators.S2I, IS, 0);
                    IntVector em = h.and(0x7FFF);
                    IntVector sh = em.lanewise(VectorOperators.LSHL, 13);
                    IntVector bits = ((IntVector) ((FloatVector) sh.reinterpretShape(FS, 0)).mul(TWO_POW_112).reinterpretShape(IS, 0))
                            .blend(sh.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00));
                    kv = (FloatVector) bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretShape(FS, 0);
                } else {
                    kv = FloatVector.fromMemorySegment(FS, k, 4 * (ko + d), LE);
                }
                a0 = FloatVector.fromArray(FS, q, qo + d).fma(kv, a0);
                a1 = FloatVector.fromArray(FS, q, qo + hd + d).fma(kv, a1);
                a2 = FloatVector.fromArray(FS, q, qo + 2 * hd + d).fma(kv, a2);
                a3 = FloatVector.fromArray(FS, q, qo + 3 * hd + d).fma(kv, a3);
            }
            float r0;
            float r1;
            float r2;
            float r3;
            if (F == 16) {
                // the four lane sums at once, in VectorShapes.reduce's order (see L1P): lanes 0-3 of w
                FloatVector x0 = L1P.selectFrom(a0, a1).add(L1Q.selectFrom(a0, a1));
                FloatVector x1 = L1P.selectFrom(a2, a3).add(L1Q.selectFrom(a2, a3));
                FloatVector y = L2P.selectFrom(x0, x1).add(L2Q.selectFrom(x0, x1));
                FloatVector z = L3P.selectFrom(y, y).add(L3Q.selectFrom(y, y));
                L4P.selectFrom(z, z).add(L4Q.selectFrom(z, z)).intoArray(red, 0);
                r0 = red[0];
                r1 = red[1];
                r2 = red[2];
                r3 = red[3];
            } else if (F == 8) {
                // VectorShapes.reduce's tree for 8 lanes (lane i + lane i + 4, then i + 2, then i + 1) in registers, on
                // each accumulator: the same additions of the same operands, without four store-and-sum round trips
                // (at hd = 64 those were a third of this method's operations)
                FloatVector u = a0.add((FloatVector) ((IntVector) a0.reinterpretShape(IS, 0)).rearrange(VectorShapes.SWAP).reinterpretShape(FS, 0));
                u = u.add((FloatVector) ((IntVector) u.reinterpretShape(IS, 0)).rearrange(UP2).reinterpretShape(FS, 0));
                r0 = u.add((FloatVector) ((IntVector) u.reinterpretShape(IS, 0)).rearrange(UP1).reinterpretShape(FS, 0)).lane(0);
                u = a1.add((FloatVector) ((IntVector) a1.reinterpretShape(IS, 0)).rearrange(VectorShapes.SWAP).reinterpretShape(FS, 0));
                u = u.add((FloatVector) ((IntVector) u.reinterpretShape(IS, 0)).rearrange(UP2).reinterpretShape(FS, 0));
                r1 = u.add((FloatVector) ((IntVector) u.reinterpretShape(IS, 0)).rearrange(UP1).reinterpretShape(FS, 0)).lane(0);
                u = a2.add((FloatVector) ((IntVector) a2.reinterpretShape(IS, 0)).rearrange(VectorShapes.SWAP).reinterpretShape(FS, 0));
                u = u.add((FloatVector) ((IntVector) u.reinterpretShape(IS, 0)).rearrange(UP2).reinterpretShape(FS, 0));
                r2 = u.add((FloatVector) ((IntVector) u.reinterpretShape(IS, 0)).rearrange(UP1).reinterpretShape(FS, 0)).lane(0);
                u = a3.add((FloatVector) ((IntVector) a3.reinterpretShape(IS, 0)).rearrange(VectorShapes.SWAP).reinterpretShape(FS, 0));
                u = u.add((FloatVector) ((IntVector) u.reinterpretShape(IS, 0)).rearrange(UP2).reinterpretShape(FS, 0));
                r3 = u.add((FloatVector) ((IntVector) u.reinterpretShape(IS, 0)).rearrange(UP1).reinterpretShape(FS, 0)).lane(0);
            } else {
                NEG_ZERO.add(a0).intoArray(red, 0);
                r0 = VectorShapes.reduce(red);
                NEG_ZERO.add(a1).intoArray(red, 0);
                r1 = VectorShapes.reduce(red);
                NEG_ZERO.add(a2).intoArray(red, 0);
                r2 = VectorShapes.reduce(red);
                NEG_ZERO.add(a3).intoArray(red, 0);
                r3 = VectorShapes.reduce(red);
            }
            if (body < hd) {
                float t0 = 0f;
                float t1 = 0f;
                float t2 = 0f;
                float t3 = 0f;
                for (int d = body; d < hd; d++) {
                    float kk = at(k, half, ko + d);
                    t0 = Math.fma(q[qo + d], kk, t0);
                    t1 = Math.fma(q[qo + hd + d], kk, t1);
                    t2 = Math.fma(q[qo + 2 * hd + d], kk, t2);
                    t3 = Math.fma(q[qo + 3 * hd + d], kk, t3);
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
            s[so + j] = scale * r0;
            s[so + ss + j] = scale * r1;
            s[so + 2 * ss + j] = scale * r2;
            s[so + 3 * ss + j] = scale * r3;
        }
    }

    // The four stages of a 16 x 16 transpose, each swapping the off-diagonal k x k blocks of every 2k x 2k block
    // (k = 8, 4, 2, 1): rows i and i + k (bit k of i clear) become P.selectFrom(ri, rik) and Q.selectFrom(ri, rik).
    private static final FloatVector T8P = F == 16 ? stage(8, false) : null;
    private static final FloatVector T8Q = F == 16 ? stage(8, true) : null;
    private static final FloatVector T4P = F == 16 ? stage(4, false) : null;
    private static final FloatVector T4Q = F == 16 ? stage(4, true) : null;
    private static final FloatVector T2P = F == 16 ? stage(2, false) : null;
    private static final FloatVector T2Q = F == 16 ? stage(2, true) : null;
    private static final FloatVector T1P = F == 16 ? stage(1, false) : null;
    private static final FloatVector T1Q = F == 16 ? stage(1, true) : null;

    /** Lane l of row i's (upper: row i + k's) result at the transpose stage of block size {@code k}. */
    private static FloatVector stage(int k, boolean upper) {
        int[] idx = new int[16];
        for (int l = 0; l < 16; l++) {
            boolean high = (l & k) != 0;
            idx[l] = upper ? (high ? 16 + l : l + k) : (high ? 16 + l - k : l);
        }
        return lanes(idx);
    }

    /**
     * The {@code hd} (a multiple of 16) cached elements from element index {@code idx}, f16 ({@code half}) or f32,
     * as floats: elements {@code c .. c + 15} to {@code dst[d0 + (c / 16) * cs ..]}. The one load site of the tile
     * paths ({@link #scoresKeyMajor}, {@link #weightedSumFloats}): no vector crosses its signature, so it cannot box
     * whether C2 inlines it or not.
     */
    private static void toFloats(MemorySegment m, boolean half, long idx, int hd, float[] dst, int d0, int cs) {
        for (int c = 0; c < hd; c += 16) {
            FloatVector x;
            if (half) { // VectorShapes.loadF16 written out (see the class comment)
                IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, m, 2 * (idx + c), LE)
                        .convertShape(VectorOperators.S2I, IS, 0);
                IntVector em = h.and(0x7FFF);
                IntVector sh = em.lanewise(VectorOperators.LSHL, 13);
                IntVector bits = ((IntVector) ((FloatVector) sh.reinterpretShape(FS, 0)).mul(TWO_POW_112)
                        .reinterpretShape(IS, 0)).blend(sh.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00));
                x = (FloatVector) bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretShape(FS, 0);
            } else {
                x = FloatVector.fromMemorySegment(FS, m, 4 * (idx + c), LE);
            }
            x.intoArray(dst, d0 + (c >> 4) * cs);
        }
    }

    /**
     * {@link #scores} for a tile of many queries, with 16 lanes and {@code hd} a multiple of 16: 16 keys per
     * vector instead of 16 elements of one key. The keys are converted and transposed once for the tile
     * ({@link #kt}); then for a block of 16 keys and each lane {@code l} of the element-major form, the chain
     * {@code a_l += q[d] * k[d]} over {@code d = l, l + 16, ..} runs for the 16 keys at once, and the 16 chains are
     * summed in {@link VectorShapes#reduce}'s tree ({@code l + 8}, then {@code + 4}, {@code + 2}, {@code + 1}): the
     * same operations on the same values as {@link #dot} per key, so the same bits, without a lane sum per
     * query-key pair. Up to four queries share each key vector.
     */
    private void scoresKeyMajor(float[] q, int nq, int hd, MemorySegment k, boolean half, long off, long stride,
                                int nKeys, float scale, float[] s, int ss) {
        int blocks = (nKeys + 15) >>> 4;
        int need = blocks * hd * 16;
        if (kt.length < need) {
            kt = new float[need]; // at most the context's keys of one head
        }
        float[] t = kt;
        for (int b = 0; b < blocks; b++) {
            // block b as hd / 16 blocks of 16 x 16: row jj of block c = key 16b + jj's elements c.. (zero past nKeys)
            for (int jj = 0; jj < 16; jj++) {
                int j = 16 * b + jj;
                if (j < nKeys) {
                    toFloats(k, half, off + j * stride, hd, t, b * hd * 16 + 16 * jj, 256);
                } else {
                    for (int c = 0; c < hd; c += 16) {
                        Arrays.fill(t, (b * hd + c) * 16 + 16 * jj, (b * hd + c) * 16 + 16 * jj + 16, 0f);
                    }
                }
            }
            for (int c = 0; c < hd; c += 16) {
                int base = (b * hd + c) * 16;
                // transposed in place: row dd = element c + dd of the 16 keys, at (b * hd + c + dd) * 16
                for (int i = 0; i < 8; i++) {
                    FloatVector x = FloatVector.fromArray(FS, t, base + 16 * i);
                    FloatVector y = FloatVector.fromArray(FS, t, base + 16 * (i + 8));
                    T8P.selectFrom(x, y).intoArray(t, base + 16 * i);
                    T8Q.selectFrom(x, y).intoArray(t, base + 16 * (i + 8));
                }
                for (int i = 0; i < 16; i = (i & 3) == 3 ? i + 5 : i + 1) { // rows with bit 2 clear
                    FloatVector x = FloatVector.fromArray(FS, t, base + 16 * i);
                    FloatVector y = FloatVector.fromArray(FS, t, base + 16 * (i + 4));
                    T4P.selectFrom(x, y).intoArray(t, base + 16 * i);
                    T4Q.selectFrom(x, y).intoArray(t, base + 16 * (i + 4));
                }
                for (int i = 0; i < 16; i = (i & 1) == 1 ? i + 3 : i + 1) { // rows with bit 1 clear
                    FloatVector x = FloatVector.fromArray(FS, t, base + 16 * i);
                    FloatVector y = FloatVector.fromArray(FS, t, base + 16 * (i + 2));
                    T2P.selectFrom(x, y).intoArray(t, base + 16 * i);
                    T2Q.selectFrom(x, y).intoArray(t, base + 16 * (i + 2));
                }
                for (int i = 0; i < 16; i += 2) { // rows with bit 0 clear
                    FloatVector x = FloatVector.fromArray(FS, t, base + 16 * i);
                    FloatVector y = FloatVector.fromArray(FS, t, base + 16 * (i + 1));
                    T1P.selectFrom(x, y).intoArray(t, base + 16 * i);
                    T1Q.selectFrom(x, y).intoArray(t, base + 16 * (i + 1));
                }
            }
        }
        float[] ch = chains;
        for (int i0 = 0; i0 < nq; i0 += 4) {
            int n = Math.min(4, nq - i0);
            int q0 = i0 * hd;
            int q1 = (i0 + Math.min(1, n - 1)) * hd; // a group of fewer than four repeats its last query
            int q2 = (i0 + Math.min(2, n - 1)) * hd;
            int q3 = (i0 + Math.min(3, n - 1)) * hd;
            for (int b = 0; b < blocks; b++) {
                int kb = b * hd * 16;
                for (int l = 0; l < 16; l++) {
                    FloatVector a0 = FloatVector.zero(FS);
                    FloatVector a1 = a0;
                    FloatVector a2 = a0;
                    FloatVector a3 = a0;
                    for (int d = l; d < hd; d += 16) { // kv * q + a: dot's q * k + a, the same product
                        FloatVector kv = FloatVector.fromArray(FS, t, kb + 16 * d);
                        a0 = kv.fma(FloatVector.broadcast(FS, q[q0 + d]), a0);
                        a1 = kv.fma(FloatVector.broadcast(FS, q[q1 + d]), a1);
                        a2 = kv.fma(FloatVector.broadcast(FS, q[q2 + d]), a2);
                        a3 = kv.fma(FloatVector.broadcast(FS, q[q3 + d]), a3);
                    }
                    a0.intoArray(ch, 16 * l);
                    a1.intoArray(ch, 256 + 16 * l);
                    a2.intoArray(ch, 512 + 16 * l);
                    a3.intoArray(ch, 768 + 16 * l);
                }
                int j0 = 16 * b;
                for (int i = 0; i < n; i++) {
                    int c = 256 * i;
                    // VectorShapes.reduce's tree over the chains: l + (l + 8), then + 4, then (0 + 2) + (1 + 3)
                    FloatVector b0 = FloatVector.fromArray(FS, ch, c).add(FloatVector.fromArray(FS, ch, c + 128));
                    FloatVector b1 = FloatVector.fromArray(FS, ch, c + 16).add(FloatVector.fromArray(FS, ch, c + 144));
                    FloatVector b2 = FloatVector.fromArray(FS, ch, c + 32).add(FloatVector.fromArray(FS, ch, c + 160));
                    FloatVector b3 = FloatVector.fromArray(FS, ch, c + 48).add(FloatVector.fromArray(FS, ch, c + 176));
                    FloatVector b4 = FloatVector.fromArray(FS, ch, c + 64).add(FloatVector.fromArray(FS, ch, c + 192));
                    FloatVector b5 = FloatVector.fromArray(FS, ch, c + 80).add(FloatVector.fromArray(FS, ch, c + 208));
                    FloatVector b6 = FloatVector.fromArray(FS, ch, c + 96).add(FloatVector.fromArray(FS, ch, c + 224));
                    FloatVector b7 = FloatVector.fromArray(FS, ch, c + 112).add(FloatVector.fromArray(FS, ch, c + 240));
                    FloatVector u0 = b0.add(b4);
                    FloatVector u1 = b1.add(b5);
                    FloatVector u2 = b2.add(b6);
                    FloatVector u3 = b3.add(b7);
                    FloatVector r = u0.add(u2).add(u1.add(u3)).add(0f).mul(scale); // dot's "+ tail" is + 0 here
                    int so = (i0 + i) * ss + j0;
                    if (j0 + 16 <= nKeys) {
                        r.intoArray(s, so);
                    } else {
                        r.intoArray(s, so, FS.indexInRange(j0, nKeys));
                    }
                }
            }
        }
    }

    @Override
    public void weightedSum(float[] p, int ps, int nq, int n0, MemorySegment v, boolean half, long off, long stride,
                            int hd, float[] out, int oo, int os) {
        if (F == 16 && nq >= KEY_MAJOR_QUERIES && hd % 16 == 0) {
            weightedSumFloats(p, ps, nq, n0, v, half, off, stride, hd, out, oo, os);
            return;
        }
        int body = hd - hd % F;
        for (int d = 0; d < body; d += F) {
            int i = 0;
            for (; i + 4 <= nq; i += 4) {
                sum4(p, i * ps, ps, n0 + i, v, half, off + d, stride, out, oo + i * os + d, os);
            }
            for (; i < nq; i++) {
                sum1(p, i * ps, n0 + i, v, half, off + d, stride, out, oo + i * os + d);
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

    /**
     * {@link #weightedSum} for a tile of many queries, with 16 lanes and {@code hd} a multiple of 16: the values
     * converted to floats once for the tile ({@link #vf}), then per 16 elements and four queries the chains of
     * {@link #sum4} (ascending {@code j}), the keys all four see without a test per key.
     */
    private void weightedSumFloats(float[] p, int ps, int nq, int n0, MemorySegment v, boolean half, long off,
                                   long stride, int hd, float[] out, int oo, int os) {
        int nKeys = n0 + nq - 1;
        int need = nKeys * hd;
        if (vf.length < need) {
            vf = new float[need]; // at most the context's values of one head
        }
        float[] f = vf;
        for (int j = 0; j < nKeys; j++) {
            toFloats(v, half, off + j * stride, hd, f, j * hd, 16);
        }
        for (int i0 = 0; i0 < nq; i0 += 4) {
            int n = Math.min(4, nq - i0);
            int p0 = i0 * ps;
            int p1 = (i0 + Math.min(1, n - 1)) * ps; // a group of fewer than four repeats its last query
            int p2 = (i0 + Math.min(2, n - 1)) * ps;
            int p3 = (i0 + Math.min(3, n - 1)) * ps;
            int seen = n0 + i0; // keys every query of the group sees
            for (int c = 0; c < hd; c += 16) {
                FloatVector a0 = FloatVector.zero(FS);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int j = 0; j < seen; j++) {
                    FloatVector vv = FloatVector.fromArray(FS, f, j * hd + c);
                    a0 = vv.fma(FloatVector.broadcast(FS, p[p0 + j]), a0);
                    a1 = vv.fma(FloatVector.broadcast(FS, p[p1 + j]), a1);
                    a2 = vv.fma(FloatVector.broadcast(FS, p[p2 + j]), a2);
                    a3 = vv.fma(FloatVector.broadcast(FS, p[p3 + j]), a3);
                }
                // query i of the group sees seen + i keys: key seen + t for the queries i > t
                for (int j = seen; j < seen + n - 1; j++) {
                    FloatVector vv = FloatVector.fromArray(FS, f, j * hd + c);
                    if (j == seen) {
                        a1 = vv.fma(FloatVector.broadcast(FS, p[p1 + j]), a1);
                    }
                    if (j <= seen + 1) {
                        a2 = vv.fma(FloatVector.broadcast(FS, p[p2 + j]), a2);
                    }
                    a3 = vv.fma(FloatVector.broadcast(FS, p[p3 + j]), a3);
                }
                int o = oo + i0 * os + c;
                NEG_ZERO.add(a0).intoArray(out, o);
                if (n > 1) {
                    NEG_ZERO.add(a1).intoArray(out, o + os);
                }
                if (n > 2) {
                    NEG_ZERO.add(a2).intoArray(out, o + 2 * os);
                }
                if (n > 3) {
                    NEG_ZERO.add(a3).intoArray(out, o + 3 * os);
                }
            }
        }
    }

    private static void sum1(float[] p, int po, int n, MemorySegment v, boolean half, long vo, long stride,
                             float[] out, int o) {
        FloatVector a = FloatVector.zero(FS);
        for (int j = 0; j < n; j++) {
            FloatVector vv;
            if (half) { // VectorShapes.loadF16 written out (see the class comment)
                IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, v, 2 * (vo + j * stride), LE)
                        .convertShape(VectorOperators.S2I, IS, 0);
                IntVector em = h.and(0x7FFF);
                IntVector sh = em.lanewise(VectorOperators.LSHL, 13);
                IntVector bits = ((IntVector) ((FloatVector) sh.reinterpretShape(FS, 0)).mul(TWO_POW_112).reinterpretShape(IS, 0))
                        .blend(sh.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00));
                vv = (FloatVector) bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretShape(FS, 0);
            } else {
                vv = FloatVector.fromMemorySegment(FS, v, 4 * (vo + j * stride), LE);
            }
            a = vv.fma(FloatVector.broadcast(FS, p[po + j]), a);
        }
        NEG_ZERO.add(a).intoArray(out, o);
    }

    /**
     * Four consecutive queries: each value {@code j < n0 + 3} is loaded once for the queries that see it (query
     * {@code i} sees {@code n0 + i}), each chain in ascending {@code j}. One load site in one loop: C2 inlines a load
     * only where it is hot, and a load left out of line returns a boxed vector (allocation on every call).
     */
    private static void sum4(float[] p, int po, int ps, int n0, MemorySegment v, boolean half, long vo, long stride,
                             float[] out, int o, int os) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int j = 0; j < n0 + 3; j++) {
            FloatVector vv;
            if (half) { // VectorShapes.loadF16 written out (see the class comment)
                IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, v, 2 * (vo + j * stride), LE)
                        .convertShape(VectorOperators.S2I, IS, 0);
                IntVector em = h.and(0x7FFF);
                IntVector sh = em.lanewise(VectorOperators.LSHL, 13);
                IntVector bits = ((IntVector) ((FloatVector) sh.reinterpretShape(FS, 0)).mul(TWO_POW_112).reinterpretShape(IS, 0))
                        .blend(sh.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00));
                vv = (FloatVector) bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretShape(FS, 0);
            } else {
                vv = FloatVector.fromMemorySegment(FS, v, 4 * (vo + j * stride), LE);
            }
            if (j < n0) {
                a0 = vv.fma(FloatVector.broadcast(FS, p[po + j]), a0);
            }
            if (j < n0 + 1) {
                a1 = vv.fma(FloatVector.broadcast(FS, p[po + ps + j]), a1);
            }
            if (j < n0 + 2) {
                a2 = vv.fma(FloatVector.broadcast(FS, p[po + 2 * ps + j]), a2);
            }
            a3 = vv.fma(FloatVector.broadcast(FS, p[po + 3 * ps + j]), a3);
        }
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
            FloatVector scale = (FloatVector) ((IntVector) t.reinterpretShape(IS, 0)).sub(SoftmaxExp.ROUND_BITS - 127)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretShape(FS, 0);
            y.mul(scale).intoArray(s, off + j);
        }
        for (; j < n; j++) {
            s[off + j] = SoftmaxExp.exp(s[off + j] - max);
        }
    }
}
