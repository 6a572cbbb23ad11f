package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * One tensor of the GGUF model being built, and where its values come from: {@code rows} source rows of
 * {@code cols} elements of {@code type} starting at {@code fileOffset} in {@code file} (also mapped as
 * {@code mapped}). {@code runs} lists, in destination order, pairs {@code (first source row, row count)}; it is
 * {@code null} when the rows are taken in order. This is how the fused QKV of a transformers checkpoint is
 * de-interleaved without a copy of the whole tensor.
 *
 * @param name       GGUF tensor name
 * @param ne         GGUF shape (innermost first)
 * @param type       element type of the source bytes
 * @param mapped     the source bytes (a slice of a mapped file)
 * @param file       the file holding them (read with positional reads when the tensor must be converted)
 * @param fileOffset absolute offset of the first source byte in {@code file}
 * @param rows       rows of the source view
 * @param cols       elements per row of the source view ({@code rows * cols} = the tensor's elements)
 * @param runs       destination-ordered {@code (first row, count)} pairs, or {@code null} for identity
 */
record SourceTensor(String name, long[] ne, GgmlType type, MemorySegment mapped, Path file, long fileOffset,
                    long rows, long cols, long[] runs) {

    SourceTensor {
        ne = ne.clone();
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** Number of GGUF dimensions. */
    int nDims() {
        return ne.length;
    }

    /** Elements of the tensor. */
    long elements() {
        return rows * cols;
    }

    /** Bytes of one source row. */
    long rowBytes() {
        return type.bytesFor(cols);
    }

    /** The destination-ordered runs ({@code [0, rows)} when the rows stay in order). */
    long[] runsOrIdentity() {
        return runs == null ? new long[] {0, rows} : runs.clone();
    }

    /**
     * The runs that de-interleave a fused QKV of {@code heads} heads of {@code headDim} rows each: transformers
     * stores rows as {@code [head][q, k, v][head_dim]}, the engine (and GGUF) as {@code [q, k, v][head][head_dim]}.
     * Destination row {@code j*E + h*hd + d} is source row {@code h*3*hd + j*hd + d}.
     */
    static long[] qkvRuns(int heads, int headDim) {
        long[] runs = new long[2 * 3 * heads];
        int k = 0;
        for (int j = 0; j < 3; j++) {
            for (int h = 0; h < heads; h++) {
                runs[k++] = (long) h * 3 * headDim + (long) j * headDim;
                runs[k++] = headDim;
            }
        }
        return runs;
    }
}
