package dev.neox4j.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neox4j.engine.gguf.GgufFile;

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
            full = load(FULL_GGUF);
        }
        return full;
    }

    static synchronized Tokenizer tiny() {
        if (tiny == null) {
            tiny = load(TINY_GGUF);
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

    static Tokenizer load(Path gguf) {
        try (GgufFile f = GgufFile.open(gguf)) {
            return Tokenizer.fromGguf(f.metadata());
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
