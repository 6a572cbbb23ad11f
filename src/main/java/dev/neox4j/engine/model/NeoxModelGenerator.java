package dev.neox4j.engine.model;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.gguf.GgufValue;
import dev.neox4j.engine.gguf.GgufValueType;
import dev.neox4j.engine.gguf.GgufWriter;
import dev.neox4j.engine.tensor.TensorCodecs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Writes a GPT-NeoX GGUF file with seeded random weights for a given shape and file type, plus the tokenizer
 * metadata of a tokenizer GGUF (by default the demo GPT-NeoX tokenizer on the classpath).
 *
 * <p>Layout, key names and tensor names follow docs/gpt-neox.md ("Hyper-parameters", "Tensors"); per-tensor types
 * follow llama-quantize's mix rules (docs/quantization.md, "Which type each tensor gets") with
 * {@link Mix#LLAMA_DEFAULT}, or use the file type's base type for every matrix with {@link Mix#PURE}. 1-D tensors
 * (norms, biases) are always F32.
 *
 * <p>Weights (same recipe as the test fixtures): {@code token_embd} normal with std 1; matrices normal with
 * std {@code matrixScale / sqrt(fan_in)} ({@code outputScale} for the LM head); LayerNorm weights
 * {@code 1 + 0.2 N}; LayerNorm and linear biases {@code 0.1 N}. N is a cheap bounded approximation of a standard
 * normal (sum of four uniforms, scaled to unit variance). Each tensor has its own random stream derived from
 * the seed, its name and the chunk index, so the values do not depend on the file type.
 *
 * <p>Tensor data is generated and encoded in row chunks while the file is written ({@link GgufWriter} with a
 * streaming source), so a pythia-12b-shaped file of several GB never sits in memory. Chunks are drawn and
 * encoded in parallel on the generator's own small thread pool ({@link Builder#threads}) and written in order;
 * every chunk has its own random stream seeded from (seed, tensor name, chunk index), so the same seed gives
 * the same bytes whatever the thread count.
 *
 * <p>Vocabulary: {@code n_vocab} may differ from the tokenizer's token count. If it is larger, the tokenizer is
 * padded with {@code [PAD<id>]} tokens of type UNUSED (5); if smaller, the first {@code n_vocab} tokens are
 * kept together with the merges whose parts and result all stay below {@code n_vocab} (this is how the test
 * fixtures' 512-token vocabulary was made), and special-token ids that would point outside are dropped.
 */
public final class NeoxModelGenerator {
    private static final System.Logger LOG = System.getLogger(NeoxModelGenerator.class.getName());

    /** Classpath location of the demo tokenizer (the real GPT-NeoX-20B / Pythia vocabulary, 50432 tokens). */
    public static final String DEFAULT_TOKENIZER_RESOURCE = "/demo/gpt-neox-tokenizer.gguf";
    /** Token type written for padding tokens (llama.cpp LLAMA_TOKEN_TYPE_UNUSED). */
    public static final int TOKEN_TYPE_UNUSED = 5;
    /** Floats generated per chunk (bounded memory whatever the tensor size). */
    private static final int CHUNK_FLOATS = 1 << 20;

    /** How matrix types are chosen for a file type. */
    public enum Mix {
        /** Every matrix uses the file type's base type (llama-quantize {@code --pure}). */
        PURE,
        /** llama-quantize's default per-tensor mix (e.g. Q6_K LM head, Q5_K attn_qkv for Q4_K_M). */
        LLAMA_DEFAULT
    }

    /** llama.cpp file types ({@code general.file_type}, llama_ftype) that neox4j can produce. */
    public enum FileType {
        F32(0, GgmlType.F32),
        F16(1, GgmlType.F16),
        BF16(32, GgmlType.BF16),
        Q4_0(2, GgmlType.Q4_0),
        Q4_1(3, GgmlType.Q4_1),
        Q5_0(8, GgmlType.Q5_0),
        Q5_1(9, GgmlType.Q5_1),
        Q8_0(7, GgmlType.Q8_0),
        Q2_K(10, GgmlType.Q2_K),
        Q3_K_S(11, GgmlType.Q3_K),
        Q3_K_M(12, GgmlType.Q3_K),
        Q3_K_L(13, GgmlType.Q3_K),
        Q4_K_S(14, GgmlType.Q4_K),
        Q4_K_M(15, GgmlType.Q4_K),
        Q5_K_S(16, GgmlType.Q5_K),
        Q5_K_M(17, GgmlType.Q5_K),
        Q6_K(18, GgmlType.Q6_K);

        /** {@code general.file_type} value. */
        public final int id;
        /** The type of most matrices. */
        public final GgmlType baseType;

        FileType(int id, GgmlType baseType) {
            this.id = id;
            this.baseType = baseType;
        }

        /** Whether the base type is a float type (no mixing happens then). */
        public boolean isFloat() {
            return !baseType.isQuantized();
        }

        /**
         * The file type for a tensor type; the K-quant types map to their {@code _M} variants as llama-quantize's
         * aliases do ({@code Q3_K -> Q3_K_M}, {@code Q4_K -> Q4_K_M}, {@code Q5_K -> Q5_K_M}).
         */
        public static FileType of(GgmlType type) {
            return switch (type) {
                case F32 -> F32;
                case F16 -> F16;
                case BF16 -> BF16;
                case Q4_0 -> Q4_0;
                case Q4_1 -> Q4_1;
                case Q5_0 -> Q5_0;
                case Q5_1 -> Q5_1;
                case Q8_0 -> Q8_0;
                case Q2_K -> Q2_K;
                case Q3_K -> Q3_K_M;
                case Q4_K -> Q4_K_M;
                case Q5_K -> Q5_K_M;
                case Q6_K -> Q6_K;
                default -> throw new IllegalArgumentException("no file type for tensor type " + type);
            };
        }

        /**
         * Parses a name such as {@code q4_k_m}, {@code Q8_0}, {@code f16} or a tensor type name such as {@code Q4_K}.
         */
        public static FileType parse(String name) {
            String n = name.trim().toUpperCase(Locale.ROOT);
            for (FileType f : values()) {
                if (f.name().equals(n)) {
                    return f;
                }
            }
            for (GgmlType t : GgmlType.values()) {
                if (t.name().equals(n) && TensorCodecs.isSupported(t)) {
                    return of(t);
                }
            }
            throw new IllegalArgumentException("unknown file type '" + name + "' (known: "
                    + Arrays.toString(values()) + ")");
        }
    }

    // ---------------------------------------------------------------- presets

    private static final Map<String, NeoxHParams> PRESETS = new LinkedHashMap<>();

    static {
        // name, n_layer, n_embd, n_head, n_ff, n_rot, n_vocab (docs/gpt-neox.md, "Hyper-parameters")
        preset("tiny", 2, 256, 4, 1024, 16, 512);
        preset("pythia-70m", 6, 512, 8, 2048, 16, 50304);
        preset("pythia-160m", 12, 768, 12, 3072, 16, 50304);
        preset("pythia-410m", 24, 1024, 16, 4096, 16, 50304);
        preset("pythia-1b", 16, 2048, 8, 8192, 64, 50304);
        preset("pythia-1.4b", 24, 2048, 16, 8192, 32, 50304);
        preset("pythia-2.8b", 32, 2560, 32, 10240, 20, 50304);
        preset("pythia-6.9b", 32, 4096, 32, 16384, 32, 50432);
        preset("pythia-12b", 36, 5120, 40, 20480, 32, 50688);
    }

    private static void preset(String name, int layers, int embd, int heads, int ff, int rot, int vocab) {
        PRESETS.put(name, new NeoxHParams(vocab, 2048, embd, layers, ff, heads, rot, 10000f, 1e-5f, true));
    }

    /** Names of the shape presets: {@code tiny} (the fixtures' shape) and the Pythia sizes 70m … 12b. */
    public static List<String> presetNames() {
        return List.copyOf(PRESETS.keySet());
    }

    /** A shape preset (see {@link #presetNames()}). */
    public static NeoxHParams preset(String name) {
        NeoxHParams hp = PRESETS.get(name.toLowerCase(Locale.ROOT));
        if (hp == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "' (known: " + PRESETS.keySet() + ")");
        }
        return hp;
    }

    // ---------------------------------------------------------------- mix rules

    /**
     * llama-quantize's {@code use_more_bits(i, n)}: the first and last eighth of the layers and every third one
     * in between.
     */
    static boolean useMoreBits(int layer, int nLayer) {
        return layer < nLayer / 8 || layer >= 7 * nLayer / 8 || (layer - nLayer / 8) % 3 == 2;
    }

    /**
     * The type of a 2-D weight tensor (docs/quantization.md, "Which type each tensor gets"), including llama-quantize's
     * fallback when the row length {@code ne0} is not a multiple of the block size (Q4_K → Q5_0, Q5_K → Q5_1, Q6_K →
     * Q8_0, Q2_K/Q3_K → Q4_0 where llama.cpp would use IQ4_NL, which neox4j does not support; then F16).
     *
     * @param tensorName GGUF tensor name, e.g. {@code blk.3.ffn_down.weight}
     */
    public static GgmlType matrixType(FileType fileType, Mix mix, String tensorName, int nLayer, long ne0) {
        GgmlType t = mix == Mix.PURE || fileType.isFloat() ? fileType.baseType
                : mixedType(fileType, tensorName, nLayer);
        if (ne0 % t.blockElems != 0) {
            t = switch (t) {
                case Q2_K, Q3_K -> GgmlType.Q4_0;
                case Q4_K -> GgmlType.Q5_0;
                case Q5_K -> GgmlType.Q5_1;
                case Q6_K -> GgmlType.Q8_0;
                default -> t;
            };
            if (ne0 % t.blockElems != 0) {
                t = GgmlType.F16;
            }
        }
        return t;
    }

    private static GgmlType mixedType(FileType ft, String name, int nLayer) {
        GgmlType base = ft.baseType;
        if (name.equals("output.weight")) {
            return base == GgmlType.Q8_0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
        }
        if (name.equals("token_embd.weight")) {
            return base;
        }
        int layer = layerOf(name);
        if (name.endsWith(".attn_qkv.weight")) {
            return switch (ft) {
                case Q3_K_M, Q3_K_L -> GgmlType.Q4_K;
                case Q4_K_M -> GgmlType.Q5_K;
                case Q5_K_M -> GgmlType.Q6_K;
                default -> base;
            };
        }
        if (name.endsWith(".attn_output.weight")) {
            return switch (ft) {
                case Q2_K -> GgmlType.Q3_K;
                case Q3_K_M -> GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                default -> base;
            };
        }
        if (name.endsWith(".ffn_down.weight")) {
            return switch (ft) {
                case Q2_K -> GgmlType.Q3_K;
                case Q3_K_M -> layer < nLayer / 16 ? GgmlType.Q5_K : GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                case Q4_K_S -> layer < nLayer / 8 ? GgmlType.Q5_K : GgmlType.Q4_K;
                case Q4_K_M -> useMoreBits(layer, nLayer) ? GgmlType.Q6_K : GgmlType.Q4_K;
                case Q5_K_M -> useMoreBits(layer, nLayer) ? GgmlType.Q6_K : GgmlType.Q5_K;
                default -> base;
            };
        }
        return base; // ffn_up and anything else
    }

    private static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return 0;
        }
        int end = name.indexOf('.', 4);
        return Integer.parseInt(name.substring(4, end));
    }

    // ---------------------------------------------------------------- generator

    /** How one tensor's values are drawn. */
    private enum Init { EMBEDDING, MATRIX, OUTPUT, NORM_WEIGHT, BIAS }

    private record Planned(String name, GgmlType type, long[] ne, Init init) {
    }

    private final NeoxHParams hp;
    private final FileType fileType;
    private final Mix mix;
    private final long seed;
    private final String name;
    private final GgufMetadata tokenizer;
    private final float matrixScale;
    private final float outputScale;
    private final int threads;
    private final int chunkFloats;

    private NeoxModelGenerator(Builder b) {
        this.hp = b.hparams;
        this.fileType = b.fileType;
        this.mix = b.mix;
        this.seed = b.seed;
        this.name = b.name;
        this.tokenizer = b.tokenizer;
        this.matrixScale = b.matrixScale;
        this.outputScale = b.outputScale;
        this.threads = b.threads;
        this.chunkFloats = b.chunkFloats;
    }

    /** A builder for a model of this shape (F32, {@link Mix#LLAMA_DEFAULT}, seed 42, the demo tokenizer). */
    public static Builder builder(NeoxHParams shape) {
        return new Builder(shape);
    }

    /** Options of a generated model. */
    public static final class Builder {
        private final NeoxHParams hparams;
        private FileType fileType = FileType.F32;
        private Mix mix = Mix.LLAMA_DEFAULT;
        private long seed = 42;
        private String name;
        private GgufMetadata tokenizer;
        private float matrixScale = 1f;
        private float outputScale = 1f;
        private int threads = Math.min(Runtime.getRuntime().availableProcessors(), 8);
        private int chunkFloats = CHUNK_FLOATS;

        private Builder(NeoxHParams hparams) {
            this.hparams = Objects.requireNonNull(hparams, "hparams");
        }

        /** The llama file type (default F32). */
        public Builder fileType(FileType fileType) {
            this.fileType = Objects.requireNonNull(fileType);
            return this;
        }

        /** Every matrix of this type ({@link Mix#PURE}). */
        public Builder weightType(GgmlType type) {
            this.fileType = FileType.of(type);
            this.mix = Mix.PURE;
            return this;
        }

        /** Mix rule (default {@link Mix#LLAMA_DEFAULT}). */
        public Builder mix(Mix mix) {
            this.mix = Objects.requireNonNull(mix);
            return this;
        }

        /** Random seed (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** {@code general.name} (default {@code neox4j-random-<E>x<L>-seed<seed>}). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Tokenizer keys ({@code tokenizer.*}) are copied from this metadata. */
        public Builder tokenizer(GgufMetadata tokenizerMetadata) {
            this.tokenizer = Objects.requireNonNull(tokenizerMetadata);
            return this;
        }

        /** Tokenizer keys are copied from this GGUF file. */
        public Builder tokenizer(Path tokenizerGguf) throws IOException {
            try (GgufFile f = GgufFile.open(tokenizerGguf)) {
                return tokenizer(f.metadata());
            }
        }

        /** Multiplies the std of every matrix except the LM head (default 1: std = 1/sqrt(fan_in)). */
        public Builder matrixScale(float scale) {
            this.matrixScale = scale;
            return this;
        }

        /** Multiplies the std of the LM head {@code output.weight} (default 1); larger gives peakier outputs. */
        public Builder outputScale(float scale) {
            this.outputScale = scale;
            return this;
        }

        /**
         * Threads of the generator's own pool that draw and encode chunks while the file is written (default:
         * available processors, at most 8). The output does not depend on it.
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * Floats per random chunk (default 2^20; tests use small chunks to exercise many chunks per tensor).
         * Unlike {@link #threads}, this changes the output.
         */
        Builder chunkFloats(int chunkFloats) {
            if (chunkFloats < 1) {
                throw new IllegalArgumentException("chunkFloats must be at least 1");
            }
            this.chunkFloats = chunkFloats;
            return this;
        }

        public NeoxModelGenerator build() throws IOException {
            if (tokenizer == null) {
                tokenizer = demoTokenizer();
            }
            if (name == null) {
                name = "neox4j-random-" + hparams.embeddingLength() + "x" + hparams.blockCount() + "-seed" + seed;
            }
            return new NeoxModelGenerator(this);
        }
    }

    /** Metadata of the demo tokenizer on the classpath ({@link #DEFAULT_TOKENIZER_RESOURCE}). */
    public static GgufMetadata demoTokenizer() throws IOException {
        try (InputStream in = NeoxModelGenerator.class.getResourceAsStream(DEFAULT_TOKENIZER_RESOURCE)) {
            if (in == null) {
                throw new IOException("classpath resource " + DEFAULT_TOKENIZER_RESOURCE + " not found");
            }
            try (GgufFile f = GgufFile.read(in.readAllBytes(), "gpt-neox-tokenizer.gguf")) {
                return f.metadata();
            }
        }
    }

    /** The hyper-parameters written. */
    public NeoxHParams hparams() {
        return hp;
    }

    /**
     * The tensors that {@link #write} produces, in file order, with their types, shapes and data offsets
     * (relative to the data section).
     */
    public List<GgufTensorInfo> plan() {
        List<GgufTensorInfo> out = new ArrayList<>();
        long offset = 0;
        for (Planned p : planned()) {
            long bytes = GgufWriter.tensorBytes(p.type(), p.ne());
            out.add(new GgufTensorInfo(p.name(), p.type(), p.ne(), offset, bytes));
            offset += Math.ceilDiv(bytes, 32) * 32;
        }
        return out;
    }

    private List<Planned> planned() {
        long e = hp.embeddingLength();
        long f = hp.feedForwardLength();
        long v = hp.vocabSize();
        int nl = hp.blockCount();
        List<Planned> out = new ArrayList<>();
        out.add(matrix("token_embd.weight", new long[] {e, v}, Init.EMBEDDING, nl));
        for (int i = 0; i < nl; i++) {
            String b = "blk." + i + ".";
            out.add(vector(b + "attn_norm.weight", e, Init.NORM_WEIGHT));
            out.add(vector(b + "attn_norm.bias", e, Init.BIAS));
            out.add(matrix(b + "attn_qkv.weight", new long[] {e, 3 * e}, Init.MATRIX, nl));
            out.add(vector(b + "attn_qkv.bias", 3 * e, Init.BIAS));
            out.add(matrix(b + "attn_output.weight", new long[] {e, e}, Init.MATRIX, nl));
            out.add(vector(b + "attn_output.bias", e, Init.BIAS));
            out.add(vector(b + "ffn_norm.weight", e, Init.NORM_WEIGHT));
            out.add(vector(b + "ffn_norm.bias", e, Init.BIAS));
            out.add(matrix(b + "ffn_up.weight", new long[] {e, f}, Init.MATRIX, nl));
            out.add(vector(b + "ffn_up.bias", f, Init.BIAS));
            out.add(matrix(b + "ffn_down.weight", new long[] {f, e}, Init.MATRIX, nl));
            out.add(vector(b + "ffn_down.bias", e, Init.BIAS));
        }
        out.add(vector("output_norm.weight", e, Init.NORM_WEIGHT));
        out.add(vector("output_norm.bias", e, Init.BIAS));
        out.add(matrix("output.weight", new long[] {e, v}, Init.OUTPUT, nl));
        return out;
    }

    private Planned matrix(String tensor, long[] ne, Init init, int nLayer) {
        return new Planned(tensor, matrixType(fileType, mix, tensor, nLayer, ne[0]), ne, init);
    }

    private static Planned vector(String tensor, long n, Init init) {
        return new Planned(tensor, GgmlType.F32, new long[] {n}, init);
    }

    /** Writes the model atomically to {@code out}. */
    public void write(Path out) throws IOException {
        long t0 = System.nanoTime();
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", NeoxHParams.ARCHITECTURE);
        w.putString("general.name", name);
        String a = NeoxHParams.ARCHITECTURE + ".";
        w.putUInt32(a + "context_length", hp.contextLength());
        w.putUInt32(a + "embedding_length", hp.embeddingLength());
        w.putUInt32(a + "block_count", hp.blockCount());
        w.putUInt32(a + "feed_forward_length", hp.feedForwardLength());
        w.putUInt32(a + "rope.dimension_count", hp.ropeDims());
        w.putUInt32(a + "attention.head_count", hp.headCount());
        w.putBool(a + "use_parallel_residual", hp.parallelResidual());
        w.putFloat32(a + "attention.layer_norm_epsilon", hp.layerNormEps());
        if (hp.ropeFreqBase() != 10000f) {
            w.putFloat32(a + "rope.freq_base", hp.ropeFreqBase());
        }
        w.putUInt32("general.file_type", fileType.id);
        putTokenizer(w, tokenizer, hp.vocabSize());
        w.putUInt32("general.quantization_version", 2);
        try (ChunkPipeline pipe = new ChunkPipeline(threads)) {
            for (Planned p : planned()) {
                w.addTensor(p.name(), p.type(), p.ne(), os -> generate(p, os, pipe));
            }
            w.write(out);
        }
        LOG.log(System.Logger.Level.INFO, "wrote {0} ({1} layers, n_embd {2}, {3}, {4}) in {5} ms on {6} threads",
                out, hp.blockCount(), hp.embeddingLength(), fileType, mix, (System.nanoTime() - t0) / 1_000_000,
                threads);
    }

    /** Mean and std of a tensor's values (class comment). */
    private float[] distribution(Planned p) {
        float ne0 = p.ne()[0];
        return switch (p.init()) {
            case EMBEDDING -> new float[] {0f, 1f};
            case MATRIX -> new float[] {0f, matrixScale / (float) Math.sqrt(ne0)};
            case OUTPUT -> new float[] {0f, outputScale / (float) Math.sqrt(ne0)};
            case NORM_WEIGHT -> new float[] {1f, 0.2f};
            case BIAS -> new float[] {0f, 0.1f};
        };
    }

    /**
     * Draws and encodes one tensor, chunk by chunk: up to {@code 2 * threads} chunks are drawn and encoded on
     * the pool while the calling thread writes finished chunks in order. Chunk {@code c} (rows
     * {@code [c * rowsPerChunk, (c + 1) * rowsPerChunk)}) has its own random stream seeded from
     * {@code (seed, tensor name, c)}, and the chunk layout depends only on the row length, so the bytes do not
     * depend on the thread count.
     */
    private void generate(Planned p, OutputStream os, ChunkPipeline pipe) throws IOException {
        long ne0 = p.ne()[0];
        long rows = 1;
        for (int i = 1; i < p.ne().length; i++) {
            rows *= p.ne()[i];
        }
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, chunkFloats / ne0));
        long chunks = Math.ceilDiv(rows, rowsPerChunk);
        float[] dist = distribution(p);
        long tSeed = tensorSeed(seed, p.name());
        GgmlType type = p.type();
        for (long c = 0; c < chunks; c++) {
            int n = (int) (Math.min(rowsPerChunk, rows - c * rowsPerChunk) * ne0);
            long chunkSeed = chunkSeed(tSeed, c);
            pipe.submit(n, type, (buf, bytes) -> {
                SplittableRandom rnd = new SplittableRandom(chunkSeed);
                float mean = dist[0];
                float std = dist[1];
                for (int i = 0; i < n; i++) {
                    buf[i] = mean + std * normal(rnd);
                }
                return (int) TensorCodecs.quantize(type, buf, 0, n, MemorySegment.ofArray(bytes), 0);
            }, os);
        }
        pipe.drain(os);
    }

    /** Seed of chunk {@code c} of a tensor (a SplitMix64 finaliser of the pair). */
    static long chunkSeed(long tensorSeed, long c) {
        long z = tensorSeed + (c + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Standard-normal approximation: four 16-bit uniforms summed (Irwin-Hall), scaled to unit variance. */
    static float normal(SplittableRandom rnd) {
        long x = rnd.nextLong();
        int s = (int) (x & 0xFFFF) + (int) ((x >>> 16) & 0xFFFF) + (int) ((x >>> 32) & 0xFFFF) + (int) (x >>> 48);
        // mean 4 * 32767.5, variance 4 * (65536^2 - 1) / 12
        return (s - 131070f) * (float) (1.0 / Math.sqrt(4.0 * (65536.0 * 65536.0 - 1.0) / 12.0));
    }

    private static long tensorSeed(long seed, String tensor) {
        long h = seed ^ 0x9E3779B97F4A7C15L;
        for (int i = 0; i < tensor.length(); i++) {
            h = (h ^ tensor.charAt(i)) * 0x100000001B3L;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h;
    }

    // ---------------------------------------------------------------- tokenizer

    /**
     * Copies the {@code tokenizer.*} keys of {@code tok} into {@code w}, resized to {@code nVocab} tokens
     * (see the class comment).
     */
    static void putTokenizer(GgufWriter w, GgufMetadata tok, int nVocab) {
        String[] tokens = tok.getStringArray("tokenizer.ggml.tokens");
        int have = tokens.length;
        for (Map.Entry<String, GgufValue> e : tok.entries().entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("tokenizer.")) {
                continue;
            }
            GgufValue v = e.getValue();
            switch (key) {
                case "tokenizer.ggml.tokens" -> w.putStringArray(key, resizeTokens(tokens, nVocab));
                case "tokenizer.ggml.token_type" -> w.put(key, resizeTokenTypes(v, have, nVocab));
                case "tokenizer.ggml.scores" -> {
                    float[] s = Arrays.copyOf(tok.getFloatArray(key), nVocab);
                    w.putFloat32Array(key, s);
                }
                case "tokenizer.ggml.merges" -> w.putStringArray(key,
                        nVocab >= have ? tok.getStringArray(key) : keptMerges(tok.getStringArray(key), tokens, nVocab));
                default -> {
                    if (key.endsWith("_token_id") && !v.isArray() && v.type().isInteger()
                            && tok.getLong(key) >= nVocab) {
                        continue; // special token outside the smaller vocabulary
                    }
                    w.put(key, v);
                }
            }
        }
    }

    private static String[] resizeTokens(String[] tokens, int nVocab) {
        String[] out = Arrays.copyOf(tokens, nVocab);
        for (int i = tokens.length; i < nVocab; i++) {
            out[i] = "[PAD" + i + "]";
        }
        return out;
    }

    private static GgufValue resizeTokenTypes(GgufValue v, int have, int nVocab) {
        if (!v.isArray() || v.length() != have) {
            throw new IllegalArgumentException("tokenizer.ggml.token_type has " + v.length() + " entries for "
                    + have + " tokens");
        }
        Object raw = v.value();
        return switch (raw) {
            case int[] a -> {
                int[] out = Arrays.copyOf(a, nVocab);
                Arrays.fill(out, Math.min(have, nVocab), nVocab, TOKEN_TYPE_UNUSED);
                yield GgufValue.array(v.elementType(), out);
            }
            case byte[] a -> {
                byte[] out = Arrays.copyOf(a, nVocab);
                Arrays.fill(out, Math.min(have, nVocab), nVocab, (byte) TOKEN_TYPE_UNUSED);
                yield GgufValue.array(v.elementType(), out);
            }
            default -> throw new IllegalArgumentException("tokenizer.ggml.token_type has type " + v.typeName());
        };
    }

    /** Merges {@code "left right"} whose parts and result are all tokens with an id below {@code nVocab}. */
    private static String[] keptMerges(String[] merges, String[] tokens, int nVocab) {
        Map<String, Integer> ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) {
            ids.putIfAbsent(tokens[i], i);
        }
        List<String> kept = new ArrayList<>();
        for (String m : merges) {
            int sp = m.indexOf(' ', 1);
            if (sp < 0) {
                continue;
            }
            Integer l = ids.get(m.substring(0, sp));
            Integer r = ids.get(m.substring(sp + 1));
            Integer res = ids.get(m.substring(0, sp) + m.substring(sp + 1));
            if (l != null && r != null && res != null && l < nVocab && r < nVocab && res < nVocab) {
                kept.add(m);
            }
        }
        return kept.toArray(String[]::new);
    }

    // ---------------------------------------------------------------- command line

    /**
     * Command-line entry point: {@code NeoxModelGenerator <out.gguf> [preset=tiny] [fileType=F32] [pure|default]
     * [seed=42]}, e.g. {@code NeoxModelGenerator /tmp/p12b-q4_0.gguf pythia-12b Q4_0}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: NeoxModelGenerator <out.gguf> [preset " + PRESETS.keySet()
                    + "] [file type e.g. Q4_K_M] [pure|default] [seed]");
            System.exit(2);
        }
        NeoxHParams hp = preset(args.length > 1 ? args[1] : "tiny");
        Builder b = builder(hp).fileType(FileType.parse(args.length > 2 ? args[2] : "F32"));
        if (args.length > 3) {
            b.mix(args[3].equalsIgnoreCase("pure") ? Mix.PURE : Mix.LLAMA_DEFAULT);
        }
        if (args.length > 4) {
            b.seed(Long.parseLong(args[4]));
        }
        b.build().write(Path.of(args[0]));
        System.out.println("wrote " + args[0]);
    }
}
