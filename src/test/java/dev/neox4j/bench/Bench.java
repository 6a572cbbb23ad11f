package dev.neox4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neox4j.engine.model.NeoxHParams;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The benchmark entry point: {@code ./mvnw -q test-compile exec:exec@bench -Dbench.shape=pythia-1.4b
 * -Dbench.type=Q4_0}. Generates a Pythia-shaped GGUF with seeded random weights (cached under
 * {@code target/bench-models/}, written only when missing) or takes {@code bench.model}, then reports like
 * llama-bench: time to ready (map + validate + kernels + first forward pass), {@code pp<N>} and {@code tg<M>}
 * tokens/s as mean ± sd over {@code bench.reps} repetitions, optionally the aggregate decode rate of
 * {@code bench.streams} concurrent sequences (through the Engine and through the batched forward pass), and the
 * resident memory against file size + KV cache. Output: a markdown table and one JSON line starting with
 * {@code {"bench":"neox4j"} (what {@code bench/compare.sh} reads). Options: {@link BenchOptions#HELP}.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions o = options(args, "bench", BenchOptions.HELP, BenchOptions::from);
        if (o == null) {
            return;
        }
        Map<String, Object> result = run(o, System.out);
        if (result != null) {
            System.out.println(new ObjectMapper().writeValueAsString(result));
        }
    }

    /**
     * The options of a bench tool's {@code main} from the system properties; prints {@code help} and returns null
     * for {@code -h}, {@code --help} or {@code bench.help=true}, and exits with status 2 after the help for a bad
     * option.
     */
    static <T> T options(String[] args, String tool, String help, Function<Properties, T> parse) {
        if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))
                || Boolean.getBoolean("bench.help")) {
            System.out.print(help);
            return null;
        }
        try {
            return parse.apply(System.getProperties());
        } catch (IllegalArgumentException e) {
            System.err.println(tool + ": " + e.getMessage());
            System.err.print(help);
            System.exit(2);
            return null;
        }
    }

    /** Finds or generates the model; returns its path and whether it was generated now. */
    static Path model(BenchOptions o, PrintStream log) throws IOException {
        if (o.model() != null) {
            if (!Files.isRegularFile(o.model())) {
                throw new IOException("bench.model " + o.model() + " is not a file");
            }
            return o.model();
        }
        Path p = o.generatedPath();
        if (Files.isRegularFile(p)) {
            return p;
        }
        Files.createDirectories(p.toAbsolutePath().getParent());
        NeoxHParams hp = NeoxModelGenerator.preset(o.shape());
        log.printf(Locale.ROOT, "generating %s (%s %s, %s mix, seed %d) ...%n", p, o.shape(), o.fileType(),
                o.mix(), o.seed());
        long t0 = System.nanoTime();
        NeoxModelGenerator.builder(hp).fileType(o.fileType()).mix(o.mix()).seed(o.seed())
                .name("neox4j-bench-" + o.shape() + "-" + o.fileType()).build().write(p);
        log.printf(Locale.ROOT, "generated %s: %.2f GiB in %.1f s%n", p, Files.size(p) / GIB,
                (System.nanoTime() - t0) / 1e9);
        return p;
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    /** Runs the benchmark; returns the JSON record (null with {@code generateOnly}). */
    static Map<String, Object> run(BenchOptions o, PrintStream out) throws Exception {
        long jvmStartToMain = ManagementFactory.getRuntimeMXBean().getUptime();
        boolean existed = o.model() != null || Files.isRegularFile(o.generatedPath());
        Path path = model(o, out);
        if (o.generateOnly()) {
            out.println("model: " + path.toAbsolutePath());
            return null;
        }
        long fileBytes = Files.size(path);
        int ctx = o.contextLength();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bench", "neox4j");
        r.put("model", path.toAbsolutePath().toString());
        r.put("shape", o.model() != null ? "file" : o.shape());
        r.put("type", o.model() != null ? "file" : o.fileType().name() + (o.mix() == NeoxModelGenerator.Mix.PURE
                ? "-pure" : ""));
        r.put("fileBytes", fileBytes);
        r.put("threads", o.threads());
        r.put("pp", o.pp());
        r.put("tg", o.tg());
        r.put("reps", o.reps());
        r.put("context", ctx);
        r.put("java", Runtime.version().toString());

        ProcStatus mem;
        long heapCommitted;
        long heapUsed;
        long nonHeapCommitted;
        String kernelName;
        long kvBytes;
        long params;
        String fileType;
        Stats fwdStreams = null;
        try (ForwardBench fb = ForwardBench.open(path, o.kernels(), o.threads(), ctx,
                Math.max(o.pp(), 4 * o.streams()))) {
            // JVM start counts only when this JVM did nothing else first (no generation).
            long jvmReady = ManagementFactory.getRuntimeMXBean().getUptime();
            kernelName = fb.kernelName();
            kvBytes = fb.kvBytes();
            params = fb.model().parameterCount();
            fileType = fb.model().fileType();
            r.put("kernels", kernelName);
            r.put("fileType", fileType);
            r.put("parameters", params);
            r.put("readyMs", fb.readyMillis());
            double[] st = fb.readySteps();
            Map<String, Object> steps = new LinkedHashMap<>();
            steps.put("map", st[0]);
            steps.put("validate", st[1]);
            steps.put("kernels", st[2]);
            steps.put("buffers", st[3]);
            steps.put("firstForward", st[4]);
            r.put("readyStepsMs", steps);
            r.put("jvmStartMs", jvmStartToMain);
            r.put("jvmUptimeAtReadyMs", existed ? jvmReady : null);

            if (o.warmup()) {
                fb.pp(o.pp());
                fb.tg(Math.min(o.tg(), 8));
            }
            double[] pp = new double[o.reps()];
            double[] tg = new double[o.reps()];
            for (int i = 0; i < o.reps(); i++) {
                pp[i] = fb.pp(o.pp());
            }
            for (int i = 0; i < o.reps(); i++) {
                tg[i] = fb.tg(o.tg());
            }
            r.put("ppRate", statsJson(Stats.of(pp)));
            r.put("tgRate", statsJson(Stats.of(tg)));
            r.put("tgAllocatedBytesPerToken", fb.allocatedBytesPerToken(o.tg()));
            // decode against memory: weight bytes read per second vs a STREAM-like read with the same threads
            long weightBytes = MemoryBandwidth.weightBytesPerToken(path);
            r.put("tgWeightGBps", weightBytes * Stats.of(tg).mean() / 1e9);
            r.put("memoryReadGBps", MemoryBandwidth.readGBps(256L << 20, o.threads(), 3));
            mem = ProcStatus.read(); // one sequence's KV cache, before the streams test adds more
            MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
            heapCommitted = mx.getHeapMemoryUsage().getCommitted();
            heapUsed = mx.getHeapMemoryUsage().getUsed();
            nonHeapCommitted = mx.getNonHeapMemoryUsage().getCommitted();
            if (o.streams() > 1) {
                if (o.warmup()) {
                    fb.streams(o.streams(), Math.min(o.tg(), 8));
                }
                double[] s = new double[o.reps()];
                for (int i = 0; i < o.reps(); i++) {
                    s[i] = fb.streams(o.streams(), o.tg());
                }
                fwdStreams = Stats.of(s);
            }
        }
        Stats engineStreams = null;
        if (o.streams() > 1) {
            try (EngineStreamBench eb = EngineStreamBench.open(path, o.kernels(), o.threads(), o.streams(), ctx)) {
                if (o.warmup()) {
                    eb.run(o.streams(), Math.min(o.tg(), 8));
                }
                double[] s = new double[o.reps()];
                for (int i = 0; i < o.reps(); i++) {
                    s[i] = eb.run(o.streams(), o.tg());
                }
                engineStreams = Stats.of(s);
            }
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("n", o.streams());
            st.put("engine", statsJson(engineStreams));
            st.put("forward", statsJson(fwdStreams));
            r.put("streams", st);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vmRssBytes", mem.vmRss());
        m.put("vmHwmBytes", mem.vmHwm());
        m.put("rssAnonBytes", mem.rssAnon());
        m.put("rssFileBytes", mem.rssFile());
        m.put("kvBytes", kvBytes);
        m.put("heapCommittedBytes", heapCommitted);
        m.put("heapUsedBytes", heapUsed);
        m.put("nonHeapCommittedBytes", nonHeapCommitted);
        m.put("overheadBytes", mem.vmHwm() < 0 ? null : mem.vmHwm() - fileBytes - kvBytes);
        r.put("memory", m);

        printTable(out, o, path, fileBytes, params, fileType, kernelName, r, fwdStreams, engineStreams, mem,
                kvBytes);
        return r;
    }

    private static Map<String, Object> statsJson(Stats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", s.mean());
        m.put("sd", s.sd());
        m.put("samples", s.samples());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static void printTable(PrintStream out, BenchOptions o, Path path, long fileBytes, long params,
                                   String fileType, String kernels, Map<String, Object> r, Stats fwdStreams,
                                   Stats engineStreams, ProcStatus mem, long kvBytes) {
        String model = (o.model() != null ? path.getFileName().toString() : o.shape()) + " " + fileType;
        String size = String.format(Locale.ROOT, "%.2f GiB", fileBytes / GIB);
        String ps = String.format(Locale.ROOT, "%.2f B", params / 1e9);
        String backend = "neox4j " + kernels;
        out.println();
        out.println("| model | size | params | backend | threads | test | t/s |");
        out.println("| --- | ---: | ---: | --- | ---: | ---: | ---: |");
        Map<String, Object> pp = (Map<String, Object>) r.get("ppRate");
        Map<String, Object> tg = (Map<String, Object>) r.get("tgRate");
        String prefix = "| " + model + " | " + size + " | " + ps + " | " + backend + " | " + o.threads() + " | ";
        out.println(prefix + "pp" + o.pp() + " | " + fmt(pp) + " |");
        out.println(prefix + "tg" + o.tg() + " | " + fmt(tg) + " |");
        if (engineStreams != null) {
            out.println(prefix + "tg" + o.tg() + "x" + o.streams() + " engine | " + engineStreams.format() + " |");
            out.println(prefix + "tg" + o.tg() + "x" + o.streams() + " forward | " + fwdStreams.format() + " |");
        }
        out.println();
        if (r.get("memoryReadGBps") != null) {
            out.printf(Locale.ROOT, "decode reads %.1f GB/s of weights; a STREAM-like read with %d threads: %.1f GB/s%n",
                    (double) r.get("tgWeightGBps"), o.threads(), (double) r.get("memoryReadGBps"));
        }
        if (r.get("tgAllocatedBytesPerToken") != null) {
            out.printf(Locale.ROOT, "decode path allocation: %d bytes per token (all threads, after the timed runs)%n",
                    (long) r.get("tgAllocatedBytesPerToken"));
        }
        out.printf(Locale.ROOT, "time to ready: %.0f ms (%s)%s%n", (double) r.get("readyMs"),
                r.get("readyStepsMs"), r.get("jvmUptimeAtReadyMs") == null ? ""
                        : String.format(Locale.ROOT, "; %d ms from JVM start", (long) r.get("jvmUptimeAtReadyMs")));
        if (mem.vmRss() >= 0) {
            out.printf(Locale.ROOT, "memory: VmRSS %.0f MiB, VmHWM %.0f MiB (anon %.0f MiB, file %.0f MiB); "
                            + "file %.0f MiB + KV %.0f MiB; overhead %.0f MiB%n",
                    mem.vmRss() / 1048576.0, mem.vmHwm() / 1048576.0, mem.rssAnon() / 1048576.0,
                    mem.rssFile() / 1048576.0, fileBytes / 1048576.0, kvBytes / 1048576.0,
                    (mem.vmHwm() - fileBytes - kvBytes) / 1048576.0);
            Map<String, Object> jm = (Map<String, Object>) r.get("memory");
            out.printf(Locale.ROOT, "java heap: committed %.0f MiB, used %.0f MiB; non-heap committed %.0f MiB%n",
                    (long) jm.get("heapCommittedBytes") / 1048576.0, (long) jm.get("heapUsedBytes") / 1048576.0,
                    (long) jm.get("nonHeapCommittedBytes") / 1048576.0);
        }
    }

    @SuppressWarnings("unchecked")
    private static String fmt(Map<String, Object> m) {
        return String.format(Locale.ROOT, "%.2f ± %.2f", (double) m.get("mean"), (double) m.get("sd"));
    }
}
