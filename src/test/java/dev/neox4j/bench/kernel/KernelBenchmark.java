package dev.neox4j.bench.kernel;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.WeightMatrix;
import dev.neox4j.engine.tensor.kernel.Kernels;
import dev.neox4j.engine.tensor.kernel.MatmulKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Single-thread kernel throughput per weight type: {@code matvec} (one activation row, the decode case) and
 * {@code matmul} (a batch of activation rows, the prefill case) over a {@code size x size} weight matrix in an
 * Arena-allocated (off-heap, like a mapped file) segment. Weight GB/s = {@code rowBytes * size / time}.
 *
 * <p>Run: {@code ./mvnw -B -o -q test-compile}, then
 * {@code java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat cp.txt)
 * org.openjdk.jmh.Main KernelBenchmark -f 1 -wi 2 -i 3} (class path from
 * {@code ./mvnw -o -q dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}).
 * Not a test: surefire does not pick it up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBenchmark {

    @Param({"Q4_0", "Q8_0", "Q4_K", "Q6_K", "Q5_K", "F16", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "F32", "BF16"})
    public String type;

    @Param({"2048", "5120"})
    public int size;

    @Param({"vector", "scalar"})
    public String kernels;

    /** Activation rows of the matmul benchmark. */
    @Param({"16"})
    public int batch;

    private Arena arena;
    private WeightMatrix w;
    private MatmulKernels k;
    private Activations one;
    private Activations many;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        GgmlType t = GgmlType.valueOf(type);
        k = Kernels.select(kernels);
        arena = Arena.ofShared();
        long rowBytes = t.bytesFor(size);
        MemorySegment seg = arena.allocate(rowBytes * size, 64);
        Random rnd = new Random(42);
        float[] row = new float[size];
        for (int r = 0; r < size; r++) {
            for (int i = 0; i < size; i++) {
                row[i] = (float) rnd.nextGaussian() * 0.02f;
            }
            TensorCodecs.quantize(t, row, 0, size, seg, r * rowBytes);
        }
        w = new WeightMatrix("bench", t, seg, size, size);
        float[] x = new float[batch * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        ActivationFormat f = MatmulKernels.activationFormat(t);
        one = k.newActivations();
        k.quantize(x, 0, 1, size, f, one);
        many = k.newActivations();
        k.quantize(x, 0, batch, size, f, many);
        out = new float[batch * size];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** One activation row times the whole matrix (decode). */
    @Benchmark
    public float matvec() {
        k.matmul(w, one, 0, size, out, 0, size);
        return out[size - 1];
    }

    /** {@link #batch} activation rows times the whole matrix (prefill). */
    @Benchmark
    public float matmul() {
        k.matmul(w, many, 0, size, out, 0, size);
        return out[batch * size - 1];
    }
}
