package dev.neox4j.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neox4j.engine.gguf.GgmlType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

/** f16 and bf16 conversions, including subnormals, infinities and NaN. */
class FloatFormatsTest {

    @Test
    void f16DecodesEveryClass() {
        assertEquals(0f, FloatFormats.f16ToF32((short) 0x0000));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(FloatFormats.f16ToF32((short) 0x8000)));
        assertEquals(1f, FloatFormats.f16ToF32((short) 0x3C00));
        assertEquals(-2f, FloatFormats.f16ToF32((short) 0xC000));
        assertEquals(65504f, FloatFormats.f16ToF32((short) 0x7BFF));
        assertEquals(0x1p-24f, FloatFormats.f16ToF32((short) 0x0001)); // smallest subnormal
        assertEquals(0x3FFp-24f, FloatFormats.f16ToF32((short) 0x03FF)); // largest subnormal
        assertEquals(0x1p-14f, FloatFormats.f16ToF32((short) 0x0400)); // smallest normal
        assertEquals(Float.POSITIVE_INFINITY, FloatFormats.f16ToF32((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, FloatFormats.f16ToF32((short) 0xFC00));
        assertTrue(Float.isNaN(FloatFormats.f16ToF32((short) 0x7E00)));
        assertTrue(Float.isNaN(FloatFormats.f16ToF32((short) 0x7C01)));
    }

    @Test
    void f16RoundTripsEveryValue() {
        for (int h = 0; h < 0x10000; h++) {
            float f = FloatFormats.f16ToF32((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(FloatFormats.f16ToF32(FloatFormats.f32ToF16(f))));
            } else {
                assertEquals((short) h, FloatFormats.f32ToF16(f), "f16 bits " + Integer.toHexString(h));
            }
        }
    }

    @Test
    void f16EncodeRoundsToNearestEven() {
        assertEquals((short) 0x3C00, FloatFormats.f32ToF16(1f + 0x1p-11f)); // tie, even is 1.0
        assertEquals((short) 0x3C02, FloatFormats.f32ToF16(1f + 0x3p-11f)); // tie, even is 1+2^-9
        assertEquals((short) 0x3C01, FloatFormats.f32ToF16(1f + 0x1p-11f + 0x1p-20f)); // above the tie
        assertEquals((short) 0x7C00, FloatFormats.f32ToF16(65520f)); // overflow to +Inf
        assertEquals((short) 0x7BFF, FloatFormats.f32ToF16(65519.99f));
        assertEquals((short) 0x0001, FloatFormats.f32ToF16(0x1p-24f));
        assertEquals((short) 0x0000, FloatFormats.f32ToF16(0x1p-25f)); // tie to even (0)
        assertEquals((short) 0x0001, FloatFormats.f32ToF16(0x1.8p-25f));
        assertEquals((short) 0x8000, FloatFormats.f32ToF16(-1e-30f));
        assertEquals((short) 0xFC00, FloatFormats.f32ToF16(Float.NEGATIVE_INFINITY));
        short nan = FloatFormats.f32ToF16(Float.intBitsToFloat(0x7f800001)); // signalling NaN is made quiet
        assertEquals(0x7E00, nan & 0xFE00);
    }

    @Test
    void bf16FollowsLlamaCpp() {
        assertEquals(1f, FloatFormats.bf16ToF32((short) 0x3F80));
        assertEquals(Float.NEGATIVE_INFINITY, FloatFormats.bf16ToF32((short) 0xFF80));
        assertEquals((short) 0x3F80, FloatFormats.f32ToBf16(1f));
        assertEquals((short) 0x3F80, FloatFormats.f32ToBf16(Float.intBitsToFloat(0x3F808000))); // tie to even
        assertEquals((short) 0x3F82, FloatFormats.f32ToBf16(Float.intBitsToFloat(0x3F818000))); // tie to even
        assertEquals((short) 0x3F81, FloatFormats.f32ToBf16(Float.intBitsToFloat(0x3F808001)));
        assertEquals((short) 0x7F80, FloatFormats.f32ToBf16(Float.POSITIVE_INFINITY));
        assertEquals((short) 0x7F80, FloatFormats.f32ToBf16(Float.MAX_VALUE)); // rounds up to Inf
        assertEquals((short) 0x0001, FloatFormats.f32ToBf16(Float.intBitsToFloat(0x00010000))); // subnormal kept
        assertEquals((short) 0x7FC1, FloatFormats.f32ToBf16(Float.intBitsToFloat(0x7F810000))); // NaN quieted
        assertTrue(Float.isNaN(FloatFormats.bf16ToF32(FloatFormats.f32ToBf16(Float.NaN))));
    }

    @Test
    void f16AndBf16TensorsDecodeSpecialValues() {
        float[] x = {0f, -0f, 1.5f, 0x1p-24f, 0x1p-20f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        for (GgmlType t : new GgmlType[] {GgmlType.F16, GgmlType.BF16, GgmlType.F32}) {
            byte[] bytes = TensorCodecs.quantize(t, x, 0, x.length);
            float[] back = new float[x.length];
            TensorCodecs.dequantize(t, MemorySegment.ofArray(bytes), 0, back, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                if (Float.isNaN(x[i])) {
                    assertTrue(Float.isNaN(back[i]), t + " NaN");
                } else if (t == GgmlType.BF16 && (x[i] == 0x1p-24f || x[i] == 0x1p-20f)) {
                    assertEquals(FloatFormats.roundToBf16(x[i]), back[i], t + " element " + i);
                } else {
                    assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(back[i]), t + " element " + i);
                }
            }
        }
    }
}
