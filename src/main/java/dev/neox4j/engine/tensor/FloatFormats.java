package dev.neox4j.engine.tensor;

/**
 * Conversions between float32 and the 16-bit float formats used by ggml (docs/quantization.md, "Reading the formulas"):
 * IEEE binary16 ("f16") and bfloat16 ("bf16"). All conversions to 16 bits round to nearest, ties to even.
 */
public final class FloatFormats {

    private FloatFormats() {
    }

    /** f16 bits to float; exact for every value including subnormals, infinities and NaN. */
    public static float f16ToF32(short h) {
        return Float.float16ToFloat(h);
    }

    /**
     * float to f16 bits, round to nearest even, overflow to infinity. NaN keeps its sign and the top payload
     * bits and is forced quiet, as the x86 F16C instruction does.
     */
    public static short f32ToF16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) (((u >>> 16) & 0x8000) | 0x7e00 | ((u >>> 13) & 0x3ff));
        }
        return Float.floatToFloat16(f);
    }

    /** Rounds a float to the nearest f16 value and returns it as a float. */
    public static float roundToF16(float f) {
        return Float.float16ToFloat(f32ToF16(f));
    }

    /** bf16 bits to float (exact). */
    public static float bf16ToF32(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /** float to bf16 bits as llama.cpp does it: NaN forced quiet, otherwise round to nearest even. */
    public static short f32ToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 0x40);
        }
        return (short) ((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16);
    }

    /** Rounds a float to the nearest bf16 value and returns it as a float. */
    public static float roundToBf16(float f) {
        return bf16ToF32(f32ToBf16(f));
    }
}
