package dev.neox4j.engine.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The tiny fixture models and their llama.cpp goldens (src/test/resources/fixtures/models). */
public final class EngineFixtures {
    static final Path MODELS = Path.of("src/test/resources/fixtures/models");
    private static JsonNode manifest;

    private EngineFixtures() {
    }

    /** The fixture manifest. */
    public static synchronized JsonNode manifest() {
        if (manifest == null) {
            try {
                manifest = new ObjectMapper().readTree(MODELS.resolve("manifest.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return manifest;
    }

    static Path model(String type) {
        return MODELS.resolve(manifest().path("models").path(type).path("file").asText());
    }

    static List<String> types() {
        return iterable(manifest().path("models").fieldNames());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** The token ids of a fixture sequence ({@code seq8}, {@code seq64}, {@code seq300}). */
    public static int[] sequence(String seq) {
        JsonNode n = manifest().path("sequences").path(seq).path("tokens");
        int[] ids = new int[n.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = n.get(i).asInt();
        }
        return ids;
    }

    static int[] greedy(String type, String seq) {
        JsonNode n = manifest().path("models").path(type).path("goldens").path(seq).path("greedy");
        int[] ids = new int[n.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = n.get(i).asInt();
        }
        return ids;
    }

    /** A little-endian float32 golden file. */
    public static float[] floats(String fileName) {
        try {
            byte[] bytes = Files.readAllBytes(MODELS.resolve(fileName));
            float[] out = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] greedyLogits(String type, String seq) {
        return floats(manifest().path("models").path(type).path("goldens").path(seq).path("greedy_logits_file")
                .asText());
    }

    static float[] promptLogits(String type, String seq) {
        return floats(manifest().path("models").path(type).path("goldens").path(seq).path("logits_file").asText());
    }

    /** The README's suggested bound on |our logit - llama.cpp's logit| per type. */
    static double tolerance(String type) {
        return switch (type) {
            case "F32", "F16" -> 0.05;
            case "BF16" -> 0.3;
            default -> 1.5;
        };
    }

    /** Options for a fixture model: small context, F32 KV as the goldens were made. */
    static EngineOptions options(String type) {
        return new EngineOptions(model(type), 1, 512, 8, KvCacheType.F32, 16, "auto", 32, 0, null, true, 0, true);
    }

}
