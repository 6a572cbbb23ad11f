package dev.neox4j.engine.gguf;

/**
 * ggml tensor element types as stored in GGUF tensor-info records (docs/gguf.md, "Tensor types").
 *
 * <p>Block geometry lives in this one table: {@code blockElems} elements are stored in {@code blockBytes}
 * bytes. A row of {@code n} elements of a block type occupies {@code n / blockElems * blockBytes} bytes.
 * Types that llama.cpp removed or that neox4j cannot compute with are still listed so that the reader can
 * name them in its error message.
 */
public enum GgmlType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 18, true),
    Q4_1(3, 32, 20, true),
    Q5_0(6, 32, 22, true),
    Q5_1(7, 32, 24, true),
    Q8_0(8, 32, 34, true),
    Q8_1(9, 32, 36, false),
    Q2_K(10, 256, 84, true),
    Q3_K(11, 256, 110, true),
    Q4_K(12, 256, 144, true),
    Q5_K(13, 256, 176, true),
    Q6_K(14, 256, 210, true),
    Q8_K(15, 256, 292, false),
    IQ2_XXS(16, 256, 66, false),
    IQ2_XS(17, 256, 74, false),
    IQ3_XXS(18, 256, 98, false),
    IQ1_S(19, 256, 50, false),
    IQ4_NL(20, 32, 18, false),
    IQ3_S(21, 256, 110, false),
    IQ2_S(22, 256, 82, false),
    IQ4_XS(23, 256, 136, false),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    IQ1_M(29, 256, 56, false),
    BF16(30, 1, 2, true),
    TQ1_0(34, 256, 54, false),
    TQ2_0(35, 256, 66, false);

    /** Type id as written in GGUF. */
    public final int id;
    /** Elements per block (1 for plain float/int types). */
    public final int blockElems;
    /** Bytes per block. */
    public final int blockBytes;
    /** Whether neox4j can hold model weights of this type (dequantize and dot). */
    public final boolean supported;

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    GgmlType(int id, int blockElems, int blockBytes, boolean supported) {
        this.id = id;
        this.blockElems = blockElems;
        this.blockBytes = blockBytes;
        this.supported = supported;
    }

    /** The type with this id, or {@code null} for removed (4, 5, 31-33, 36-38) or unknown ids. */
    public static GgmlType byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** Whether this type is a block-quantized type (more than one element per block). */
    public boolean isQuantized() {
        return blockElems > 1;
    }

    /**
     * Bytes taken by {@code elements} elements of this type.
     *
     * @throws IllegalArgumentException if {@code elements} is not a multiple of the block size
     * @throws ArithmeticException on overflow
     */
    public long bytesFor(long elements) {
        if (elements % blockElems != 0) {
            throw new IllegalArgumentException(
                    elements + " elements is not a multiple of the " + name() + " block size " + blockElems);
        }
        return Math.multiplyExact(elements / blockElems, (long) blockBytes);
    }
}
