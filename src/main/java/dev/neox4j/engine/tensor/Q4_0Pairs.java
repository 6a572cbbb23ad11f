package dev.neox4j.engine.tensor;

import static dev.neox4j.engine.tensor.QuantMath.BYTE;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.Arena;
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
        for (int blk = 0; blk < nb; blk++) {
            int b = blk * Q4_0Codec.BLOCK_BYTES;
            int sc = scale(nb, blk);
            dst[sc] = src[b + Q4_0Codec.D];
            dst[sc + 1] = src[b + Q4_0Codec.D + 1];
            for (int i = 0; i < 16; i++) {
                dst[quantByte(nb, blk, i)] = src[b + Q4_0Codec.QS + i];
            }
        }
    }

    /**
     * {@code w} (Q4_0, GGUF layout) copied into the pair layout, its rows split over {@code pool}. The copy lives
     * off the heap until it is no longer reachable; the pages of the source are then released from this process
     * ({@link MemorySegment#unload()} when it is a mapped file), so resident memory does not grow.
     */
    public static WeightMatrix repack(WeightMatrix w, ParallelFor pool) {
        if (w.type() != GgmlType.Q4_0 || w.layout() != WeightLayout.GGUF) {
            throw new IllegalArgumentException(w.name() + ": not a Q4_0 matrix in GGUF layout");
        }
        long rowBytes = w.rowBytes();
        MemorySegment src = w.data();
        MemorySegment dst = Arena.ofAuto().allocate(rowBytes * w.rows(), 64);
        int nb = w.cols() / Q4_0Codec.BLOCK_ELEMS;
        pool.run(w.rows(), (start, end) -> {
            byte[] in = new byte[(int) rowBytes];
            byte[] out = new byte[(int) rowBytes];
            for (int r = start; r < end; r++) {
                MemorySegment.copy(src, BYTE, r * rowBytes, in, 0, in.length);
                repackRow(in, out, nb);
                MemorySegment.copy(out, 0, dst, BYTE, r * rowBytes, out.length);
            }
        });
        if (src.isMapped()) {
            src.asSlice(0, rowBytes * w.rows()).unload();
        }
        return new WeightMatrix(w.name(), w.type(), dst, w.rows(), w.cols(), WeightLayout.Q4_0_PAIRS);
    }
}
