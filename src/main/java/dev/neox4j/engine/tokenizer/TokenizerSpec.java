package dev.neox4j.engine.tokenizer;

import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.gguf.GgufValue;
import dev.neox4j.engine.gguf.GgufValueType;

/**
 * The raw {@code tokenizer.ggml.*} metadata a {@link Tokenizer} is built from, before validation. Absent keys
 * are {@code null}. Special ids are the UINT32 values as Java ints (values of 2^31 and more appear negative and
 * are treated as out of range).
 *
 * @param model       {@code tokenizer.ggml.model}
 * @param pre         {@code tokenizer.ggml.pre}
 * @param tokens      {@code tokenizer.ggml.tokens}
 * @param tokenTypes  {@code tokenizer.ggml.token_type}
 * @param merges      {@code tokenizer.ggml.merges}
 * @param bosId       {@code tokenizer.ggml.bos_token_id}
 * @param eosId       {@code tokenizer.ggml.eos_token_id}
 * @param unkId       {@code tokenizer.ggml.unknown_token_id}
 * @param padId       {@code tokenizer.ggml.padding_token_id}
 * @param eotId       {@code tokenizer.ggml.eot_token_id}
 * @param eomId       {@code tokenizer.ggml.eom_token_id}
 * @param addBos      {@code tokenizer.ggml.add_bos_token}
 * @param addEos      {@code tokenizer.ggml.add_eos_token}
 */
record TokenizerSpec(String model, String pre, String[] tokens, int[] tokenTypes, String[] merges,
                     Integer bosId, Integer eosId, Integer unkId, Integer padId, Integer eotId, Integer eomId,
                     Boolean addBos, Boolean addEos) {

    static final String KEY_MODEL = "tokenizer.ggml.model";
    static final String KEY_PRE = "tokenizer.ggml.pre";
    static final String KEY_TOKENS = "tokenizer.ggml.tokens";
    static final String KEY_TOKEN_TYPE = "tokenizer.ggml.token_type";
    static final String KEY_MERGES = "tokenizer.ggml.merges";
    static final String KEY_BOS = "tokenizer.ggml.bos_token_id";
    static final String KEY_EOS = "tokenizer.ggml.eos_token_id";
    static final String KEY_UNK = "tokenizer.ggml.unknown_token_id";
    static final String KEY_PAD = "tokenizer.ggml.padding_token_id";
    static final String KEY_EOT = "tokenizer.ggml.eot_token_id";
    static final String KEY_EOM = "tokenizer.ggml.eom_token_id";
    static final String KEY_ADD_BOS = "tokenizer.ggml.add_bos_token";
    static final String KEY_ADD_EOS = "tokenizer.ggml.add_eos_token";

    /**
     * Reads the keys from GGUF metadata. Wrong value types are refused by {@link GgufMetadata}'s getters (message
     * naming file, key and types); special ids must be UINT32 (as in llama.cpp) but any value is accepted here
     * and range-checked later.
     */
    static TokenizerSpec read(GgufMetadata md) {
        return new TokenizerSpec(
                md.getString(KEY_MODEL, null),
                md.getString(KEY_PRE, null),
                md.has(KEY_TOKENS) ? md.getStringArray(KEY_TOKENS) : null,
                md.has(KEY_TOKEN_TYPE) ? md.getIntArray(KEY_TOKEN_TYPE) : null,
                md.has(KEY_MERGES) ? md.getStringArray(KEY_MERGES) : null,
                id(md, KEY_BOS), id(md, KEY_EOS), id(md, KEY_UNK), id(md, KEY_PAD), id(md, KEY_EOT), id(md, KEY_EOM),
                md.has(KEY_ADD_BOS) ? md.getBool(KEY_ADD_BOS) : null,
                md.has(KEY_ADD_EOS) ? md.getBool(KEY_ADD_EOS) : null);
    }

    private static Integer id(GgufMetadata md, String key) {
        GgufValue v = md.get(key);
        if (v == null) {
            return null;
        }
        if (!v.isArray() && v.type() == GgufValueType.UINT32) {
            return (Integer) v.value();   // may be negative for values >= 2^31: out of range, handled later
        }
        return md.getUInt32(key);         // throws, naming the key and its actual type
    }

    /** A spec with only the required parts (model {@code gpt2}); the other keys absent. */
    static TokenizerSpec of(String pre, String[] tokens, int[] tokenTypes, String[] merges) {
        return new TokenizerSpec("gpt2", pre, tokens, tokenTypes, merges, null, null, null, null, null, null,
                null, null);
    }
}
