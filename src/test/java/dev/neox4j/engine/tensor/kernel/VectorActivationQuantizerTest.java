package dev.neox4j.engine.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.ActivationQuantizer;
import dev.neox4j.engine.tensor.Activations;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.Random;

/** The Vector API activation quantizer produces exactly the scalar quantizer's arrays (zero tolerance). */
class VectorActivationQuantizerTest {

    @ParameterizedTest
    @EnumSource(ActivationFormat.class)
    void identicalToScalar(ActivationFormat f) {
        int cols = 768;
        int rows = 3;
        float[] x = new float[rows * cols + 5];
        Random rnd = new Random(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() * (i % 50 == 0 ? 20f : 1f);
        }
        // edge cases: an all-zero block, ties of magnitude (first one wins for Q8_K), exact halves, negative zeros
        Arrays.fill(x, 5, 5 + 256, 0f);
        x[5 + 300] = -0f;
        x[5 + 600] = 40f;
        x[5 + 610] = -40f;
        x[5 + 540] = -40f;
        for (int i = 5 + 1024; i < 5 + 1056; i++) {
            x[i] = (i % 2 == 0 ? 0.5f : -1.5f) * (i % 3);
        }
        Activations s = new Activations();
        Activations v = new Activations();
        ActivationQuantizer.quantize(x, 5, rows, cols, f, s);
        VectorActivationQuantizer.quantize(x, 5, rows, cols, f, v);
        int n = rows * cols;
        assertArrayEquals(Arrays.copyOf(s.values(), n), Arrays.copyOf(v.values(), n), f + " values");
        int sc = rows * s.scalesPerRow();
        assertArrayEquals(Arrays.copyOf(s.scales(), sc), Arrays.copyOf(v.scales(), sc), f + " scales");
        int su = rows * s.sumsPerRow();
        assertArrayEquals(Arrays.copyOf(s.sums(), su), Arrays.copyOf(v.sums(), su), f + " sums");
        int ps = rows * s.pairSumsPerRow();
        assertArrayEquals(Arrays.copyOf(s.pairSums(), ps), Arrays.copyOf(v.pairSums(), ps), f + " pair sums");
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(s.values()[i]), Float.floatToRawIntBits(v.values()[i]), "bits " + i);
        }
    }
}
