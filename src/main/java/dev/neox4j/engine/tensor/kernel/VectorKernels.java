package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.Q4_0Pairs;
import dev.neox4j.engine.tensor.WeightLayout;
import dev.neox4j.engine.tensor.WeightMatrix;

import java.lang.foreign.MemorySegment;

/**
 * Vector API kernels (jdk.incubator.vector) for every supported weight type, written once against the preferred
 * species ({@link VectorShapes}). Weights are read straight from the (mapped) segment; activations are
 * converted once per matmul ({@link VectorActivationQuantizer}, identical to the scalar conversion).
 *
 * <p>One activation row (decode): each weight row goes through its type's direct kernel ({@link RowDot#dot1}).
 * Several rows (prefill, batched decode): a tile of weight rows (about 256 KB of floats, L2-resident) is decoded
 * once into exact floats ({@link RowDot#decode}), then the activation rows run over it: 4x4 register tiles for
 * the float types ({@link DecodedDots#tile4x4}); for the block types groups of four activation rows, two weight
 * rows at a time ({@link DecodedDots#dot2x4}), the rest one by one. Each single dot product performs the same
 * floating-point operations in the same order on either path, whatever the batch size, the group it falls in and
 * the row range a thread was given, so results are batch and thread-count invariant.
 *
 * <p>Prompt rows ({@link Activations#markPromptRows}) of the block types without an additive min (all but
 * Q4_1/Q5_1, whose f16-rounded activation block sums the float path would not reproduce) take a faster path, a
 * register-blocked matrix product over a tile of weight rows (about 1 MB of decoded floats) and the prompt rows
 * transposed once per matmul into panels ({@link Activations#promptPanels()}): Q4_0 in 16-bit integer lanes,
 * exact block sums scaled per block ({@link PromptTilesInt16}); the others with the tile dequantized to float
 * weights ({@link Decoded#dequantize}) times the dequantized 8-bit activations, one FMA chain per result
 * ({@link PromptTiles}). Their rounding differs from the generated rows' path by float rounding only, and a prompt
 * row's result never depends on the other rows of the batch or on the row split, so prompts stay batch and
 * thread-count invariant too.
 *
 * <p>Small batches (2-4) of generated rows go through the types' direct multi-row kernels ({@link RowDot#dotN})
 * where a type has one that beats the decoded tile (Q4_0, Q8_0, Q4_K, Q5_K, Q6_K); each result equals the
 * single-row kernel's.
 */
public final class VectorKernels implements MatmulKernels {

    /** Decoded floats per row tile (kept in L2 while the activation groups stream past). */
    private static final int TILE_FLOATS = 64 * 1024;

    /**
     * Decoded floats per row tile when prompt rows take part: the prompt tiles read a column block of the tile at
     * a time, so the tile may outgrow L2; more rows per tile mean fewer passes of the prompt panels.
     */
    private static final int PROMPT_TILE_FLOATS = 256 * 1024;

    /**
     * Up to this many generated rows (no prompt rows) of a type with a multi-row kernel skip the decoded tile: 3-4
     * go through {@link RowDot#dotN}, 2 through {@link RowDot#dot1} each (small decode batches of concurrent
     * streams).
     */
    static final int DIRECT_MAX_BATCH = 4;

    /**
     * With 8 float lanes (AVX2), up to this many generated rows of a type without a multi-row kernel go through
     * {@link RowDot#dot1} each instead of the decoded tile: per weight row, 2 rows cost 1/3 of the tile's time and
     * 3 rows 2/3 (a 2048 x 2048 matrix on one core, Q4_0, Q8_0, Q4_K and Q6_K alike, before they had multi-row
     * kernels at 8 lanes); at 4 rows the two are even. The direct kernel and the tile give the same bits, so this
     * changes only the speed.
     */
    static final int DOT1_MAX_BATCH_NARROW = 3;

    /** Per-thread decode tile and reduction scratch. */
    private static final ThreadLocal<Decoded> WORKSPACE = ThreadLocal.withInitial(Decoded::new);

    /** Creates the kernels; requires the {@code jdk.incubator.vector} module. */
    public VectorKernels() {
    }

    @Override
    public String name() {
        return "vector-" + VectorShapes.FS.vectorBitSize();
    }

    @Override
    public AttentionDots newAttentionDots() {
        return new VectorAttentionDots();
    }

    @Override
    public Activations newActivations() {
        return new Activations();
    }

    @Override
    public void quantize(float[] x, int xOffset, int rows, int cols, ActivationFormat format, Activations dst) {
        VectorActivationQuantizer.quantize(x, xOffset, rows, cols, format, dst);
    }

    /**
     * Q4_0 matrices are repacked into the {@link WeightLayout#Q4_0_PAIRS} layout when asked
     * ({@code -Dneox4j.kernels.q4-pairs=true}, see {@link VectorQ4Pairs#ENABLED}); else every matrix keeps the file's
     * layout.
     */
    @Override
    public WeightMatrix prepare(WeightMatrix w, ParallelFor pool) {
        return VectorQ4Pairs.ENABLED ? pairs(w, pool) : w;
    }

    /**
     * {@code w} repacked into the {@link WeightLayout#Q4_0_PAIRS} layout where this machine has 16 float lanes and
     * {@code w} is Q4_0 in the file's layout, else {@code w} itself (what {@link #prepare} does when the repack is
     * on; the tests call it to check the pair kernels whatever the setting).
     */
    static WeightMatrix pairs(WeightMatrix w, ParallelFor pool) {
        if (VectorQ4Pairs.AVAILABLE && w.type() == GgmlType.Q4_0 && w.layout() == WeightLayout.GGUF) {
            return Q4_0Pairs.repack(w, pool);
        }
        return w;
    }

    /** The row kernels by weight type ordinal, resolved once from {@link KernelTable}'s vector column. */
    private static final RowDot[] DOTS = new RowDot[GgmlType.values().length];

    static {
        for (GgmlType t : GgmlType.values()) {
            if (KernelTable.has(t)) {
                DOTS[t.ordinal()] = KernelTable.of(t).vector().get();
            }
        }
    }

    /** The dot kernels of weight type {@code t}. */
    static RowDot dots(GgmlType t) {
        RowDot k = DOTS[t.ordinal()];
        if (k == null) {
            throw new IllegalArgumentException("no dot kernel for weight type " + t);
        }
        return k;
    }

    @Override
    public void matmul(WeightMatrix w, Activations a, int rowStart, int rowEnd, float[] out, int outOffset,
                       int outStride) {
        KernelChecks.check(w, a, rowStart, rowEnd, out, outOffset, outStride);
        RowDot k = kernelOf(w);
        int batch = a.rows();
        int kind = k.kind();
        int prompts = promptRows(k, a);
        Decoded dec = WORKSPACE.get();
        dec.reserveBlockScales(4 * (w.cols() / 32)); // the Q4_0 pair kernels' scale products
        if (prompts == 0 && batch == 1) {
            k.matvec(w.data(), w.rowBytes(), w.cols(), a, rowStart, rowEnd, out, outOffset, dec.red);
            return;
        }
        boolean direct = k.multiRow() ? batch <= DIRECT_MAX_BATCH
                : VectorShapes.F == 8 && batch <= DOT1_MAX_BATCH_NARROW;
        if (prompts == 0 && direct) {
            directRun(k, w, a, 0, batch, rowStart, rowEnd, out, outOffset, outStride, dec.red);
            return;
        }
        int cols = w.cols();
        int be = k.blockElems();
        boolean int16 = w.type() == GgmlType.Q4_0 && PromptTilesInt16.ENABLED;
        int tile = prompts > 0 ? promptTileRows(rowEnd - rowStart, cols)
                : Math.max(1, Math.min(rowEnd - rowStart, TILE_FLOATS / Math.max(1, cols)));
        dec.reset(tile, cols, be);
        if (prompts > 0) {
            VectorActivationQuantizer.preparePanels(a, int16 ? VectorActivationQuantizer.QUANT_PANELS
                    : VectorActivationQuantizer.FLOAT_PANELS);
        }
        // Q4_0 in the file's layout with at most DIRECT_MAX_BATCH generated rows beside the prompt rows (a prompt's
        // last token, a few decoding streams): the int16 tiles' quants decoded straight to shorts, the generated
        // rows through the direct row kernels on the file's bytes (same bits as the decoded tile; the tile's rows
        // were just read, so they come from cache). More generated rows read the decoded float quants.
        boolean shortsOnly = int16 && w.layout() == WeightLayout.GGUF && batch - prompts <= DIRECT_MAX_BATCH;
        if (shortsOnly) {
            dec.shortQuants(tile * cols); // grown once here: decodeQ4_0 fills it slot by slot
        }
        for (int r0 = rowStart; r0 < rowEnd; r0 += tile) {
            int r1 = Math.min(rowEnd, r0 + tile);
            for (int r = r0; r < r1; r++) {
                if (shortsOnly) {
                    PromptTilesInt16.decodeQ4_0(w.data(), r * w.rowBytes(), cols, dec, r - r0);
                } else {
                    k.decode(w.data(), r * w.rowBytes(), cols, dec, r - r0);
                }
            }
            if (kind == DecodedDots.FLOAT) {
                tile4x4(dec, a, r1 - r0, batch, kind, be, out, outOffset + r0, outStride);
                continue;
            }
            if (prompts < batch) {
                generatedRows(shortsOnly, k, w, dec, a, prompts, r0, r1, batch, kind, be, out, outOffset, outStride);
            }
            if (prompts > 0 && int16) {
                if (!shortsOnly) {
                    PromptTilesInt16.quantsFromFloats(dec, r1 - r0);
                }
                PromptTilesInt16.multiply(dec, r1 - r0, a, prompts, out, outOffset + r0, outStride);
            } else if (prompts > 0) {
                dec.dequantize(r1 - r0, kind, be);
                PromptTiles.multiply(dec, r1 - r0, a, prompts, out, outOffset + r0, outStride);
            }
        }
    }

    /** Weight rows per decoded tile when prompt rows take part: whole register tiles, about 1 MB of floats. */
    private static int promptTileRows(int rows, int cols) {
        int tile = Math.max(1, Math.min(rows, PROMPT_TILE_FLOATS / Math.max(1, cols)));
        return tile > PromptTiles.ROWS ? tile - tile % PromptTiles.ROWS : tile; // whole register tiles
    }

    /**
     * With prompt rows, a whole prompt tile of weight rows ({@link #promptTileRows}: each tile pass reads the
     * prompt panels once); otherwise 2 (the decoded tile's row pairs; the direct kernels have no unit).
     */
    @Override
    public int rowGrain(WeightMatrix w, Activations a) {
        return promptRows(kernelOf(w), a) > 0 ? promptTileRows(w.rows(), w.cols()) : 2;
    }

    /** The row kernels that read {@code w}: by its layout, else by its weight type. */
    private static RowDot kernelOf(WeightMatrix w) {
        return w.layout() == WeightLayout.Q4_0_PAIRS ? VectorQ4Pairs.ROW_DOT : dots(w.type());
    }

    /**
     * How many of {@code a}'s rows take the prompt tiles with kernel {@code k}: the marked prompt rows, or none for
     * the float types and the types with an additive min (their tile path serves every row).
     */
    private static int promptRows(RowDot k, Activations a) {
        int kind = k.kind();
        return kind == DecodedDots.FLOAT || kind == DecodedDots.ADD_MIN ? 0 : a.promptRowCount();
    }

    /**
     * The exact integer-block-sum dots of every activation row except the first {@code prompts} prompt rows with
     * weight rows {@code [r0, r1)}, run by run of consecutive such rows: with {@code direct}, through the row
     * kernels on the weights' own bytes ({@link #directRun}), else with the decoded tile ({@link #decodedRun}). Each
     * result is the bits a decode step gives the same row.
     */
    private static void generatedRows(boolean direct, RowDot k, WeightMatrix w, Decoded dec, Activations a,
                                      int prompts, int r0, int r1, int batch, int kind, int be, float[] out,
                                      int outOffset, int outStride) {
        int p = 0; // next of the first `prompts` prompt rows (the ones computed elsewhere)
        int b = 0;
        while (b < batch) {
            int nextPrompt = p < prompts ? a.promptRow(p) : batch;
            if (b == nextPrompt) {
                b++;
                p++;
                continue;
            }
            // [b, nextPrompt) holds no prompt row
            if (direct) {
                directRun(k, w, a, b, nextPrompt, r0, r1, out, outOffset, outStride, dec.red);
            } else {
                decodedRun(dec, a, b, nextPrompt, r0, r1, kind, be, out, outOffset, outStride);
            }
            b = nextPrompt;
        }
    }

    /**
     * Activation rows {@code [b0, b1)} (none a prompt row) with weight rows {@code [r0, r1)} through the row kernels:
     * {@link RowDot#dotN} for a run of 3-4 rows, else {@link RowDot#dot1} per row. Small decode batches take it
     * whole, a batch with prompt rows stretch by stretch ({@link #generatedRows}).
     */
    private static void directRun(RowDot k, WeightMatrix w, Activations a, int b0, int b1, int r0, int r1,
                                  float[] out, int outOffset, int outStride, float[] red) {
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes();
        int cols = w.cols();
        int n = b1 - b0;
        for (int r = r0; r < r1; r++) {
            if (n >= 3 && k.multiRow()) {
                k.dotN(seg, r * rowBytes, cols, a, b0, n, out, outOffset + b0 * outStride + r, outStride, red);
            } else {
                for (int b = b0; b < b1; b++) {
                    out[outOffset + b * outStride + r] = k.dot1(seg, r * rowBytes, cols, a, b, red);
                }
            }
        }
    }

    /**
     * Activation rows {@code [b0, b1)} (none a prompt row) with the decoded tile of weight rows {@code [r0, r1)}: in
     * groups of four, two weight rows at a time, the rest one by one (each result is the same in any group).
     */
    private static void decodedRun(Decoded dec, Activations a, int b0, int b1, int r0, int r1, int kind, int be,
                                   float[] out, int outOffset, int outStride) {
        int b = b0;
        for (; b + 4 <= b1; b += 4) {
            int r = r0;
            for (; r + 2 <= r1; r += 2) {
                DecodedDots.dot2x4(dec, r - r0, a, b, kind, be, out, outOffset + b * outStride + r, outStride);
            }
            if (r < r1) {
                DecodedDots.dot4(dec, r - r0, a, b, kind, be, out, outOffset + b * outStride + r, outStride);
            }
        }
        for (; b < b1; b++) {
            for (int r = r0; r < r1; r++) {
                out[outOffset + b * outStride + r] = DecodedDots.dot1(dec, r - r0, a, b, kind, be);
            }
        }
    }

    /** Runs {@link DecodedDots#tile4x4} over {@code n} decoded rows and all activation rows (partial tiles padded). */
    private static void tile4x4(Decoded dec, Activations a, int n, int batch, int kind, int be, float[] out, int o,
                                int stride) {
        for (int b = 0; b < batch; b += 4) {
            int na = Math.min(4, batch - b);
            int b1 = b + Math.min(1, na - 1);
            int b2 = b + Math.min(2, na - 1);
            int b3 = b + Math.min(3, na - 1);
            for (int s = 0; s < n; s += 4) {
                int nr = Math.min(4, n - s);
                DecodedDots.tile4x4(dec, s, s + Math.min(1, nr - 1), s + Math.min(2, nr - 1), s + Math.min(3, nr - 1),
                        nr, a, b, b1, b2, b3, na, kind, be, out, o, stride);
            }
        }
    }
}
