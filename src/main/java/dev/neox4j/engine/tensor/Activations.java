package dev.neox4j.engine.tensor;

import java.util.Objects;

/**
 * Activation rows converted to an {@link ActivationFormat}, produced once per matmul and read by every
 * output row's dot product. Reused across calls (grows, never shrinks).
 *
 * <p>Layout, chosen so that dot kernels need no integer unpacking of the activation side:
 * <ul>
 *   <li>{@link #values()}: {@code [rows][cols]} floats. For F32 the input itself, for F16/BF16 the input rounded
 *       to that format, for Q8_0/Q8_1/Q8_K the 8-bit quants as exact small integers ({@code -127..127}), in the
 *       natural element order.</li>
 *   <li>{@link #scales()}: {@code [rows][cols / blockElems]}: per block the scale the dot product uses (the
 *       f16-rounded {@code d} for Q8_0/Q8_1, the f32 {@code d} for Q8_K). Empty for the float formats.</li>
 *   <li>{@link #sums()}: Q8_1: {@code [rows][cols / 32]} the f16-rounded {@code s} of each block (as float);
 *       Q8_K: {@code [rows][cols / 16]} the integer {@code bsums} (as exact floats). Empty otherwise.</li>
 *   <li>{@link #shortValues()}: the 8-bit formats' quants again as shorts (integer kernels).</li>
 *   <li>{@link #pairSums()}: Q8_K only, {@code [rows][cols / 32]}: {@code bsums[2k] + bsums[2k+1]}, the integer
 *       sum of each 32-element group (what Q4_K/Q5_K mins multiply). Empty otherwise.</li>
 * </ul>
 * Integer sums over these values are exact in float as long as partial sums stay below 2^24, so float
 * multiply-add kernels reproduce llama.cpp's integer block sums exactly.
 */
public final class Activations {

    private ActivationFormat format = ActivationFormat.F32;
    private int rows;
    private int cols;
    private float[] values = new float[0];
    private float[] scales = new float[0];
    private float[] sums = new float[0];
    private float[] pairSums = new float[0];
    private short[] shortValues = new short[0];
    private short[] q4Pairs = new short[0];
    private int[] promptRows = new int[0];
    private int promptCount;
    private int promptsInShape;
    private final PromptPanels panels = new PromptPanels();

    /** Creates an empty buffer. */
    public Activations() {
    }

    /**
     * Prepares the buffer for {@code rows} rows of {@code cols} columns in {@code format}, growing the arrays
     * if needed. The contents are undefined until the rows are written.
     */
    public void reset(ActivationFormat format, int rows, int cols) {
        Objects.requireNonNull(format, "format");
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
        }
        if (cols % format.blockElems != 0) {
            throw new IllegalArgumentException("row length " + cols + " is not a multiple of the " + format
                    + " block size " + format.blockElems);
        }
        this.format = format;
        this.rows = rows;
        this.cols = cols;
        values = grow(values, Math.multiplyExact(rows, cols));
        scales = grow(scales, Math.multiplyExact(rows, scalesPerRow()));
        sums = grow(sums, Math.multiplyExact(rows, sumsPerRow()));
        pairSums = grow(pairSums, Math.multiplyExact(rows, pairSumsPerRow()));
        if (format.blockElems > 1) {
            shortValues = grow(shortValues, Math.multiplyExact(rows, cols));
        }
        if (format == ActivationFormat.Q8_0) {
            q4Pairs = grow(q4Pairs, Math.multiplyExact(rows, q4PairsPerRow()));
        }
        countPromptsInShape();
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }

    private static short[] grow(short[] a, int n) {
        return a.length >= n ? a : new short[n];
    }

    /** The current format. */
    public ActivationFormat format() {
        return format;
    }

    /** Number of rows. */
    public int rows() {
        return rows;
    }

    /** Elements per row. */
    public int cols() {
        return cols;
    }

    /** Per-element values, {@code [rows][cols]}. */
    public float[] values() {
        return values;
    }

    /**
     * The 8-bit formats' quants as shorts, {@code [rows][cols]} (same order and offsets as {@link #values()}),
     * for integer kernels; filled by the quantizers ({@link #fillShortValues()}).
     */
    public short[] shortValues() {
        return shortValues;
    }

    /** Copies the integer {@link #values()} of the 8-bit formats into {@link #shortValues()}. */
    public void fillShortValues() {
        if (format.blockElems == 1) {
            return;
        }
        int n = rows * cols;
        for (int i = 0; i < n; i++) {
            shortValues[i] = (short) values[i];
        }
        if (format == ActivationFormat.Q8_0) {
            fillQ4Pairs();
        }
    }

    /**
     * {@link #fillShortValues()} for the rows not marked as prompt rows only (the direct row kernels read them beside
     * the prompt tiles); the prompt rows' shorts stay as they were.
     */
    public void fillGeneratedShortValues() {
        if (format.blockElems == 1) {
            return;
        }
        int p = 0;
        for (int r = 0; r < rows; r++) {
            if (p < promptsInShape && promptRows[p] == r) {
                p++;
                continue;
            }
            for (int i = r * cols; i < (r + 1) * cols; i++) {
                shortValues[i] = (short) values[i];
            }
        }
    }

    /**
     * Q8_0 only: the quants rearranged for Q4_0 kernels that expand two consecutive weight blocks A, B into one
     * vector of 32 shorts, lane {@code 2i} holding byte {@code i} of A's quants (elements {@code i} and
     * {@code 16 + i}) and lane {@code 2i + 1} the same byte of B. Per pair of blocks (64 elements) 96 shorts,
     * three groups of 32 in that lane order: {@code y[i]}; {@code y[16 + i] - 16 * y[i]}; the correction
     * {@code 8 * (y[i] + y[16 + i])}. With {@code q} a whole quant byte ({@code 0..255}) and {@code h = q >>> 4},
     * {@code q * g0 + h * g1 - g2 = (lo - 8) * y[i] + (hi - 8) * y[16 + i]}: the exact integer a Q4_0 block
     * contributes to lane {@code i}, also when the 16-bit intermediate sums wrap. {@code [rows][q4PairsPerRow()]};
     * an odd last block of a row has no entry.
     */
    public short[] q4Pairs() {
        return q4Pairs;
    }

    /** Shorts of {@link #q4Pairs()} per row: 96 per pair of 32-element blocks. */
    public int q4PairsPerRow() {
        return format == ActivationFormat.Q8_0 ? cols / 64 * 96 : 0;
    }

    /** Index of row {@code r}'s first entry in {@link #q4Pairs()}. */
    public int q4PairsOffset(int r) {
        return r * q4PairsPerRow();
    }

    private void fillQ4Pairs() {
        int per = q4PairsPerRow();
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < cols / 64; p++) {
                int dst = r * per + 96 * p;
                int src = r * cols + 64 * p;
                for (int blk = 0; blk < 2; blk++) {
                    int e = src + 32 * blk;
                    for (int i = 0; i < 16; i++) {
                        int lo = shortValues[e + i];
                        int hi = shortValues[e + 16 + i];
                        int lane = 2 * i + blk;
                        q4Pairs[dst + lane] = (short) lo;
                        q4Pairs[dst + 32 + lane] = (short) (hi - 16 * lo);
                        q4Pairs[dst + 64 + lane] = (short) (8 * (lo + hi));
                    }
                }
            }
        }
    }

    /**
     * Marks which of the next {@link #reset}'s rows are prompt rows: {@code flags[r]} for {@code r < n}. Kernels
     * may evaluate prompt rows on a faster path with a different (still llama.cpp-faithful) rounding, as long as a
     * row's result never depends on the other rows; other rows keep the exact integer block sums, so a generated
     * token computes the same whether it is alone or batched. Stays in force until marked again.
     */
    public void markPromptRows(boolean[] flags, int n) {
        if (promptRows.length < n) {
            promptRows = new int[Math.max(n, 2 * promptRows.length)];
        }
        int c = 0;
        for (int r = 0; r < n; r++) {
            if (flags[r]) {
                promptRows[c++] = r;
            }
        }
        promptCount = c;
        countPromptsInShape();
    }

    /**
     * Number of marked prompt rows ({@link #markPromptRows}) among the current {@link #rows()}: marks beyond the
     * current shape are ignored.
     */
    public int promptRowCount() {
        return promptsInShape;
    }

    /** Recomputes {@link #promptRowCount()} after the marks or the shape changed. */
    private void countPromptsInShape() {
        int n = 0;
        while (n < promptCount && promptRows[n] < rows) {
            n++;
        }
        promptsInShape = n;
    }

    /** The {@code k}-th prompt row's index, ascending in {@code k}. */
    public int promptRow(int k) {
        return promptRows[k];
    }

    /**
     * The marked prompt rows rearranged for the Vector API family's prompt tiles; filled by its quantizer when
     * prompt rows are marked and the format is an 8-bit one.
     */
    public PromptPanels promptPanels() {
        return panels;
    }

    /** Index of row {@code r}'s first value. */
    public int valuesOffset(int r) {
        return r * cols;
    }

    /** Per-block scales, {@code [rows][scalesPerRow()]}. */
    public float[] scales() {
        return scales;
    }

    /** Scales per row: {@code cols / blockElems} for the 8-bit formats, 0 for the float formats. */
    public int scalesPerRow() {
        return format.blockElems > 1 ? cols / format.blockElems : 0;
    }

    /** Index of row {@code r}'s first scale. */
    public int scalesOffset(int r) {
        return r * scalesPerRow();
    }

    /** Q8_1 block sums or Q8_K 16-element bsums, {@code [rows][sumsPerRow()]}. */
    public float[] sums() {
        return sums;
    }

    /** Sums per row: {@code cols / 32} for Q8_1, {@code cols / 16} for Q8_K, 0 otherwise. */
    public int sumsPerRow() {
        return switch (format) {
            case Q8_1 -> cols / 32;
            case Q8_K -> cols / 16;
            default -> 0;
        };
    }

    /** Index of row {@code r}'s first sum. */
    public int sumsOffset(int r) {
        return r * sumsPerRow();
    }

    /** Q8_K sums of 32-element groups, {@code [rows][pairSumsPerRow()]}. */
    public float[] pairSums() {
        return pairSums;
    }

    /** Pair sums per row: {@code cols / 32} for Q8_K, 0 otherwise. */
    public int pairSumsPerRow() {
        return format == ActivationFormat.Q8_K ? cols / 32 : 0;
    }

    /** Index of row {@code r}'s first pair sum. */
    public int pairSumsOffset(int r) {
        return r * pairSumsPerRow();
    }
}
