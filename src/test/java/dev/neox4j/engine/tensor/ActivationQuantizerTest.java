package dev.neox4j.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.Random;

/**
 * Activation quantization (docs/quantization.md, "Activation formats") against llama.cpp's bytes, and the float layout.
 */
class ActivationQuantizerTest {

    @ParameterizedTest
    @ValueSource(strings = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void bytesMatchLlamaCpp(String type) {
        JsonNode t = QuantTestVectors.type(type);
        ActivationFormat f = ActivationFormat.valueOf(t.get("activation_type").asText());
        float[] x = QuantTestVectors.activation();
        byte[] got = ActivationQuantizer.toGgmlBytes(f, x, 0, x.length);
        assertEquals(t.get("activation_quantized_hex").asText(), HexFormat.of().formatHex(got), type + " via " + f);
    }

    /** The float layout of {@link Activations} carries the same numbers as llama.cpp's block bytes. */
    @ParameterizedTest
    @EnumSource(value = ActivationFormat.class, names = {"Q8_0", "Q8_1", "Q8_K"})
    void floatLayoutAgreesWithBlockBytes(ActivationFormat f) {
        float[] x = randomRows(2 * 512, 1);
        Activations a = new Activations();
        ActivationQuantizer.quantize(x, 0, 2, 512, f, a);
        for (int r = 0; r < 2; r++) {
            byte[] bytes = ActivationQuantizer.toGgmlBytes(f, x, r * 512, 512);
            MemorySegment s = MemorySegment.ofArray(bytes);
            int blockBytes = f == ActivationFormat.Q8_0 ? 34 : f == ActivationFormat.Q8_1 ? 36 : 292;
            int qs = f == ActivationFormat.Q8_0 ? 2 : 4;
            for (int b = 0; b < 512 / f.blockElems; b++) {
                long o = (long) b * blockBytes;
                float d = f == ActivationFormat.Q8_K ? s.get(QuantMath.LE_FLOAT, o) : QuantMath.f16(s, o);
                assertEquals(d, a.scales()[a.scalesOffset(r) + b], "scale of block " + b);
                if (f == ActivationFormat.Q8_1) {
                    assertEquals(QuantMath.f16(s, o + 2), a.sums()[a.sumsOffset(r) + b], "s of block " + b);
                }
                if (f == ActivationFormat.Q8_K) {
                    for (int k = 0; k < 16; k++) {
                        assertEquals(s.get(QuantMath.LE_SHORT, o + 260 + 2 * k),
                                (short) a.sums()[a.sumsOffset(r) + 16 * b + k], "bsum " + k);
                    }
                }
                for (int i = 0; i < f.blockElems; i++) {
                    assertEquals(bytes[(int) o + qs + i], (byte) a.values()[a.valuesOffset(r) + b * f.blockElems + i]);
                }
            }
        }
    }

    @Test
    void q8ZeroBlocksGiveZeroScaleAndQuants() {
        float[] x = new float[256];
        Activations a = new Activations();
        for (ActivationFormat f : new ActivationFormat[] {ActivationFormat.Q8_0, ActivationFormat.Q8_1,
                ActivationFormat.Q8_K}) {
            ActivationQuantizer.quantize(x, 0, 1, 256, f, a);
            for (int i = 0; i < 256; i++) {
                assertEquals(0f, a.values()[i]);
            }
            for (int i = 0; i < a.scalesPerRow(); i++) {
                assertEquals(0f, a.scales()[i]);
            }
            for (int i = 0; i < a.sumsPerRow(); i++) {
                assertEquals(0f, a.sums()[i]);
            }
        }
    }

    @Test
    void q8KMapsFirstLargestMagnitudeToMinus127() {
        float[] x = new float[256];
        x[3] = 2f;
        x[10] = -2f; // same magnitude, later: the first one wins
        x[20] = 1f;
        Activations a = new Activations();
        ActivationQuantizer.quantize(x, 0, 1, 256, ActivationFormat.Q8_K, a);
        assertEquals(-127f, a.values()[3]);
        assertEquals(127f, a.values()[10]); // -2 * (-127/2) = 127, clamp keeps it
        assertEquals(Math.rint(-127.0 / 2), a.values()[20]); // -63.5 rounds half to even: -64
        assertEquals(1f / (-127f / 2f), a.scales()[0]);
    }

    @Test
    void q8_0RoundsHalfToEven() {
        float[] x = new float[32];
        x[0] = 127f; // id = 1
        x[1] = 2.5f;
        x[2] = -3.5f;
        x[3] = 0.5f;
        Activations a = new Activations();
        ActivationQuantizer.quantize(x, 0, 1, 32, ActivationFormat.Q8_0, a);
        assertEquals(127f, a.values()[0]);
        assertEquals(2f, a.values()[1]);
        assertEquals(-4f, a.values()[2]);
        assertEquals(0f, a.values()[3]);
        assertEquals(1f, a.scales()[0]);
    }

    @Test
    void floatFormatsAreRounded() {
        float[] x = {1.0f + 0x1p-12f, 1.0f + 0x1p-9f + 0x1p-11f, 65520f, 4e-8f};
        Activations a = new Activations();
        ActivationQuantizer.quantize(x, 0, 1, 4, ActivationFormat.F16, a);
        assertEquals(1.0f, a.values()[0]); // below half an ulp
        assertEquals(1.0f + 0x1p-9f, a.values()[1]); // tie goes to the even neighbour
        assertEquals(Float.POSITIVE_INFINITY, a.values()[2]); // halfway to 65536 rounds to even = overflow
        assertEquals(0x1p-24f, a.values()[3]); // nearest subnormal
        ActivationQuantizer.quantize(x, 0, 1, 4, ActivationFormat.BF16, a);
        assertEquals(1.0f, a.values()[0]);
        ActivationQuantizer.quantize(x, 0, 1, 4, ActivationFormat.F32, a);
        assertArrayEquals(x, java.util.Arrays.copyOf(a.values(), 4));
    }

    @Test
    void badShapesAreRefused() {
        Activations a = new Activations();
        assertThrows(IllegalArgumentException.class,
                () -> ActivationQuantizer.quantize(new float[48], 0, 1, 48, ActivationFormat.Q8_0, a));
        assertThrows(IndexOutOfBoundsException.class,
                () -> ActivationQuantizer.quantize(new float[60], 0, 2, 32, ActivationFormat.Q8_0, a));
    }

    static float[] randomRows(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian() * (i % 97 == 0 ? 8f : 1f);
        }
        return x;
    }
}
