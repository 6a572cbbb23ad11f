package dev.neox4j.engine.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The fields of a transformers {@code config.json} (GPTNeoXConfig) that define a GPT-NeoX model, with the
 * transformers defaults where a field is absent.
 *
 * @param name              {@code _name_or_path}, else the directory name
 * @param vocabSize         {@code vocab_size}: rows of the embedding and the LM head (50304, 50432, 50688 for Pythia)
 * @param hiddenSize        {@code hidden_size} (E)
 * @param layers            {@code num_hidden_layers}
 * @param heads             {@code num_attention_heads}
 * @param intermediateSize  {@code intermediate_size} (F; default 4E)
 * @param contextLength     {@code max_position_embeddings} (default 2048)
 * @param rotaryPct         {@code rotary_pct} (or {@code partial_rotary_factor}; default 0.25)
 * @param rotaryBase        {@code rotary_emb_base} (or {@code rope_theta}; default 10000)
 * @param layerNormEps      {@code layer_norm_eps} (default 1e-5)
 * @param parallelResidual  {@code use_parallel_residual} (default true)
 * @param tieWordEmbeddings {@code tie_word_embeddings} (default false): the LM head is the input embedding
 * @param bosId             {@code bos_token_id}, or -1
 * @param eosId             {@code eos_token_id}, or -1
 */
record HfConfig(String name, int vocabSize, int hiddenSize, int layers, int heads, int intermediateSize,
                int contextLength, double rotaryPct, double rotaryBase, double layerNormEps,
                boolean parallelResidual, boolean tieWordEmbeddings, int bosId, int eosId) {

    static final String FILE = "config.json";

    /** Rotary dimensions per head, {@code int(head_dim * rotary_pct)} as transformers computes it. */
    int rotaryDims() {
        return (int) ((hiddenSize / heads) * rotaryPct);
    }

    /**
     * Reads {@code dir/config.json}.
     *
     * @throws CheckpointFormatException if it is missing, malformed or not a GPT-NeoX config
     */
    static HfConfig read(Path dir) throws IOException {
        Path p = dir.resolve(FILE);
        String text;
        try {
            text = Files.readString(p);
        } catch (NoSuchFileException e) {
            throw new CheckpointFormatException(dir + ": no " + FILE + "; a checkpoint directory needs config.json,"
                    + " tokenizer.json and the weights", e);
        }
        Map<String, Object> c = JsonFields.parseObject(text, FILE);
        String type = JsonFields.string(c, "model_type", null, FILE);
        List<Object> archs = JsonFields.list(c, "architectures", FILE);
        if (!"gpt_neox".equals(type) && !archs.contains("GPTNeoXForCausalLM")) {
            throw new CheckpointFormatException(dir + "/" + FILE + ": model_type is '" + type + "' "
                    + archs + ", neox4j serves GPT-NeoX ('gpt_neox', GPTNeoXForCausalLM)");
        }
        if (c.get("rope_scaling") != null) {
            throw new CheckpointFormatException(FILE + ": rope_scaling " + c.get("rope_scaling") + " is not supported");
        }
        int hidden = positive(c, FILE, "hidden_size", "n_embed");
        int heads = positive(c, FILE, "num_attention_heads", "n_head");
        int layers = positive(c, FILE, "num_hidden_layers", null);
        int vocab = positive(c, FILE, "vocab_size", null);
        int ff = (int) JsonFields.integer(c, "intermediate_size", 4L * hidden, FILE);
        int ctx = (int) JsonFields.integer(c, "max_position_embeddings", 2048, FILE);
        double pct = JsonFields.number(c, "rotary_pct", JsonFields.number(c, "partial_rotary_factor", 0.25, FILE), FILE);
        double base = JsonFields.number(c, "rotary_emb_base", JsonFields.number(c, "rope_theta", 10000, FILE), FILE);
        double eps = JsonFields.number(c, "layer_norm_eps", 1e-5, FILE);
        if (hidden % heads != 0) {
            throw new CheckpointFormatException(FILE + ": hidden_size " + hidden + " is not a multiple of"
                    + " num_attention_heads " + heads);
        }
        if (!(pct >= 0 && pct <= 1)) {
            throw new CheckpointFormatException(FILE + ": rotary_pct " + pct + " outside 0..1");
        }
        String name = JsonFields.string(c, "_name_or_path", null, FILE);
        if (name == null || name.isBlank()) {
            name = dir.toAbsolutePath().normalize().getFileName() == null ? "checkpoint"
                    : dir.toAbsolutePath().normalize().getFileName().toString();
        }
        return new HfConfig(name, vocab, hidden, layers, heads, ff, ctx, pct, base, eps,
                JsonFields.bool(c, "use_parallel_residual", true, FILE), JsonFields.bool(c, "tie_word_embeddings", false, FILE),
                (int) JsonFields.integer(c, "bos_token_id", -1, FILE), (int) JsonFields.integer(c, "eos_token_id", -1, FILE));
    }

    private static int positive(Map<String, Object> c, String src, String key, String alias) {
        long v = JsonFields.integer(c, key, alias == null ? -1 : JsonFields.integer(c, alias, -1, src), src);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(src + ": " + key + (v == -1 ? " is missing" : " = " + v
                    + " is not a positive int"));
        }
        return (int) v;
    }
}
