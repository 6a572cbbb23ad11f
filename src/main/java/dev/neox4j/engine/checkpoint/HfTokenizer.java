package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgufValue;
import dev.neox4j.engine.gguf.GgufValueType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a transformers {@code tokenizer.json} (byte-level BPE, as every GPT-NeoX / Pythia model ships it) into the
 * {@code tokenizer.ggml.*} keys llama.cpp's converter writes, so that the engine's {@code Tokenizer} and llama.cpp
 * tokenize a checkpoint exactly like the GGUF files made from it (see {@code docs/checkpoints.md}):
 * <ul>
 *   <li>one token per id up to the model's vocabulary size: the added token's content, else the vocabulary entry
 *       (already byte-level encoded), else {@code [PAD<id>]};</li>
 *   <li>token types: CONTROL (3) for added tokens flagged {@code special} or spelled {@code <|...|>}, USER_DEFINED
 *       (4) for other added tokens, UNUSED (5) for the padding entries, NORMAL (1) otherwise;</li>
 *   <li>merges given as {@code "a b"} strings or as {@code ["a", "b"]} pairs, written as {@code "a b"};</li>
 *   <li>{@code tokenizer.ggml.model = gpt2}, {@code pre = gpt-2}; bos/eos from {@code config.json}, unk/pad and
 *       {@code add_bos_token}/{@code add_eos_token} from {@code tokenizer_config.json} when present.</li>
 * </ul>
 */
final class HfTokenizer {
    static final String FILE = "tokenizer.json";
    static final String CONFIG_FILE = "tokenizer_config.json";

    static final int TYPE_NORMAL = 1;
    static final int TYPE_CONTROL = 3;
    static final int TYPE_USER_DEFINED = 4;
    static final int TYPE_UNUSED = 5;

    private HfTokenizer() {
    }

    /**
     * The tokenizer keys for a model with {@code vocabSize} embedding rows.
     *
     * @throws CheckpointFormatException if {@code tokenizer.json} is missing, not byte-level BPE, or has more
     *                                   tokens than the model has rows
     */
    static Map<String, GgufValue> read(Path dir, int vocabSize, HfConfig config) throws IOException {
        String text;
        try {
            text = Files.readString(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            throw new CheckpointFormatException(dir + ": no " + FILE + " (neox4j needs the fast tokenizer file of"
                    + " the checkpoint)", e);
        }
        Map<String, Object> root = JsonFields.parseObject(text, FILE);
        Map<String, Object> model = JsonFields.object(root, "model", FILE);
        String type = JsonFields.string(model, "type", "BPE", FILE);
        if (!type.equals("BPE")) {
            throw new CheckpointFormatException(FILE + ": model type '" + type + "' is not supported (GPT-NeoX uses"
                    + " byte-level BPE)");
        }
        String[] tokens = new String[vocabSize];
        for (Map.Entry<String, Object> e : JsonFields.object(model, "vocab", FILE).entrySet()) {
            put(tokens, id(e.getValue(), "vocab entry '" + e.getKey() + "'", vocabSize), e.getKey(), vocabSize);
        }
        int[] types = new int[vocabSize];
        for (Object o : JsonFields.list(root, "added_tokens", FILE)) {
            if (!(o instanceof Map<?, ?>)) {
                throw new CheckpointFormatException(FILE + ": an added_tokens entry is not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) o;
            String content = JsonFields.string(t, "content", null, FILE);
            if (content == null || content.isEmpty()) {
                throw new CheckpointFormatException(FILE + ": an added token has no content");
            }
            int id = id(t.get("id"), "added token '" + content + "'", vocabSize);
            boolean special = JsonFields.bool(t, "special", false, FILE);
            boolean control = special || (content.startsWith("<|") && content.endsWith("|>"));
            tokens[id] = content;
            types[id] = control ? TYPE_CONTROL : TYPE_USER_DEFINED;
        }
        for (int i = 0; i < vocabSize; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = TYPE_UNUSED;
            } else if (types[i] == 0) {
                types[i] = TYPE_NORMAL;
            }
        }
        List<Object> mergeList = JsonFields.list(model, "merges", FILE);
        String[] merges = new String[mergeList.size()];
        for (int i = 0; i < merges.length; i++) {
            merges[i] = merge(mergeList.get(i), i);
        }
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        kv.put("tokenizer.ggml.pre", GgufValue.string("gpt-2"));
        kv.put("tokenizer.ggml.tokens", GgufValue.array(GgufValueType.STRING, tokens));
        kv.put("tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, types));
        kv.put("tokenizer.ggml.merges", GgufValue.array(GgufValueType.STRING, merges));
        specialIds(dir, config, tokens, kv);
        return kv;
    }

    private static void specialIds(Path dir, HfConfig config, String[] tokens, Map<String, GgufValue> kv)
            throws IOException {
        Map<String, Object> tc = Map.of();
        Path tcPath = dir.resolve(CONFIG_FILE);
        if (Files.isRegularFile(tcPath)) {
            tc = JsonFields.parseObject(Files.readString(tcPath), CONFIG_FILE);
        }
        Map<String, Integer> byText = new HashMap<>();
        for (int i = tokens.length - 1; i >= 0; i--) {
            byText.put(tokens[i], i);
        }
        int bos = config.bosId() >= 0 ? config.bosId() : lookup(tc, "bos_token", byText);
        int eos = config.eosId() >= 0 ? config.eosId() : lookup(tc, "eos_token", byText);
        int unk = lookup(tc, "unk_token", byText);
        int pad = lookup(tc, "pad_token", byText);
        putId(kv, "tokenizer.ggml.bos_token_id", bos, tokens.length);
        putId(kv, "tokenizer.ggml.eos_token_id", eos, tokens.length);
        putId(kv, "tokenizer.ggml.unknown_token_id", unk, tokens.length);
        putId(kv, "tokenizer.ggml.padding_token_id", pad, tokens.length);
        if (tc.get("add_bos_token") instanceof Boolean b) {
            kv.put("tokenizer.ggml.add_bos_token", GgufValue.bool(b));
        }
        if (tc.get("add_eos_token") instanceof Boolean b) {
            kv.put("tokenizer.ggml.add_eos_token", GgufValue.bool(b));
        }
    }

    /** The id of a special token named in tokenizer_config.json as a string or as {@code {"content": ...}}. */
    private static int lookup(Map<String, Object> tc, String key, Map<String, Integer> byText) {
        Object v = tc.get(key);
        if (v instanceof Map<?, ?> m) {
            v = m.get("content");
        }
        return v instanceof String s && byText.containsKey(s) ? byText.get(s) : -1;
    }

    private static void putId(Map<String, GgufValue> kv, String key, int id, int vocabSize) {
        if (id >= 0 && id < vocabSize) {
            kv.put(key, GgufValue.uint32(id));
        }
    }

    private static String merge(Object m, int rank) {
        if (m instanceof String s) {
            if (s.indexOf(' ') <= 0) {
                throw new CheckpointFormatException(FILE + ": merge " + rank + " '" + s + "' is not 'left right'");
            }
            return s;
        }
        if (m instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String a
                && pair.get(1) instanceof String b) {
            return a + " " + b;
        }
        throw new CheckpointFormatException(FILE + ": merge " + rank + " must be \"a b\" or [\"a\", \"b\"], got " + m);
    }

    private static int id(Object v, String what, int vocabSize) {
        if (!(v instanceof Long l) || l < 0) {
            throw new CheckpointFormatException(FILE + ": " + what + " has an invalid id " + v);
        }
        if (l >= vocabSize) {
            throw new CheckpointFormatException(FILE + ": " + what + " has id " + l + " but the model has only "
                    + vocabSize + " embedding rows");
        }
        return (int) (long) l;
    }

    private static void put(String[] tokens, int id, String text, int vocabSize) {
        if (tokens[id] != null && !tokens[id].equals(text)) {
            throw new CheckpointFormatException(FILE + ": id " + id + " is both '" + tokens[id] + "' and '" + text + "'");
        }
        tokens[id] = text;
    }
}
