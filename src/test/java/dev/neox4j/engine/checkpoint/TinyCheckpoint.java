package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.tensor.TensorCodecs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes transformers GPT-NeoX checkpoints of the tiny fixture model ({@code tiny-gptneox-d256-F32.gguf}: E = 256,
 * 4 heads, 2 layers, F = 1024, the first 512 GPT-NeoX tokens) in every format: the GGUF tensors are renamed to
 * their transformers names, the QKV rows re-interleaved per head, the buffers checkpoints carry added, the
 * vocabulary optionally padded with extra rows, and the values stored as F32, F16 or BF16.
 */
public final class TinyCheckpoint {
    static final Path FIXTURE = Path.of("src/test/resources/fixtures/models/tiny-gptneox-d256-F32.gguf");
    static final int E = 256;
    static final int HEADS = 4;
    static final int LAYERS = 2;
    static final int FF = 1024;
    static final int TOKENS = 512;

    /** Weight file layouts. */
    public enum Format { SAFETENSORS, SAFETENSORS_SHARDED, BIN, BIN_SHARDED }

    private Format format = Format.SAFETENSORS;
    private String dtype = "F32";
    private int rows = TOKENS;
    private boolean mergesAsPairs;
    private boolean tied;

    public TinyCheckpoint format(Format f) {
        this.format = f;
        return this;
    }

    public TinyCheckpoint dtype(String d) {
        this.dtype = d;
        return this;
    }

    /** Embedding / LM-head rows (more than the 512 tokens: a padded vocabulary). */
    public TinyCheckpoint rows(int r) {
        this.rows = r;
        return this;
    }

    public TinyCheckpoint mergesAsPairs(boolean b) {
        this.mergesAsPairs = b;
        return this;
    }

    /** Leaves out {@code embed_out.weight} and sets {@code tie_word_embeddings}. */
    public TinyCheckpoint tied(boolean b) {
        this.tied = b;
        return this;
    }

    /** Writes the checkpoint into {@code dir} (created) and returns it. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, float[]> g = fixtureTensors();
        List<TestTensor> ts = new ArrayList<>();
        ts.add(t("gpt_neox.embed_in.weight", padRows(g.get("token_embd.weight"), 11), rows, E));
        for (int i = 0; i < LAYERS; i++) {
            String b = "blk." + i + ".";
            String h = "gpt_neox.layers." + i + ".";
            ts.add(t(h + "input_layernorm.weight", g.get(b + "attn_norm.weight"), E));
            ts.add(t(h + "input_layernorm.bias", g.get(b + "attn_norm.bias"), E));
            ts.add(new TestTensor(h + "attention.bias", "BOOL", new long[] {1, 1, 8, 8}, new byte[64]));
            ts.add(t(h + "attention.masked_bias", new float[] {-1e9f}));
            ts.add(t(h + "attention.rotary_emb.inv_freq", new float[8], 8));
            ts.add(t(h + "attention.query_key_value.weight", interleave(g.get(b + "attn_qkv.weight"), E), 3 * E, E));
            ts.add(t(h + "attention.query_key_value.bias", interleave(g.get(b + "attn_qkv.bias"), 1), 3 * E));
            ts.add(t(h + "attention.dense.weight", g.get(b + "attn_output.weight"), E, E));
            ts.add(t(h + "attention.dense.bias", g.get(b + "attn_output.bias"), E));
            ts.add(t(h + "post_attention_layernorm.weight", g.get(b + "ffn_norm.weight"), E));
            ts.add(t(h + "post_attention_layernorm.bias", g.get(b + "ffn_norm.bias"), E));
            ts.add(t(h + "mlp.dense_h_to_4h.weight", g.get(b + "ffn_up.weight"), FF, E));
            ts.add(t(h + "mlp.dense_h_to_4h.bias", g.get(b + "ffn_up.bias"), FF));
            ts.add(t(h + "mlp.dense_4h_to_h.weight", g.get(b + "ffn_down.weight"), E, FF));
            ts.add(t(h + "mlp.dense_4h_to_h.bias", g.get(b + "ffn_down.bias"), E));
        }
        ts.add(t("gpt_neox.final_layer_norm.weight", g.get("output_norm.weight"), E));
        ts.add(t("gpt_neox.final_layer_norm.bias", g.get("output_norm.bias"), E));
        if (!tied) {
            ts.add(t("embed_out.weight", padRows(g.get("output.weight"), 12), rows, E));
        }
        writeWeights(dir, ts);
        Files.writeString(dir.resolve("config.json"), config());
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson(fixtureMetadata(), mergesAsPairs));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_prefix_space\": false, \"bos_token\":"
                + " \"<|endoftext|>\", \"eos_token\": \"<|endoftext|>\", \"unk_token\": {\"content\":"
                + " \"<|endoftext|>\", \"special\": true}, \"tokenizer_class\": \"GPTNeoXTokenizer\"}");
        return dir;
    }

    private String config() {
        return "{\n  \"_name_or_path\": \"tiny-neox\",\n  \"architectures\": [\"GPTNeoXForCausalLM\"],\n"
                + "  \"bos_token_id\": 0, \"eos_token_id\": 0, \"hidden_act\": \"gelu\",\n"
                + "  \"hidden_size\": " + E + ", \"initializer_range\": 0.02, \"intermediate_size\": " + FF + ",\n"
                + "  \"layer_norm_eps\": 1e-05, \"max_position_embeddings\": 2048, \"model_type\": \"gpt_neox\",\n"
                + "  \"num_attention_heads\": " + HEADS + ", \"num_hidden_layers\": " + LAYERS + ",\n"
                + "  \"rotary_emb_base\": 10000, \"rotary_pct\": 0.25, \"tie_word_embeddings\": " + tied + ",\n"
                + "  \"torch_dtype\": \"float16\", \"transformers_version\": \"4.24.0\", \"use_cache\": true,\n"
                + "  \"use_parallel_residual\": true, \"vocab_size\": " + rows + "\n}\n";
    }

    private void writeWeights(Path dir, List<TestTensor> ts) throws IOException {
        switch (format) {
            case SAFETENSORS -> SafetensorsWriter.write(dir.resolve("model.safetensors"), ts);
            case BIN -> TorchWriter.write(dir.resolve("pytorch_model.bin"), ts);
            case SAFETENSORS_SHARDED, BIN_SHARDED -> {
                boolean st = format == Format.SAFETENSORS_SHARDED;
                String ext = st ? ".safetensors" : ".bin";
                String prefix = st ? "model" : "pytorch_model";
                int half = ts.size() / 2;
                List<List<TestTensor>> shards = List.of(ts.subList(0, half), ts.subList(half, ts.size()));
                StringBuilder map = new StringBuilder();
                for (int s = 0; s < 2; s++) {
                    String name = prefix + "-0000" + (s + 1) + "-of-00002" + ext;
                    if (st) {
                        SafetensorsWriter.write(dir.resolve(name), shards.get(s));
                    } else {
                        TorchWriter.write(dir.resolve(name), shards.get(s));
                    }
                    for (TestTensor t : shards.get(s)) {
                        map.append(map.isEmpty() ? "" : ",\n    ").append('"').append(t.name()).append("\": \"")
                                .append(name).append('"');
                    }
                }
                Files.writeString(dir.resolve(prefix + ext + ".index.json"),
                        "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {\n    " + map + "\n}}\n");
            }
        }
    }

    /** GGUF Q|K|V blocks back to transformers' per-head interleaving; {@code cols} values per row. */
    static float[] interleave(float[] gguf, int cols) {
        float[] hf = new float[gguf.length];
        int hd = E / HEADS;
        for (int h = 0; h < HEADS; h++) {
            for (int j = 0; j < 3; j++) {
                for (int d = 0; d < hd; d++) {
                    System.arraycopy(gguf, (j * E + h * hd + d) * cols, hf, (h * 3 * hd + j * hd + d) * cols, cols);
                }
            }
        }
        return hf;
    }

    private float[] padRows(float[] m, long seed) {
        float[] out = java.util.Arrays.copyOf(m, rows * E);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = m.length; i < out.length; i++) {
            out[i] = (float) (r.nextDouble() - 0.5);
        }
        return out;
    }

    private TestTensor t(String name, float[] v, long... shape) {
        return new TestTensor(name, dtype, shape, encode(v, dtype));
    }

    static byte[] encode(float[] v, String dtype) {
        int eb = dtype.equals("F32") ? 4 : 2;
        ByteBuffer b = ByteBuffer.allocate(v.length * eb).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            switch (dtype) {
                case "F32" -> b.putFloat(x);
                case "F16" -> b.putShort(Float.floatToFloat16(x));
                case "BF16" -> {
                    int bits = Float.floatToRawIntBits(x);
                    b.putShort((short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16));
                }
                default -> throw new IllegalArgumentException(dtype);
            }
        }
        return b.array();
    }

    /** Every tensor of the fixture, as f32 values in GGUF order. */
    static Map<String, float[]> fixtureTensors() {
        try (GgufFile f = GgufFile.open(FIXTURE)) {
            Map<String, float[]> out = new HashMap<>();
            for (GgufTensorInfo t : f.tensors()) {
                float[] v = new float[(int) t.elements()];
                TensorCodecs.dequantize(t.type(), f.data(t), 0, v, 0, v.length);
                out.put(t.name(), v);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GgufMetadata fixtureMetadata() {
        try (GgufFile f = GgufFile.open(FIXTURE)) {
            return f.metadata();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A {@code tokenizer.json} holding the vocabulary of GGUF tokenizer metadata: NORMAL tokens in {@code model.vocab},
     * CONTROL and USER_DEFINED tokens as added tokens (special, resp. normalized), merges as strings or pairs.
     */
    static String tokenizerJson(GgufMetadata md, boolean pairs) {
        return tokenizerJson(md, pairs, Integer.MAX_VALUE);
    }

    /** {@link #tokenizerJson(GgufMetadata, boolean)} for the first {@code limit} ids only. */
    static String tokenizerJson(GgufMetadata md, boolean pairs, int limit) {
        String[] all = md.getStringArray("tokenizer.ggml.tokens");
        String[] tokens = java.util.Arrays.copyOf(all, Math.min(limit, all.length));
        int[] types = md.getIntArray("tokenizer.ggml.token_type");
        String[] merges = md.getStringArray("tokenizer.ggml.merges");
        StringBuilder sb = new StringBuilder("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n");
        sb.append("  \"added_tokens\": [");
        boolean first = true;
        for (int i = 0; i < tokens.length; i++) {
            if (types[i] == 3 || types[i] == 4) {
                boolean special = types[i] == 3;
                sb.append(first ? "\n    " : ",\n    ").append("{\"id\": ").append(i).append(", \"content\": ")
                        .append(quote(tokens[i])).append(", \"single_word\": false, \"lstrip\": false, \"rstrip\":"
                                + " false, \"normalized\": ").append(!special).append(", \"special\": ")
                        .append(special).append('}');
                first = false;
            }
        }
        sb.append("\n  ],\n  \"normalizer\": {\"type\": \"NFC\"},\n");
        sb.append("  \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true},\n");
        sb.append("  \"model\": {\n    \"type\": \"BPE\", \"dropout\": null, \"unk_token\": null,\n    \"vocab\": {");
        first = true;
        for (int i = 0; i < tokens.length; i++) {
            if (types[i] == 1) {
                sb.append(first ? "\n      " : ",\n      ").append(quote(tokens[i])).append(": ").append(i);
                first = false;
            }
        }
        sb.append("\n    },\n    \"merges\": [");
        for (int i = 0; i < merges.length; i++) {
            String m = merges[i];
            int sp = m.indexOf(' ');
            sb.append(i == 0 ? "\n      " : ",\n      ").append(pairs
                    ? "[" + quote(m.substring(0, sp)) + ", " + quote(m.substring(sp + 1)) + "]" : quote(m));
        }
        sb.append("\n    ]\n  }\n}\n");
        return sb.toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || (i % 7 == 3 && c > 0x7f)) {
                        sb.append(String.format("\\u%04x", (int) c)); // some escapes on purpose
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
