package dev.neox4j.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neox4j.engine.gguf.GgufFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tiny GPT-NeoX fixture models and llama.cpp's goldens (fixtures/README.md section 2). */
final class ModelFixtures {

    static final String[] SEQUENCES = {"seq8", "seq64", "seq300"};

    private static final Path DIR;
    private static final JsonNode MANIFEST;

    static {
        try {
            DIR = Path.of(ModelFixtures.class.getResource("/fixtures/models/manifest.json").toURI()).getParent();
            MANIFEST = new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private ModelFixtures() {
    }

    /** All fixture types (F32, F16, BF16 and the quantized mixes) in manifest order. */
    static List<String> types() {
        List<String> out = new ArrayList<>();
        MANIFEST.get("models").fieldNames().forEachRemaining(out::add);
        return out;
    }

    static JsonNode manifest() {
        return MANIFEST;
    }

    static Path modelPath(String type) {
        return DIR.resolve(MANIFEST.get("models").get(type).get("file").asText());
    }

    static GgufFile open(String type) {
        try {
            return GgufFile.open(modelPath(type));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] tokens(String seq) {
        JsonNode arr = MANIFEST.get("sequences").get(seq).get("tokens");
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asInt();
        }
        return out;
    }

    static JsonNode golden(String type, String seq) {
        return MANIFEST.get("models").get(type).get("goldens").get(seq);
    }

    static int[] greedy(String type, String seq) {
        JsonNode arr = golden(type, seq).get("greedy");
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asInt();
        }
        return out;
    }

    /** llama.cpp logits of the prompt, [len][n_vocab]. */
    static float[] logits(String type, String seq) {
        return readF32(golden(type, seq).get("logits_file").asText());
    }

    /** llama.cpp logits of the 32 greedy steps, [32][n_vocab]. */
    static float[] greedyLogits(String type, String seq) {
        return readF32(golden(type, seq).get("greedy_logits_file").asText());
    }

    /** numpy float64 reference logits on the dequantized weights, [len][n_vocab]. */
    static float[] refLogits(String type, String seq) {
        return readF32(golden(type, seq).get("ref_logits_file").asText());
    }

    static float[] readF32(String file) {
        try {
            byte[] b = Files.readAllBytes(DIR.resolve(file));
            float[] out = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
