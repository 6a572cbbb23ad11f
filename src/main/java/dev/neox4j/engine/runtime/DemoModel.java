package dev.neox4j.engine.runtime;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.model.DemoWeights;
import dev.neox4j.engine.model.NeoxHParams;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The built-in demo model, served when no model file is configured (and by the LangChain4j builders'
 * {@code demoModel()}): a small GPT-NeoX network with the real GPT-NeoX / Pythia tokenizer (classpath
 * {@value #TOKENIZER_RESOURCE}, 50432 tokens) and seeded random Q8_0 weights (n_embd 128, 4 heads, n_rot 8,
 * 2 layers, n_ff 512). Its text is noise, but every code path (API, streaming, batching, logprobs) works on it.
 * The file is written once with {@link DemoWeights} to {@code ${java.io.tmpdir}/neox4j-demo-<version>.gguf} and
 * then loaded through the normal memory-mapped path.
 */
public final class DemoModel {
    private static final System.Logger LOG = System.getLogger(DemoModel.class.getName());

    /** Bumped whenever the recipe below changes, so stale cached files are not reused. */
    public static final String VERSION = "3";
    /** The tokenizer of the demo model (the GPT-NeoX-20B / Pythia vocabulary), a classpath resource. */
    public static final String TOKENIZER_RESOURCE = "/demo/gpt-neox-tokenizer.gguf";
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
            DemoWeights.write(p, shape(), tokenizer(), NAME, SEED, 3f);
            LOG.log(System.Logger.Level.INFO, String.format("wrote the demo model to %s in %.0f ms", p,
                    (System.nanoTime() - t0) / 1e6));
        }
        if (ANNOUNCED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "using the built-in DEMO model (real GPT-NeoX tokenizer, random "
                    + "weights, so its text is noise). For a real model point the service's neox.model (env "
                    + "NEOX_MODEL), or a LangChain4j builder's modelPath(...), at a Pythia GGUF file, e.g. "
                    + "/models/pythia-410m.Q8_0.gguf");
        }
        return p;
    }

    /** The metadata of the tokenizer resource. */
    public static GgufMetadata tokenizer() throws IOException {
        try (InputStream in = DemoModel.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (in == null) {
                throw new IOException("classpath resource " + TOKENIZER_RESOURCE + " not found");
            }
            try (GgufFile f = GgufFile.read(in.readAllBytes(), "gpt-neox-tokenizer.gguf")) {
                return f.metadata();
            }
        }
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
