package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.gguf.GgmlType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every vector row kernel of {@link KernelTable}, on each of its paths (one row, the direct 3-4-row kernels, the
 * decoded prompt tiles; Q4_0 also in its repacked layout), stops allocating once C2 has compiled it. A kernel that
 * C2 did not inline keeps its vectors boxed and allocates on every call for good (package-info explains why the
 * kernels repeat per type to avoid that); this test fails then.
 *
 * <p>Each weight-type mix of a model file (as llama.cpp's file types combine them, e.g. Q4_K_M = Q4_K + Q6_K) runs
 * in a JVM of its own ({@link KernelAllocationProbe}), as a server runs one model: the JDK's shared vector methods
 * keep one profile per JVM, and with the kernels of all fourteen types warmed in one JVM the 3-4-row Q4_K and Q6_K
 * kernels came out boxed in 5 of 105 runs here (BENCHMARKS.md, session 13); with one model's mix per JVM, none did.
 * Each case runs in successive windows until one allocates nothing per call or 30 seconds have passed; compiled
 * kernels reach a clean window, boxed ones never do. The kernels compile in the foreground, by the directive
 * {@link ForegroundCompilation} installs.
 *
 * <p>{@code -Dneox.test.kernel-types=Q4_K,Q6_K} runs only that mix (for bisecting).
 */
class VectorKernelAllocationTest {

    /** The weight types that share a model file, one JVM each; together every type of {@link KernelTable}. */
    static final List<List<GgmlType>> MIXES = List.of(
            List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16),
            List.of(GgmlType.Q4_0, GgmlType.Q6_K),
            List.of(GgmlType.Q4_1, GgmlType.Q6_K),
            List.of(GgmlType.Q5_0, GgmlType.Q6_K),
            List.of(GgmlType.Q5_1, GgmlType.Q6_K),
            List.of(GgmlType.Q8_0),
            List.of(GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q6_K),
            List.of(GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K),
            List.of(GgmlType.Q4_K, GgmlType.Q6_K),
            List.of(GgmlType.Q5_K, GgmlType.Q6_K));

    @Test
    void theMixesCoverEveryVectorKernel() {
        Set<GgmlType> covered = EnumSet.noneOf(GgmlType.class);
        MIXES.forEach(covered::addAll);
        Set<GgmlType> withKernel = EnumSet.noneOf(GgmlType.class);
        for (GgmlType t : GgmlType.values()) {
            if (KernelTable.has(t)) {
                withKernel.add(t);
            }
        }
        assertEquals(withKernel, covered);
    }

    @Test
    void everyVectorKernelPathStopsAllocatingOnceCompiled() throws Exception {
        List<List<GgmlType>> mixes = MIXES;
        String only = System.getProperty("neox.test.kernel-types");
        if (only != null) {
            mixes = List.of(Arrays.stream(only.split(",")).map(GgmlType::valueOf).toList());
        }
        List<String> failures = new ArrayList<>();
        for (List<GgmlType> mix : mixes) {
            String out = probe(mix);
            System.out.print(out);
            if (!out.contains("CLEAN")) {
                failures.add(mix + ": " + out.lines().filter(l -> l.startsWith("BOXED") || l.contains("Exception"))
                        .findFirst().orElse(out.strip()));
            }
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    /** Runs {@link KernelAllocationProbe} on {@code mix} in a new JVM; returns what it printed. */
    private static String probe(List<GgmlType> mix) throws IOException, InterruptedException {
        Path log = Files.createTempFile("neox4j-kernel-probe", ".txt");
        try {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m",
                    "-cp", System.getProperty("java.class.path"), KernelAllocationProbe.class.getName()));
            mix.forEach(t -> cmd.add(t.name()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                return Files.readString(log, StandardCharsets.UTF_8) + "\nBOXED: no result after 10 minutes";
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? out : out + (out.contains("BOXED") ? "" : "\nBOXED: exit " + p.exitValue());
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
