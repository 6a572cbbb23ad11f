package dev.neox4j.engine.runtime;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.model.NeoxHParams;
import dev.neox4j.engine.model.NeoxModelGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The built-in demo model, served when no model file is configured: a small GPT-NeoX network with the real
 * GPT-NeoX / Pythia tokenizer (classpath {@code /demo/gpt-neox-tokenizer.gguf}, 50432 tokens) and seeded random
 * Q8_0 weights (n_embd 128, 4 heads, n_rot 8, 2 layers, n_ff 512). Its text is noise, but every code path (API,
 * streaming, batching, logprobs) works on it. The file is written once with {@link NeoxModelGenerator} to
 * {@code ${java.io.tmpdir}/neox4j-demo-<version>.gguf} and then loaded through the normal memory-mapped path.
 */
public final class DemoModel {
    private static final System.Logger LOG = System.getLogger(DemoModel.class.getName());

    /** Bumped whenever the recipe below changes, so stale cached files are not reused. */
    public static final String VERSION = "1";
    /** {@code general.name} of the demo file. */
    public static final String NAME = "neox4j-demo-v" + VERSION;
    private static final long SEED = 20240601L;
    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();

    private DemoModel() {
    }

    /** The shape of the demo network (the vocabulary is the tokenizer's). */
    public static NeoxHParams shape() {
        return new NeoxHParams(50432, 2048, 128, 2, 512, 4, 8, 10000f, 1e-5f, true);
    }

    /** Where the demo file is cached. */
    public static Path cachedPath() {
        return Path.of(System.getProperty("java.io.tmpdir"), "neox4j-demo-" + VERSION + ".gguf");
    }

    /** The demo GGUF file, written first if it is not cached yet (or the cached copy is unusable). */
    public static synchronized Path path() throws IOException {
        Path p = cachedPath();
        if (!usable(p)) {
            long t0 = System.nanoTime();
            Files.createDirectories(p.toAbsolutePath().getParent());
            NeoxModelGenerator.builder(shape()).weightType(GgmlType.Q8_0).seed(SEED).name(NAME)
                    .outputScale(3f).build().write(p);
            LOG.log(System.Logger.Level.INFO, String.format("wrote the demo model to %s in %.0f ms", p,
                    (System.nanoTime() - t0) / 1e6));
        }
        if (ANNOUNCED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "no model configured: serving the built-in DEMO model ("
                    + "real GPT-NeoX tokenizer, random weights, so its text is noise). Point neox.model (env "
                    + "NEOX_MODEL) at a Pythia GGUF file, e.g. NEOX_MODEL=/models/pythia-410m.Q8_0.gguf, to serve a "
                    + "real model");
        }
        return p;
    }

    private static boolean usable(Path p) {
        if (!Files.isRegularFile(p)) {
            return false;
        }
        try (GgufFile f = GgufFile.open(p)) {
            return NAME.equals(f.metadata().getString("general.name", ""))
                    && f.findTensor("output.weight").isPresent();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cached demo model " + p + " is unusable (" + e.getMessage()
                    + "); writing it again");
            return false;
        }
    }
}
