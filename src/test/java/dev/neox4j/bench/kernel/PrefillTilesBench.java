package dev.neox4j.bench.kernel;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.WeightMatrix;
import dev.neox4j.engine.tensor.kernel.Kernels;
import dev.neox4j.engine.tensor.kernel.MatmulKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Prompt (prefill) matmul throughput of the vector kernels on one thread, in thread CPU time: a batch of prompt
 * rows times a {@code rows x cols} weight matrix, the activation conversion ({@code quantize}) and the matmul
 * timed apart. With {@code -Dprefill.classes=dirA,dirB} it loads each directory of engine classes (e.g. this
 * build's {@code target/classes} and an older build's) in a class loader of its own and runs them interleaved in
 * one JVM, so that old and new face the same machine state; each variant is compiled by C2 on its own.
 *
 * <p>Run after {@code ./mvnw -o -q test-compile}: {@code java --add-modules jdk.incubator.vector -cp
 * target/test-classes:target/classes dev.neox4j.bench.kernel.PrefillTilesBench} with optional
 * {@code -Dprefill.types=Q4_0,Q8_0,Q4_K}, {@code -Dprefill.shapes=6144x2048,2048x8192} (rows x cols),
 * {@code -Dprefill.batch=128}, {@code -Dprefill.reps=7}, {@code -Dprefill.ghz=2.6} (to print MACs per cycle),
 * {@code -Dprefill.generated=0} (that many of the batch's last rows fed as generated rows, as a server's prompt
 * feeds its last token). Not a test: surefire does not pick it up.
 */
public final class PrefillTilesBench {

    private PrefillTilesBench() {
    }

    /**
     * One case in one class loader: {@link #get()} converts the activations and runs the matmul once on the
     * calling thread and returns {@code {quantize ns, matmul ns, bits of the output sum, bytes the matmul
     * allocated}} (thread CPU time).
     */
    public static final class Case implements Supplier<long[]> {
        private final MatmulKernels k = Kernels.select("vector");
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        private final WeightMatrix w;
        private final float[] x;
        private final int batch;
        private final Activations a;
        private final float[] out;

        /** The matrix from its encoded bytes ({@code type}, {@code rows x cols}), {@code batch} prompt rows of {@code x}. */
        public Case(String type, byte[] weights, int rows, int cols, float[] x, int batch) {
            GgmlType t = GgmlType.valueOf(type);
            MemorySegment seg = Arena.ofAuto().allocate(weights.length, 64);
            seg.copyFrom(MemorySegment.ofArray(weights));
            this.w = k.prepare(new WeightMatrix("bench", t, seg, rows, cols), ParallelFor.SERIAL);
            this.x = x;
            this.batch = batch;
            this.a = k.newActivations();
            boolean[] flags = new boolean[batch];
            // the last prefill.generated rows fed as generated ones (a server's prompt ends with one)
            Arrays.fill(flags, 0, Math.max(0, batch - Integer.getInteger("prefill.generated", 0)), true);
            a.markPromptRows(flags, batch);
            this.out = new float[batch * rows];
        }

        @Override
        public long[] get() {
            ActivationFormat f = MatmulKernels.activationFormat(w.type());
            long t0 = mx.getCurrentThreadCpuTime();
            k.quantize(x, 0, batch, w.cols(), f, a);
            long t1 = mx.getCurrentThreadCpuTime();
            long b1 = ((com.sun.management.ThreadMXBean) mx).getCurrentThreadAllocatedBytes();
            k.matmul(w, a, 0, w.rows(), out, 0, w.rows());
            long b2 = ((com.sun.management.ThreadMXBean) mx).getCurrentThreadAllocatedBytes();
            long t2 = mx.getCurrentThreadCpuTime();
            double sum = 0;
            for (float v : out) {
                sum += v;
            }
            return new long[] {t1 - t0, t2 - t1, Double.doubleToLongBits(sum), b2 - b1};
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> types = List.of(System.getProperty("prefill.types", "Q4_0,Q8_0,Q4_K").split(","));
        List<String> shapes = List.of(System.getProperty("prefill.shapes", "6144x2048,2048x2048,8192x2048,2048x8192")
                .split(","));
        int batch = Integer.getInteger("prefill.batch", 128);
        int reps = Integer.getInteger("prefill.reps", 7);
        double ghz = Double.parseDouble(System.getProperty("prefill.ghz", "2.6"));
        String classes = System.getProperty("prefill.classes", "");
        List<String> names = new ArrayList<>();
        List<ClassLoader> loaders = new ArrayList<>();
        if (classes.isBlank()) {
            names.add("this");
            loaders.add(PrefillTilesBench.class.getClassLoader());
        } else {
            URL harness = PrefillTilesBench.class.getProtectionDomain().getCodeSource().getLocation();
            for (String dir : classes.split(",")) {
                names.add(dir);
                loaders.add(new URLClassLoader(new URL[] {Path.of(dir).toUri().toURL(), harness},
                        ClassLoader.getPlatformClassLoader()));
            }
        }
        System.out.printf(Locale.ROOT, "batch %d, %d reps, thread CPU time, MACs/cycle at %.2f GHz%n", batch, reps,
                ghz);
        for (String type : types) {
            for (String shape : shapes) {
                int rows = Integer.parseInt(shape.substring(0, shape.indexOf('x')));
                int cols = Integer.parseInt(shape.substring(shape.indexOf('x') + 1));
                run(type, rows, cols, batch, reps, ghz, names, loaders);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void run(String type, int rows, int cols, int batch, int reps, double ghz, List<String> names,
                            List<ClassLoader> loaders) throws Exception {
        SplittableRandom rnd = new SplittableRandom(42);
        float[] wf = new float[rows * cols];
        for (int i = 0; i < wf.length; i++) {
            wf[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        byte[] bytes = TensorCodecs.quantize(GgmlType.valueOf(type), wf, 0, wf.length);
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        List<Supplier<long[]>> cases = new ArrayList<>();
        for (ClassLoader l : loaders) {
            Class<?> c = Class.forName(Case.class.getName(), true, l);
            cases.add((Supplier<long[]>) c.getConstructor(String.class, byte[].class, int.class, int.class,
                    float[].class, int.class).newInstance(type, bytes, rows, cols, x, batch));
        }
        long[][] q = new long[cases.size()][reps];
        long[][] m = new long[cases.size()][reps];
        long[] sums = new long[cases.size()];
        long[] alloc = new long[cases.size()];
        for (int warm = 0; warm < 3; warm++) {
            for (Supplier<long[]> c : cases) {
                c.get();
            }
        }
        for (int r = 0; r < reps; r++) {
            for (int v = 0; v < cases.size(); v++) {
                long[] t = cases.get(v).get();
                q[v][r] = t[0];
                m[v][r] = t[1];
                sums[v] = t[2];
                alloc[v] = t[3];
            }
        }
        double macs = (double) rows * cols * batch;
        for (int v = 0; v < cases.size(); v++) {
            Arrays.sort(q[v]);
            Arrays.sort(m[v]);
            double mm = m[v][reps / 2] / 1e6;
            System.out.printf(Locale.ROOT,
                    "%-5s %5dx%-5d %-40s quantize %7.3f ms  matmul median %8.3f ms (min %8.3f)  %5.1f MACs/cycle"
                            + "  sum %.6g  %d B allocated%n",
                    type, rows, cols, names.get(v), q[v][reps / 2] / 1e6, mm, m[v][0] / 1e6,
                    macs / (mm * 1e6 * ghz), Double.longBitsToDouble(sums[v]), alloc[v]);
        }
    }
}
