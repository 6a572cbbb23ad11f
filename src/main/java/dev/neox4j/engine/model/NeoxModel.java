package dev.neox4j.engine.model;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.tensor.kernel.MatmulKernels;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufFormatException;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.gguf.GgufValue;
import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.WeightMatrix;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An immutable GPT-NeoX model: validated hyper-parameters plus every weight of docs/gpt-neox.md, "Tensors".
 * E = n_embd, F = n_ff, V = n_vocab.
 *
 * <p>2-D weights stay in the memory-mapped file as {@link WeightMatrix} views (any of the 13 supported types,
 * mixed freely); 1-D norms and biases are dequantized to f32 once. Token embeddings are dequantized row by
 * row on lookup ({@link #embed}). The model does not own the {@link GgufFile}: whoever opened it closes it,
 * after the last forward pass.
 */
public final class NeoxModel {

    private static final System.Logger LOG = System.getLogger(NeoxModel.class.getName());

    private static final String ARCH = NeoxHParams.ARCHITECTURE;
    /** Metadata keys (docs/gpt-neox.md, "Hyper-parameters"). */
    static final String KEY_ARCHITECTURE = "general.architecture";
    static final String KEY_FILE_TYPE = "general.file_type";
    static final String KEY_CONTEXT_LENGTH = ARCH + ".context_length";
    static final String KEY_EMBEDDING_LENGTH = ARCH + ".embedding_length";
    static final String KEY_BLOCK_COUNT = ARCH + ".block_count";
    static final String KEY_FEED_FORWARD_LENGTH = ARCH + ".feed_forward_length";
    static final String KEY_HEAD_COUNT = ARCH + ".attention.head_count";
    static final String KEY_HEAD_COUNT_KV = ARCH + ".attention.head_count_kv";
    static final String KEY_KEY_LENGTH = ARCH + ".attention.key_length";
    static final String KEY_VALUE_LENGTH = ARCH + ".attention.value_length";
    static final String KEY_LAYER_NORM_EPS = ARCH + ".attention.layer_norm_epsilon";
    static final String KEY_PARALLEL_RESIDUAL = ARCH + ".use_parallel_residual";
    static final String KEY_ROPE_DIMS = ARCH + ".rope.dimension_count";
    static final String KEY_ROPE_FREQ_BASE = ARCH + ".rope.freq_base";
    static final String KEY_ROPE_SCALING_TYPE = ARCH + ".rope.scaling.type";
    static final String KEY_ROPE_SCALE_LINEAR = ARCH + ".rope.scale_linear";
    static final String KEY_ROPE_SCALING_FACTOR = ARCH + ".rope.scaling.factor";
    static final String KEY_TOKENS = "tokenizer.ggml.tokens";

    /** Default rotary base: the converter does not write one for GPT-NeoX. */
    static final float DEFAULT_ROPE_FREQ_BASE = 10000.0f;

    private final GgufFile file;
    private final NeoxHParams hparams;
    private final WeightMatrix tokenEmbedding;   // [V][E]
    private final NeoxLayer[] layers;            // [n_layer]
    private final float[] outputNormWeight;      // [E]
    private final float[] outputNormBias;        // [E]
    private final WeightMatrix output;           // [V][E] LM head (token_embd when output.weight is absent)
    private final boolean outputTied;
    private final long parameterCount;
    private final String fileType;

    private NeoxModel(GgufFile file, NeoxHParams hparams, WeightMatrix tokenEmbedding, NeoxLayer[] layers,
                      float[] outputNormWeight, float[] outputNormBias, WeightMatrix output, boolean outputTied,
                      long parameterCount, String fileType) {
        this.file = file;
        this.hparams = hparams;
        this.tokenEmbedding = tokenEmbedding;
        this.layers = layers;
        this.outputNormWeight = outputNormWeight;
        this.outputNormBias = outputNormBias;
        this.output = output;
        this.outputTied = outputTied;
        this.parameterCount = parameterCount;
        this.fileType = fileType;
    }

    /**
     * Reads the hyper-parameters and every tensor of a {@code gptneox} GGUF file, checking each shape and type.
     *
     * @throws GgufFormatException naming the key or tensor when the file is not a usable GPT-NeoX model
     */
    public static NeoxModel load(GgufFile file) {
        Objects.requireNonNull(file, "file");
        String src = file.fileName();
        NeoxHParams hp = readHParams(file);
        int e = hp.embeddingLength();
        int f = hp.feedForwardLength();
        int v = hp.vocabSize();

        WeightMatrix tokenEmbd = matrix(file, "token_embd.weight", e, v, "n_embd, n_vocab");
        NeoxLayer[] layers = new NeoxLayer[hp.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String p = "blk." + i + ".";
            layers[i] = new NeoxLayer(
                    vector(file, p + "attn_norm.weight", e, "n_embd"),
                    vector(file, p + "attn_norm.bias", e, "n_embd"),
                    matrix(file, p + "attn_qkv.weight", e, 3 * e, "n_embd, 3*n_embd"),
                    vector(file, p + "attn_qkv.bias", 3 * e, "3*n_embd"),
                    matrix(file, p + "attn_output.weight", e, e, "n_embd, n_embd"),
                    vector(file, p + "attn_output.bias", e, "n_embd"),
                    vector(file, p + "ffn_norm.weight", e, "n_embd"),
                    vector(file, p + "ffn_norm.bias", e, "n_embd"),
                    matrix(file, p + "ffn_up.weight", e, f, "n_embd, n_ff"),
                    vector(file, p + "ffn_up.bias", f, "n_ff"),
                    matrix(file, p + "ffn_down.weight", f, e, "n_ff, n_embd"),
                    vector(file, p + "ffn_down.bias", e, "n_embd"));
        }
        float[] normW = vector(file, "output_norm.weight", e, "n_embd");
        float[] normB = vector(file, "output_norm.bias", e, "n_embd");
        boolean tied = file.findTensor("output.weight").isEmpty();
        WeightMatrix output = tied ? tokenEmbd : matrix(file, "output.weight", e, v, "n_embd, n_vocab");
        if (tied) {
            LOG.log(System.Logger.Level.INFO, "{0}: no output.weight, using token_embd.weight as the LM head", src);
        }

        long params = 0;
        for (GgufTensorInfo t : file.tensors()) {
            params += t.elements();
        }
        String label = fileTypeLabel(file.metadata(), file);
        LOG.log(System.Logger.Level.DEBUG, "{0}: gptneox, {1} layers, n_embd {2}, n_vocab {3}, {4}", src,
                hp.blockCount(), e, v, label);
        return new NeoxModel(file, hp, tokenEmbd, layers, normW, normB, output, tied, params, label);
    }

    // ---------------------------------------------------------------------------------------------------------
    // hyper-parameters

    private static NeoxHParams readHParams(GgufFile file) {
        GgufMetadata m = file.metadata();
        String src = file.fileName();
        String arch = m.getString(KEY_ARCHITECTURE);
        if (!ARCH.equals(arch)) {
            throw new GgufFormatException(src + ": " + KEY_ARCHITECTURE + " is '" + arch + "', expected '" + ARCH + "'");
        }
        int ctx = m.getInt(KEY_CONTEXT_LENGTH);
        int embd = m.getInt(KEY_EMBEDDING_LENGTH);
        int layers = m.getInt(KEY_BLOCK_COUNT);
        int ff = scalarOrUniformArray(m, src, KEY_FEED_FORWARD_LENGTH);
        int heads = scalarOrUniformArray(m, src, KEY_HEAD_COUNT);
        if (m.has(KEY_HEAD_COUNT_KV)) {
            int kv = scalarOrUniformArray(m, src, KEY_HEAD_COUNT_KV);
            if (kv != heads) {
                throw new GgufFormatException(src + ": " + KEY_HEAD_COUNT_KV + " = " + kv + " differs from "
                        + KEY_HEAD_COUNT + " = " + heads + "; grouped-query attention is not part of GPT-NeoX");
            }
        }
        if (heads <= 0 || embd <= 0 || embd % heads != 0) {
            throw new GgufFormatException(src + ": " + KEY_EMBEDDING_LENGTH + " = " + embd + " is not a positive multiple of "
                    + KEY_HEAD_COUNT + " = " + heads);
        }
        int headDim = embd / heads;
        for (String k : new String[] {KEY_KEY_LENGTH, KEY_VALUE_LENGTH}) {
            if (m.has(k) && m.getInt(k) != headDim) {
                throw new GgufFormatException(src + ": " + k + " = " + m.getInt(k) + " differs from n_embd/n_head = "
                        + headDim + "; not supported");
            }
        }
        float eps = m.getFloat32(KEY_LAYER_NORM_EPS);
        boolean parallel = m.getBool(KEY_PARALLEL_RESIDUAL);
        int nRot = m.getInt(KEY_ROPE_DIMS, headDim);
        float base = m.getFloat32(KEY_ROPE_FREQ_BASE, DEFAULT_ROPE_FREQ_BASE);
        String scaling = m.getString(KEY_ROPE_SCALING_TYPE, "none");
        float factor = m.has(KEY_ROPE_SCALING_FACTOR) ? m.getFloat32(KEY_ROPE_SCALING_FACTOR)
                : m.getFloat32(KEY_ROPE_SCALE_LINEAR, 1.0f);
        if (!"none".equals(scaling) && !(factor == 0.0f || factor == 1.0f)) {
            throw new GgufFormatException(src + ": rope scaling '" + scaling + "' with factor " + factor + " is not supported");
        }

        GgufTensorInfo embdInfo = file.tensor("token_embd.weight");
        if (embdInfo.nDims() < 2 || embdInfo.ne(0) != embd) {
            throw new GgufFormatException(src + ": tensor 'token_embd.weight' has shape " + embdInfo.shapeString()
                    + ", expected [" + embd + ", n_vocab] (n_embd, n_vocab)");
        }
        long vocab = embdInfo.ne(1);
        if (vocab <= 0 || vocab > Integer.MAX_VALUE) {
            throw new GgufFormatException(src + ": tensor 'token_embd.weight' has an invalid vocabulary size " + vocab);
        }
        if (m.has(KEY_TOKENS) && m.getArrayLength(KEY_TOKENS) > vocab) {
            throw new GgufFormatException(src + ": the tokenizer has " + m.getArrayLength(KEY_TOKENS)
                    + " tokens but token_embd.weight only " + vocab + " rows");
        }
        try {
            return new NeoxHParams((int) vocab, ctx, embd, layers, ff, heads, nRot, base, eps, parallel);
        } catch (IllegalArgumentException ex) {
            throw new GgufFormatException(src + ": " + ex.getMessage(), ex);
        }
    }

    /** A UINT32 key, or a per-layer array whose entries are all equal (llama.cpp allows both). */
    private static int scalarOrUniformArray(GgufMetadata m, String src, String key) {
        GgufValue val = m.require(key);
        if (!val.isArray()) {
            return m.getInt(key);
        }
        int[] a = m.getIntArray(key);
        if (a.length == 0) {
            throw new GgufFormatException(src + ": key '" + key + "' is an empty array");
        }
        for (int x : a) {
            if (x != a[0]) {
                throw new GgufFormatException(src + ": key '" + key + "' differs between layers; not supported");
            }
        }
        return a[0];
    }

    // ---------------------------------------------------------------------------------------------------------
    // tensors

    /** A 2-D weight with {@code ne = [cols, rows]} as a view of the mapped file. */
    private static WeightMatrix matrix(GgufFile file, String name, long cols, long rows, String dims) {
        GgufTensorInfo t = file.tensor(name);
        checkShape(file, t, dims, cols, rows);
        GgmlType type = t.type();
        if (!type.supported || !TensorCodecs.isSupported(type)) {
            throw new GgufFormatException(file.fileName() + ": tensor '" + name + "' has type " + type
                    + ", which neox4j cannot compute with");
        }
        try {
            MatmulKernels.activationFormat(type);
            return new WeightMatrix(name, type, file.data(t), (int) rows, (int) cols);
        } catch (IllegalArgumentException ex) {
            throw new GgufFormatException(file.fileName() + ": tensor '" + name + "': " + ex.getMessage(), ex);
        }
    }

    /** A 1-D tensor of {@code n} elements, dequantized to f32. */
    private static float[] vector(GgufFile file, String name, int n, String dims) {
        GgufTensorInfo t = file.tensor(name);
        checkShape(file, t, dims, n);
        GgmlType type = t.type();
        if (!TensorCodecs.isSupported(type) || n % type.blockElems != 0) {
            throw new GgufFormatException(file.fileName() + ": tensor '" + name + "' has type " + type
                    + ", which neox4j cannot read for " + n + " elements");
        }
        float[] out = new float[n];
        TensorCodecs.dequantize(type, file.data(t), 0, out, 0, n);
        return out;
    }

    /** Exact shape check; trailing dimensions of 1 are accepted (ggml pads shapes with 1s). */
    private static void checkShape(GgufFile file, GgufTensorInfo t, String dims, long... expected) {
        boolean ok = t.nDims() >= expected.length;
        for (int i = 0; ok && i < Math.max(expected.length, t.nDims()); i++) {
            ok = t.ne(i) == (i < expected.length ? expected[i] : 1);
        }
        if (!ok) {
            StringBuilder want = new StringBuilder("[");
            for (int i = 0; i < expected.length; i++) {
                want.append(i == 0 ? "" : ", ").append(expected[i]);
            }
            throw new GgufFormatException(file.fileName() + ": tensor '" + t.name() + "' has shape " + t.shapeString()
                    + ", expected " + want + "] (" + dims + ")");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // file type label

    /** llama.cpp's {@code llama_ftype} names (docs/gguf.md, "GPT-NeoX metadata"). */
    private static final Map<Integer, String> FTYPE_NAMES = Map.ofEntries(
            Map.entry(0, "F32"), Map.entry(1, "F16"), Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"),
            Map.entry(7, "Q8_0"), Map.entry(8, "Q5_0"), Map.entry(9, "Q5_1"), Map.entry(10, "Q2_K"),
            Map.entry(11, "Q3_K_S"), Map.entry(12, "Q3_K_M"), Map.entry(13, "Q3_K_L"), Map.entry(14, "Q4_K_S"),
            Map.entry(15, "Q4_K_M"), Map.entry(16, "Q5_K_S"), Map.entry(17, "Q5_K_M"), Map.entry(18, "Q6_K"),
            Map.entry(19, "IQ2_XXS"), Map.entry(20, "IQ2_XS"), Map.entry(21, "Q2_K_S"), Map.entry(22, "IQ3_XS"),
            Map.entry(23, "IQ3_XXS"), Map.entry(24, "IQ1_S"), Map.entry(25, "IQ4_NL"), Map.entry(26, "IQ3_S"),
            Map.entry(27, "IQ3_M"), Map.entry(28, "IQ2_S"), Map.entry(29, "IQ2_M"), Map.entry(30, "IQ4_XS"),
            Map.entry(31, "IQ1_M"), Map.entry(32, "BF16"), Map.entry(36, "TQ1_0"), Map.entry(37, "TQ2_0"));

    /** Bit llama.cpp sets in {@code general.file_type} when the type was guessed. */
    private static final int FTYPE_GUESSED = 1024;

    /**
     * The file's type label: {@code general.file_type} mapped through llama.cpp's names, else the type holding
     * the most elements among the 2-D weights.
     */
    static String fileTypeLabel(GgufMetadata m, GgufFile file) {
        if (m.has(KEY_FILE_TYPE)) {
            try {
                String name = FTYPE_NAMES.get(m.getInt(KEY_FILE_TYPE) & ~FTYPE_GUESSED);
                if (name != null) {
                    return name;
                }
            } catch (GgufFormatException ignored) {
                // a file_type of an unexpected type is informational only; fall back to the tensors
            }
        }
        Map<GgmlType, Long> elements = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo t : file.tensors()) {
            if (t.nDims() >= 2 && t.name().endsWith(".weight")) {
                elements.merge(t.type(), t.elements(), Long::sum);
            }
        }
        GgmlType best = null;
        for (Map.Entry<GgmlType, Long> en : elements.entrySet()) {
            if (best == null || en.getValue() > elements.get(best)) {
                best = en.getKey();
            }
        }
        return best == null ? "unknown" : best.name();
    }

    // ---------------------------------------------------------------------------------------------------------
    // accessors

    /** Writes the f32 embedding of {@code token} ({@code n_embd} values) to {@code dst[off..]}. */
    public void embed(int token, float[] dst, int off) {
        if (token < 0 || token >= hparams.vocabSize()) {
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary 0.."
                    + (hparams.vocabSize() - 1));
        }
        TensorCodecs.dequantize(tokenEmbedding.type(), tokenEmbedding.data(), tokenEmbedding.rowOffset(token), dst,
                off, hparams.embeddingLength());
    }

    /** Hyper-parameters. */
    public NeoxHParams hparams() {
        return hparams;
    }

    /** Rows of the embedding and of each logits vector (n_vocab). */
    public int vocabSize() {
        return hparams.vocabSize();
    }

    /** The file the weights are mapped from. */
    public GgufFile file() {
        return file;
    }

    /** The file's metadata (the tokenizer reads its vocabulary from here). */
    public GgufMetadata metadata() {
        return file.metadata();
    }

    /** Number of weights: elements of all tensors in the file. */
    public long parameterCount() {
        return parameterCount;
    }

    /** Type label such as {@code Q4_K_M} ({@code general.file_type}, else the most common weight type). */
    public String fileType() {
        return fileType;
    }

    /** Whether the LM head reuses {@code token_embd.weight} (the file has no {@code output.weight}). */
    public boolean outputTiedToEmbedding() {
        return outputTied;
    }

    /**
     * This model with every matmul weight (each layer's four, and the LM head unless it is the token embedding)
     * replaced by {@code prepare} of it, e.g. repacked for the kernels ({@code MatmulKernels.prepare}); the
     * token embedding is kept as it is. Where {@code prepare} returns a copy, the file's pages of the original are
     * released from this process right away ({@link GgufFile#releasePages}), one matrix at a time, so resident
     * memory stays near one copy of the weights while a 12b model is repacked.
     */
    public NeoxModel withMatrices(UnaryOperator<WeightMatrix> prepareOne) {
        UnaryOperator<WeightMatrix> prepare = w -> {
            WeightMatrix p = prepareOne.apply(w);
            if (p != w && file != null) {
                file.releasePages(w.data());
            }
            return p;
        };
        NeoxLayer[] prepared = new NeoxLayer[layers.length];
        for (int i = 0; i < layers.length; i++) {
            NeoxLayer l = layers[i];
            prepared[i] = new NeoxLayer(l.attnNormWeight(), l.attnNormBias(), prepare.apply(l.qkv()), l.qkvBias(),
                    prepare.apply(l.attnOutput()), l.attnOutputBias(), l.ffnNormWeight(), l.ffnNormBias(),
                    prepare.apply(l.ffnUp()), l.ffnUpBias(), prepare.apply(l.ffnDown()), l.ffnDownBias());
        }
        WeightMatrix out = outputTied ? output : prepare.apply(output);
        return new NeoxModel(file, hparams, tokenEmbedding, prepared, outputNormWeight, outputNormBias, out,
                outputTied, parameterCount, fileType);
    }

    /** Number of transformer blocks. */
    public int layerCount() {
        return layers.length;
    }

    /** Token embedding matrix {@code [V][E]}. */
    public WeightMatrix tokenEmbedding() {
        return tokenEmbedding;
    }

    /** LM head {@code [V][E]}. */
    public WeightMatrix output() {
        return output;
    }

    NeoxLayer layer(int i) {
        return layers[i];
    }

    float[] outputNormWeight() {
        return outputNormWeight;
    }

    float[] outputNormBias() {
        return outputNormBias;
    }

    @Override
    public String toString() {
        return "NeoxModel[" + file.fileName() + ", " + fileType + ", " + hparams + "]";
    }
}
