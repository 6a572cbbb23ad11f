package dev.neox4j.bench;

import dev.neox4j.engine.checkpoint.FileType;
import dev.neox4j.bench.NeoxModelGenerator.Mix;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * Options of {@link Bench}, read from system properties {@code bench.*} (see {@link #HELP}).
 *
 * @param shape        shape preset of the generated model (ignored with {@code model})
 * @param fileType     llama file type of the generated model
 * @param mix          tensor type mix: llama-quantize's default per-tensor mix or every matrix of the base type
 * @param threads      worker threads (llama-bench {@code -t})
 * @param pp           prompt tokens evaluated in one batch ({@code pp<N>})
 * @param tg           tokens generated one at a time ({@code tg<M>})
 * @param reps         repetitions of each test
 * @param streams      concurrent sequences for the aggregate decode test (1 = no such test)
 * @param model        an existing GGUF file to measure instead of a generated one, or null
 * @param kernels      kernel family: auto, vector or scalar
 * @param dir          where generated models are cached
 * @param seed         random seed of generated models
 * @param generateOnly only generate (or find) the model file, print its path and exit
 * @param warmup       whether to run one untimed pp and tg pass first (llama-bench does too)
 */
record BenchOptions(String shape, FileType fileType, Mix mix, int threads, int pp, int tg, int reps, int streams,
                    Path model, String kernels, Path dir, long seed, boolean generateOnly, boolean warmup) {

    static final String HELP = """
            neox4j bench: llama-bench-style prompt/decode throughput of a GPT-NeoX GGUF, measured on the model layer.
            System properties (with ./mvnw exec:exec@bench pass them as -Dbench.x=...):
              bench.shape     tiny | pythia-70m | pythia-160m | pythia-410m | pythia-1b | pythia-1.4b (default)
                              | pythia-2.8b | pythia-6.9b | pythia-12b
              bench.type      llama file type (Q4_0 default, Q8_0, Q4_K_M, F16, ...) or weight type (Q4_K, ...)
              bench.mix       default (llama-quantize's per-tensor mix, default) | pure (every matrix of the type)
              bench.threads   worker threads (default 0 = available processors)
              bench.pp        prompt tokens per pp test (128)
              bench.tg        generated tokens per tg test (32)
              bench.reps      repetitions (3)
              bench.streams   >1: aggregate decode of N concurrent sequences, through the Engine and through
                              one batched forward pass per step (1)
              bench.model     measure this GGUF file instead of generating one
              bench.kernels   auto | vector | scalar (auto)
              bench.dir       cache of generated models (target/bench-models)
              bench.seed      seed of generated models (42)
              bench.generateOnly  true: only generate the file and print its path
              bench.warmup    false: skip the untimed warm-up pass (default true)
            """;

    /** Parses the {@code bench.*} properties; empty values mean the default. */
    static BenchOptions from(Properties p) {
        String shape = get(p, "bench.shape", "pythia-1.4b").toLowerCase(Locale.ROOT);
        NeoxModelGenerator.preset(shape); // validates the name
        FileType ft = NeoxModelGenerator.parseFileType(get(p, "bench.type", "Q4_0"));
        String mixName = get(p, "bench.mix", "default").toLowerCase(Locale.ROOT);
        Mix mix = switch (mixName) {
            case "default", "llama", "llama_default" -> Mix.LLAMA_DEFAULT;
            case "pure" -> Mix.PURE;
            default -> throw new IllegalArgumentException("bench.mix must be default or pure, got '" + mixName + "'");
        };
        int threads = intOpt(p, "bench.threads", 0, 0, 1024);
        if (threads == 0) {
            threads = Runtime.getRuntime().availableProcessors();
        }
        String model = get(p, "bench.model", "");
        String kernels = get(p, "bench.kernels", "auto").toLowerCase(Locale.ROOT);
        if (!kernels.equals("auto") && !kernels.equals("vector") && !kernels.equals("scalar")) {
            throw new IllegalArgumentException("bench.kernels must be auto, vector or scalar, got '" + kernels + "'");
        }
        return new BenchOptions(shape, ft, mix, threads,
                intOpt(p, "bench.pp", 128, 1, 8192),
                intOpt(p, "bench.tg", 32, 1, 8192),
                intOpt(p, "bench.reps", 3, 1, 1000),
                intOpt(p, "bench.streams", 1, 1, 256),
                model.isEmpty() ? null : Path.of(model),
                kernels,
                Path.of(get(p, "bench.dir", "target/bench-models")),
                Long.parseLong(get(p, "bench.seed", "42")),
                Boolean.parseBoolean(get(p, "bench.generateOnly", "false")),
                Boolean.parseBoolean(get(p, "bench.warmup", "true")));
    }

    /** The trimmed value of {@code key}; unset or blank (an unset Maven property) means {@code dflt}. */
    static String get(Properties p, String key, String dflt) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    /** The integer value of {@code key} in {@code min..max}. @throws IllegalArgumentException naming the key */
    static int intOpt(Properties p, String key, int dflt, int min, int max) {
        String v = get(p, key, Integer.toString(dflt));
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " must be in " + min + ".." + max + ", got " + n);
        }
        return n;
    }

    /** The cached file of a generated model: {@code <dir>/<shape>-<type>[-pure][-seed<s>].gguf}. */
    Path generatedPath() {
        String name = shape + "-" + fileType.name() + (mix == Mix.PURE ? "-pure" : "")
                + (seed != 42 ? "-seed" + seed : "") + ".gguf";
        return dir.resolve(name);
    }

    /** KV positions per sequence: room for the prompt and the generated tokens, at least 512 (as the script). */
    int contextLength() {
        return Math.max(512, pp + tg + 8);
    }
}
