package dev.neox4j.engine.tensor.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The vector shapes every Vector API kernel is written against, once: {@code F} float lanes of the preferred
 * species (16 with AVX-512, 8 with AVX2) and the byte/short/int species with the same lane count, so that
 * {@code F} weight bytes or halves convert to exactly one float vector. Also the deterministic horizontal sum.
 */
final class VectorShapes {

    static {
        // before any vector kernel runs: they compile in the foreground (ForegroundCompilation explains why)
        ForegroundCompilation.ensureInstalled();
    }

    /** Float species used by all kernels. */
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    /** Float lanes. */
    static final int F = FS.length();
    /** Bytes with {@code F} lanes. */
    static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(F * 8));
    /** Shorts with {@code F} lanes. */
    static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, VectorShape.forBitSize(F * 16));
    /** Ints with {@code F} lanes. */
    static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, VectorShape.forBitSize(F * 32));
    /** Ints in the shape of {@link #BS} ({@code F / 4} lanes): byte vectors shifted inside 32-bit lanes. */
    static final VectorSpecies<Integer> IB = VectorSpecies.of(int.class, VectorShape.forBitSize(F * 8));
    /** Bytes with {@code 2F} lanes (half the bits of a float vector): weight bytes widened to {@link #SS2}. */
    static final VectorSpecies<Byte> BS2 = VectorSpecies.of(byte.class, VectorShape.forBitSize(F * 16));
    /** Shorts with {@code 2F} lanes (twice the bits of a float vector): 16-bit products of {@code 2F} weights. */
    static final VectorSpecies<Short> SS2 = VectorSpecies.of(short.class, VectorShape.forBitSize(F * 32));
    /**
     * Swaps the two halves of a {@link #SS2} vector's bits, as a permutation of its {@code F} 32-bit lanes (lane
     * {@code i} takes lane {@code (i + F/2) mod F}): short lane {@code i} of
     * {@code p.reinterpretShape(IS, 0).rearrange(SWAP).reinterpretShape(SS2, 0)} holds short lane
     * {@code (i + F) mod 2F} of {@code p}, so {@code p.add(that)} holds in lanes {@code [0, F)} the sums of the lanes
     * {@code i} and {@code i + F}, the elements that share float lane {@code i} (one permutation instead of a second
     * widening). Written on 32-bit lanes because that is one {@code vpermd} on every x86 vector width, while a 16-bit
     * permutation is a slow sequence of byte shuffles and blends with AVX2 (which has no {@code vpermw}).
     */
    static final VectorShuffle<Integer> SWAP = VectorShuffle.fromOp(IS, i -> (i + F / 2) % F);
    /** Little-endian, the byte order of GGUF data. */
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** {@code 2^112} in every lane: moves an f16 exponent to a float's (see {@link #loadF16}). */
    static final FloatVector TWO_POW_112 = FloatVector.broadcast(FS, 0x1p112f);
    /** {@code -0.0} in every lane: {@code NEG_ZERO.add(v)} is {@code v} exactly, with a receiver C2 can intrinsify. */
    static final FloatVector NEG_ZERO = FloatVector.broadcast(FS, -0.0f);

    private VectorShapes() {
    }

    /**
     * Sum of the {@code F} lanes stored at {@code r[0..F)} in a fixed pairwise order ({@code lane i + lane i + F/2},
     * then halving). Kernels store their accumulator and call this instead of {@code reduceLanes(ADD)}, whose
     * order is unspecified and may differ between the interpreter and compiled code.
     */
    static float reduce(float[] r) {
        return reduce(r, 0);
    }

    /**
     * {@link #reduce(float[])} of the {@code F} lanes stored at {@code r[off .. off+F)}: the same pairwise tree,
     * written with locals for the common widths (no store-to-load round trips).
     */
    static float reduce(float[] r, int off) {
        if (F == 16) {
            float t0 = r[off] + r[off + 8];
            float t1 = r[off + 1] + r[off + 9];
            float t2 = r[off + 2] + r[off + 10];
            float t3 = r[off + 3] + r[off + 11];
            float t4 = r[off + 4] + r[off + 12];
            float t5 = r[off + 5] + r[off + 13];
            float t6 = r[off + 6] + r[off + 14];
            float t7 = r[off + 7] + r[off + 15];
            float u0 = t0 + t4;
            float u1 = t1 + t5;
            float u2 = t2 + t6;
            float u3 = t3 + t7;
            return (u0 + u2) + (u1 + u3);
        }
        if (F == 8) {
            float u0 = r[off] + r[off + 4];
            float u1 = r[off + 1] + r[off + 5];
            float u2 = r[off + 2] + r[off + 6];
            float u3 = r[off + 3] + r[off + 7];
            return (u0 + u2) + (u1 + u3);
        }
        for (int half = F / 2; half > 0; half /= 2) {
            for (int i = 0; i < half; i++) {
                r[off + i] += r[off + i + half];
            }
        }
        return r[off];
    }

    /**
     * Stores {@code v} into {@code r} and returns {@link #reduce(float[])}. The store goes through
     * {@code -0.0 + v} (exact for every value): a constant receiver lets C2 intrinsify the store even when the
     * static type of {@code v} (a loop phi) is only {@code FloatVector}; without it the vector is boxed.
     */
    static float sum(FloatVector v, float[] r) {
        NEG_ZERO.add(v).intoArray(r, 0);
        return reduce(r);
    }

    /** Broadcast of {@code s}. */
    static FloatVector bc(float s) {
        return FloatVector.broadcast(FS, s);
    }

    /** {@code F} floats of {@code a} from {@code i}. */
    static FloatVector ld(float[] a, int i) {
        return FloatVector.fromArray(FS, a, i);
    }

    /** Shifts all bits of the byte vector right by {@code n} inside 32-bit lanes (callers mask the bytes). */
    static ByteVector shr(ByteVector q, int n) {
        return (ByteVector) ((IntVector) q.reinterpretShape(IB, 0)).lanewise(VectorOperators.LSHR, n).reinterpretShape(BS, 0);
    }

    /** Shifts all bits of the byte vector left by {@code n} inside 32-bit lanes (callers mask the bytes). */
    static ByteVector shl(ByteVector q, int n) {
        return (ByteVector) ((IntVector) q.reinterpretShape(IB, 0)).lanewise(VectorOperators.LSHL, n).reinterpretShape(BS, 0);
    }

    /** {@code F} signed bytes at {@code off} as floats. */
    static FloatVector bytesToFloats(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, FS, 0);
    }

    /** {@code F} signed bytes at {@code off}, sign-extended to shorts. */
    static ShortVector loadBytesAsShorts(MemorySegment s, long off) {
        return (ShortVector) loadBytes(s, off).convertShape(VectorOperators.B2S, SS, 0);
    }

    /** {@code F} shorts of {@code a} from {@code i}. */
    static ShortVector lds(short[] a, int i) {
        return ShortVector.fromArray(SS, a, i);
    }

    /** {@code F} shorts as floats (exact). */
    static FloatVector shortsToFloats(ShortVector v) {
        return (FloatVector) v.convertShape(VectorOperators.S2F, FS, 0);
    }

    /** Loads {@code F} bytes. */
    static ByteVector loadBytes(MemorySegment s, long off) {
        return ByteVector.fromMemorySegment(BS, s, off, LE);
    }

    /** Loads {@code F} little-endian f16 values and converts them exactly to float (subnormals, Inf, NaN). */
    static FloatVector loadF16(MemorySegment s, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, s, off, LE).convertShape(VectorOperators.S2I, IS, 0);
        IntVector em = h.and(0x7FFF);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        FloatVector finite = ((FloatVector) shifted.reinterpretShape(FS, 0)).mul(TWO_POW_112);
        VectorMask<Integer> special = em.compare(VectorOperators.GE, 0x7C00);
        IntVector bits = ((IntVector) finite.reinterpretShape(IS, 0)).blend(shifted.or(0x7F800000), special);
        return (FloatVector) bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretShape(FS, 0);
    }

    /** Loads {@code F} little-endian bf16 values as floats. */
    static FloatVector loadBF16(MemorySegment s, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, s, off, LE).convertShape(VectorOperators.S2I, IS, 0);
        return (FloatVector) h.lanewise(VectorOperators.LSHL, 16).reinterpretShape(FS, 0);
    }

    /** Loads {@code F} little-endian floats. */
    static FloatVector loadF32(MemorySegment s, long off) {
        return FloatVector.fromMemorySegment(FS, s, off, LE);
    }
}
