package dev.neox4j.engine.tensor;

import java.util.Random;

/** Deterministic test data shared by the tensor and kernel tests. */
public final class TestData {

    private TestData() {
    }

    /** Gaussian values with standard deviation 0.02 (typical of weights) and 0.5% outliers six times larger. */
    public static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * 0.02) * (rnd.nextInt(200) == 0 ? 6f : 1f);
        }
        return x;
    }
}
