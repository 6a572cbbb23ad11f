package dev.neox4j.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Shared, lazily loaded tokenizers and cases for the tokenizer tests. */
final class TokenizerFixtures {

    static final Path DIR = Path.of("src/test/resources/fixtures/tokenizer");
    static final Path FULL_GGUF = DIR.resolve("gpt-neox-tokenizer.gguf");
    static final Path CASES = DIR.resolve("cases.json");
    static final Path TINY_GGUF = Path.of("src/test/resources/fixtures/models/tiny-gptneox-d256-F32.gguf");

    private static Tokenizer full;
    private static Tokenizer tiny;
    private static JsonNode cases;

    private TokenizerFixtures() {
    }

    static synchronized Tokenizer full() {
        if (full == null) {
            full = load(Path.of("/tmp/tok/full.json"));
        }
        return full;
    }

    static synchronized Tokenizer tiny() {
        if (tiny == null) {
            tiny = load(Path.of("/tmp/tok/tiny.json"));
        }
        return tiny;
    }

    static synchronized JsonNode cases() {
        if (cases == null) {
            try {
                cases = new ObjectMapper().readTree(CASES.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cases;
    }

    private static Tokenizer load(Path json) {
        try {
            JsonNode j = new ObjectMapper().readTree(json.toFile());
            String[] tokens = strings(j.get("tokenizer.ggml.tokens"));
            String[] merges = strings(j.get("tokenizer.ggml.merges"));
            JsonNode tt = j.get("tokenizer.ggml.token_type");
            int[] types = new int[tt.size()];
            for (int i = 0; i < types.length; i++) {
                types[i] = tt.get(i).asInt();
            }
            return Tokenizer.fromSpec(new TokenizerSpec("gpt2", j.get("tokenizer.ggml.pre").asText(), tokens, types,
                    merges, 0, 0, 0, null, null, null, null, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String[] strings(JsonNode arr) {
        String[] out = new String[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asText();
        }
        return out;
    }

    static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asInt();
        }
        return out;
    }
}
