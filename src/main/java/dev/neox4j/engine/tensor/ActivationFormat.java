package dev.neox4j.engine.tensor;

/**
 * The format an activation row is converted to before it meets a weight type's dot kernel, exactly as
 * llama.cpp's CPU backend does it (docs/quantization.md, "Activation formats"). Using the same format is what makes
 * neox4j's numbers match llama.cpp's.
 */
public enum ActivationFormat {
    /** No conversion (F32 weights). */
    F32(1),
    /** Rounded to IEEE half (F16 weights). */
    F16(1),
    /** Rounded to bfloat16 (BF16 weights). */
    BF16(1),
    /** 8-bit blocks of 32 with an f16 scale (Q4_0, Q5_0, Q8_0 weights). */
    Q8_0(32),
    /** Q8_0 plus the f16-rounded block sum (Q4_1, Q5_1 weights). */
    Q8_1(32),
    /** 8-bit blocks of 256 with an f32 scale and 16 partial sums (all K-quant weights). */
    Q8_K(256);

    /** Elements per block (1 for the float formats). */
    public final int blockElems;

    ActivationFormat(int blockElems) {
        this.blockElems = blockElems;
    }
}
