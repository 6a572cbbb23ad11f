package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.Arena;
import java.lang.ref.Cleaner;
import java.lang.foreign.MemorySegment;

/**
 * The {@link WeightLayout#Q4_0_PAIRS} layout of a Q4_0 row of {@code nb} blocks (docs/quantization.md, "Q4_0 pair
 * layout"), the same {@code 18 * nb} bytes as in GGUF, rearranged so that a 512-bit kernel expands two blocks with
 * one load and one zero-extension and reads the scales as a vector:
 * <ul>
 *   <li>bytes {@code [32p, 32p + 32)}, for each pair {@code p < nb / 2} of blocks {@code A = 2p}, {@code B = 2p + 1}:
 *       byte {@code 2i} is quant byte {@code i} of A, byte {@code 2i + 1} quant byte {@code i} of B
 *       ({@code i < 16}; each byte holds element {@code i} in its low and {@code 16 + i} in its high nibble);</li>
 *   <li>for an odd {@code nb}, the last block's 16 quant bytes as they are, from {@code 32 * (nb / 2)};</li>
 *   <li>bytes {@code [16 nb, 18 nb)}: the f16 scales of the blocks in order.</li>
 * </ul>
 * The values are unchanged (the f16 scales are copied, not converted), so every kernel computes the same numbers
 * from either layout.
 */
public final class Q4_0Pairs {

    /** Frees each repacked copy once its matrix is unreachable (one daemon thread for the process). */
    private static final Cleaner CLEANER = Cleaner.create();

    private Q4_0Pairs() {
    }

    /** Offset, within a row of {@code nb} blocks, of quant byte {@code i} of block {@code blk}. */
    public static int quantByte(int nb, int blk, int i) {
        return blk < (nb & ~1) ? 32 * (blk >> 1) + 2 * i + (blk & 1) : 32 * (nb >> 1) + i;
    }

    /** Offset, within a row of {@code nb} blocks, of the f16 scale of block {@code blk}. */
    public static int scale(int nb, int blk) {
        return 16 * nb + 2 * blk;
    }

    /** Rewrites the GGUF Q4_0 row of {@code nb} blocks in {@code src} into the pair layout in {@code dst}. */
    public static void repackRow(byte[] src, byte[] dst, int nb) {
        int pairs = nb / 2;
        for (int p = 0; p < pairs; p++) {
            int a = 2 * p * Q4_0Codec.BLOCK_BYTES + Q4_0Codec.QS;
            int b = a + Q4_0Codec.BLOCK_BYTES;
            int o = 32 * p;
            for (int i = 0; i < 16; i++) {
                dst[o + 2 * i] = src[a + i];
                dst[o + 2 * i + 1] = src[b + i];
            }
        }
        if ((nb & 1) != 0) {
            System.arraycopy(src, (nb - 1) * Q4_0Codec.BLOCK_BYTES + Q4_0Codec.QS, dst, 32 * pairs, 16);
        }
        int sc = scale(nb, 0);
        for (int blk = 0; blk < nb; blk++) {
            dst[sc + 2 * blk] = src[blk * Q4_0Codec.BLOCK_BYTES + Q4_0Codec.D];
            dst[sc + 2 * blk + 1] = src[blk * Q4_0Codec.BLOCK_BYTES + Q4_0Codec.D + 1];
        }
    }

    /**
     * {@code w} (Q4_0, GGUF layout) copied into the pair layout, its rows split over {@code pool}. The copy lives
     * off the heap until it is no longer reachable; whoever owns the source releases its pages once the copy
     * replaces it (the model does, {@code NeoxModel.withMatrices}), so resident memory does not grow. Returns
     * {@code w} itself when the copy cannot be allocated.
     *
     * <p>The copy comes from a shared arena closed by a {@link Cleaner} once the returned matrix is unreachable, not
     * from {@code Arena.ofAuto()}: automatic arenas count against the JVM's direct-memory limit (by default the
     * maximum heap, 10 % of the memory with the recommended options), which a 12b model's 6 GB of Q4_0 weights
     * exceed; shared arenas do not (measured on JDK 25: {@code -XX:MaxDirectMemorySize=64m} refuses a 200 MB
     * automatic allocation and grants a shared one).
     */
    public static WeightMatrix repack(WeightMatrix w, ParallelFor pool) {
        if (w.type() != GgmlType.Q4_0 || w.layout() != WeightLayout.GGUF) {
            throw new IllegalArgumentException(w.name() + ": not a Q4_0 matrix in GGUF layout");
        }
        long rowBytes = w.rowBytes();
        MemorySegment src = w.data();
        Arena arena = Arena.ofShared();
        MemorySegment dst;
        try {
            dst = NativeMemory.allocate(arena, rowBytes * w.rows()); // first touched by the workers below
        } catch (OutOfMemoryError e) {
            arena.close();
            return w;
        }
        int nb = w.cols() / Q4_0Codec.BLOCK_ELEMS;
        pool.run(w.rows(), (start, end) -> {
            // the kernel commits this worker's pages in one call, ~18x cheaper here than faulting them in by the copy
            NativeMemory.populate(dst.asSlice(start * rowBytes, (end - start) * rowBytes));
            byte[] in = new byte[(int) rowBytes];
            byte[] out = new byte[(int) rowBytes];
            for (int r = start; r < end; r++) {
                MemorySegment.copy(src, BYTE, r * rowBytes, in, 0, in.length);
                repackRow(in, out, nb);
                MemorySegment.copy(out, 0, dst, BYTE, r * rowBytes, out.length);
            }
        });
        WeightMatrix repacked = new WeightMatrix(w.name(), w.type(), dst, w.rows(), w.cols(), WeightLayout.Q4_0_PAIRS);
        CLEANER.register(repacked, arena::close);
        return repacked;
    }
}
