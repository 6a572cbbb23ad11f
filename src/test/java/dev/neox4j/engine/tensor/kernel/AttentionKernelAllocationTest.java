package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.tensor.TestData;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector attention products ({@link VectorAttentionDots}: one query, tiles of four and a prompt chunk's tile of
 * {@link AttentionDots#MAX_QUERIES} against an f16 cache, the weighted sums, the softmax exponential) must not
 * allocate once compiled: a product that C2 did not
 * inline whole keeps its vectors boxed and allocates on every call (see the package documentation). Runs in a JVM
 * of its own (surefire execution {@code attention-allocation-test}).
 */
class AttentionKernelAllocationTest {

    @Test
    void attentionProductsStopAllocatingOnceCompiled() {
        AttentionDots dots = new VectorKernels().newAttentionDots();
        int hd = 128;
        int nKeys = 67; // 4-key groups and a remainder
        int tile = AttentionDots.MAX_QUERIES; // a prompt chunk's tile: the key-major scores, the float weighted sum
        int n0 = 40;
        int tileKeys = n0 + tile - 1;
        int positions = Math.max(nKeys, tileKeys) + 4;
        long stride = hd + 16;
        List<String> failures = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cache = arena.allocate(4 * stride * positions, 64);
            float[] values = TestData.gaussian((int) (stride * positions), 5);
            for (int i = 0; i < values.length; i++) {
                cache.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, values[i]);
            }
            MemorySegment half = arena.allocate(2 * stride * positions, 64);
            for (int i = 0; i < values.length; i++) {
                half.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(values[i]));
            }
            float[] q = TestData.gaussian(tile * hd, 6);
            float[] s = new float[tile * tileKeys];
            float[] p = TestData.gaussian(tile * tileKeys, 7);
            float[] out = new float[tile * hd];
            // one cache type per JVM, as in a server (neox.kv-cache-type is fixed per process): after the f16 paths
            // were compiled, C2 recompiled the f32 ones with the f16 load left out of line (boxed) in one run
            for (boolean f16 : new boolean[] {true}) {
                MemorySegment kv = f16 ? half : cache;
                String type = f16 ? "f16" : "f32";
                check("scores, 4 queries, " + type, failures,
                        () -> dots.scores(q, 4, hd, kv, f16, 0, stride, nKeys, 0.125f, s, nKeys));
                check("scores, 1 query, " + type, failures,
                        () -> dots.scores(q, 1, hd, kv, f16, 0, stride, nKeys, 0.125f, s, nKeys));
                check("weighted sum, 4 queries, " + type, failures,
                        () -> dots.weightedSum(p, nKeys, 4, nKeys - 3, kv, f16, 0, stride, hd, out, 0, hd));
                check("weighted sum, 1 query, " + type, failures,
                        () -> dots.weightedSum(p, nKeys, 1, nKeys, kv, f16, 0, stride, hd, out, 0, hd));
                check("scores, " + tile + " queries, " + type, failures,
                        () -> dots.scores(q, tile, hd, kv, f16, 0, stride, tileKeys, 0.125f, s, tileKeys));
                check("weighted sum, " + tile + " queries, " + type, failures,
                        () -> dots.weightedSum(p, tileKeys, tile, n0, kv, f16, 0, stride, hd, out, 0, hd));
            }
            check("softmax exp", failures, () -> dots.softmaxExp(s, 0, nKeys));
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    private static void check(String name, List<String> failures, Runnable call) {
        AllocationPerCall.check("attention " + name, call, Duration.ofSeconds(60), failures);
    }
}
