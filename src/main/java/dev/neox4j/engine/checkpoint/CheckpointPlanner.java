package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.gguf.GgufValue;
import dev.neox4j.engine.model.NeoxHParams;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a transformers GPT-NeoX checkpoint directory ({@code config.json}, {@code tokenizer.json}, weights) into a
 * {@link ModelPlan}: maps each transformers tensor name to its GGUF name, checks every shape and dtype, skips the
 * buffers checkpoints carry ({@code attention.bias}, {@code attention.masked_bias},
 * {@code attention.rotary_emb.inv_freq}), de-interleaves the fused QKV (weight and bias) and writes the metadata
 * llama.cpp's converter writes (see {@code docs/checkpoints.md}). The vocabulary size is the embedding's row count
 * (padded: 50304, 50432, 50688 rows for 50277 tokens); the tokenizer's entries are padded to it.
 */
final class CheckpointPlanner {
    private static final System.Logger LOG = System.getLogger(CheckpointPlanner.class.getName());
    private static final String A = NeoxHParams.ARCHITECTURE + ".";
    private static final List<String> SKIPPED_SUFFIXES = List.of(".attention.bias", ".attention.masked_bias",
            ".rotary_emb.inv_freq");

    private final Path dir;
    private final HfConfig config;
    private final Map<String, StoredTensor> stored;
    private final Set<String> used = new HashSet<>();
    private final List<SourceTensor> tensors = new ArrayList<>();

    private CheckpointPlanner(Path dir, HfConfig config, Map<String, StoredTensor> stored) {
        this.dir = dir;
        this.config = config;
        this.stored = stored;
    }

    /**
     * Plans the model of checkpoint directory {@code dir}; its weight files are mapped into {@code arena}.
     * {@code serve}: the plan's stored weights will be served from the mappings (not only read once to convert).
     *
     * @throws CheckpointFormatException naming the file and the defect
     */
    static ModelPlan plan(Path dir, Arena arena, boolean serve) throws IOException {
        HfConfig config = HfConfig.read(dir);
        return new CheckpointPlanner(dir, config, CheckpointWeights.open(dir, arena, serve)).build();
    }

    private ModelPlan build() throws IOException {
        int e = config.hiddenSize();
        int f = config.intermediateSize();
        int heads = config.heads();
        int hd = e / heads;
        StoredTensor embIn = require("gpt_neox.embed_in.weight");
        if (embIn.shape().length != 2 || embIn.shape()[1] != e) {
            throw shape(embIn, "[n_vocab, " + e + "]");
        }
        long vocab = embIn.shape()[0];
        if (vocab != config.vocabSize()) {
            LOG.log(System.Logger.Level.WARNING, "{0}: embed_in has {1} rows, config.json vocab_size is {2};"
                    + " using {1}", dir, vocab, config.vocabSize());
        }
        matrix("token_embd.weight", embIn, vocab, e);
        for (int i = 0; i < config.layers(); i++) {
            String hf = "gpt_neox.layers." + i + ".";
            String gg = "blk." + i + ".";
            vector(gg + "attn_norm.weight", hf + "input_layernorm.weight", e);
            vector(gg + "attn_norm.bias", hf + "input_layernorm.bias", e);
            StoredTensor qkv = require(hf + "attention.query_key_value.weight");
            checkShape(qkv, 3L * e, e);
            add(gg + "attn_qkv.weight", qkv, new long[] {e, 3L * e}, 3L * e, e, SourceTensor.qkvRuns(heads, hd));
            StoredTensor qkvBias = require(hf + "attention.query_key_value.bias");
            checkShape(qkvBias, 3L * e);
            add(gg + "attn_qkv.bias", qkvBias, new long[] {3L * e}, 3L * e, 1, SourceTensor.qkvRuns(heads, hd));
            matrix(gg + "attn_output.weight", require(hf + "attention.dense.weight"), e, e);
            vector(gg + "attn_output.bias", hf + "attention.dense.bias", e);
            vector(gg + "ffn_norm.weight", hf + "post_attention_layernorm.weight", e);
            vector(gg + "ffn_norm.bias", hf + "post_attention_layernorm.bias", e);
            matrix(gg + "ffn_up.weight", require(hf + "mlp.dense_h_to_4h.weight"), f, e);
            vector(gg + "ffn_up.bias", hf + "mlp.dense_h_to_4h.bias", f);
            matrix(gg + "ffn_down.weight", require(hf + "mlp.dense_4h_to_h.weight"), e, f);
            vector(gg + "ffn_down.bias", hf + "mlp.dense_4h_to_h.bias", e);
        }
        vector("output_norm.weight", "gpt_neox.final_layer_norm.weight", e);
        vector("output_norm.bias", "gpt_neox.final_layer_norm.bias", e);
        StoredTensor out = stored.get("embed_out.weight");
        if (out == null && !config.tieWordEmbeddings()) {
            throw new CheckpointFormatException(dir + ": no tensor 'embed_out.weight' (and tie_word_embeddings is"
                    + " false)");
        }
        // a tied LM head is written as its own tensor (llama.cpp requires output.weight for gptneox)
        matrix("output.weight", out == null ? embIn : out, vocab, e);
        reportUnused();
        return new ModelPlan(dir.toString(), metadata((int) vocab), tensors, config.layers());
    }

    private GgufMetadata metadata(int vocab) throws IOException {
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        kv.put("general.architecture", GgufValue.string(NeoxHParams.ARCHITECTURE));
        kv.put("general.name", GgufValue.string(config.name()));
        kv.put(A + "context_length", GgufValue.uint32(config.contextLength()));
        kv.put(A + "embedding_length", GgufValue.uint32(config.hiddenSize()));
        kv.put(A + "block_count", GgufValue.uint32(config.layers()));
        kv.put(A + "feed_forward_length", GgufValue.uint32(config.intermediateSize()));
        kv.put(A + "rope.dimension_count", GgufValue.uint32(config.rotaryDims()));
        kv.put(A + "attention.head_count", GgufValue.uint32(config.heads()));
        kv.put(A + "attention.layer_norm_epsilon", GgufValue.float32((float) config.layerNormEps()));
        kv.put(A + "use_parallel_residual", GgufValue.bool(config.parallelResidual()));
        if ((float) config.rotaryBase() != 10000f) {
            kv.put(A + "rope.freq_base", GgufValue.float32((float) config.rotaryBase()));
        }
        kv.putAll(HfTokenizer.read(dir, vocab, config));
        return GgufMetadata.of(dir.getFileName() == null ? dir.toString() : dir.getFileName().toString(), kv);
    }

    // ------------------------------------------------------------------ tensors

    private StoredTensor require(String name) {
        StoredTensor t = stored.get(name);
        if (t == null) {
            throw new CheckpointFormatException(dir + ": missing tensor '" + name + "'");
        }
        used.add(name);
        return t;
    }

    private void matrix(String ggufName, StoredTensor t, long rows, long cols) {
        checkShape(t, rows, cols);
        add(ggufName, t, new long[] {cols, rows}, rows, cols, null);
    }

    private void vector(String ggufName, String hfName, long n) {
        StoredTensor t = require(hfName);
        checkShape(t, n);
        add(ggufName, t, new long[] {n}, 1, n, null);
    }

    private void add(String ggufName, StoredTensor t, long[] ne, long rows, long cols, long[] runs) {
        GgmlType type = t.ggmlType();
        tensors.add(new SourceTensor(ggufName, ne, type, t.data(), t.file(), t.fileOffset(), rows, cols, runs));
    }

    private void checkShape(StoredTensor t, long... expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw shape(t, Arrays.toString(expected));
        }
    }

    private CheckpointFormatException shape(StoredTensor t, String expected) {
        return new CheckpointFormatException(t.file().getFileName() + ": tensor '" + t.name() + "' has shape "
                + Arrays.toString(t.shape()) + ", expected " + expected + " (config.json: hidden_size "
                + config.hiddenSize() + ", intermediate_size " + config.intermediateSize() + ")");
    }

    private void reportUnused() {
        for (String name : stored.keySet()) {
            if (!used.contains(name) && !name.equals("embed_out.weight")
                    && SKIPPED_SUFFIXES.stream().noneMatch(name::endsWith)) {
                LOG.log(System.Logger.Level.WARNING, "{0}: ignoring tensor ''{1}''", dir, name);
            }
        }
    }
}
