package dev.neox4j.engine.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;

/**
 * The golden vectors of {@code fixtures/quant-testvectors.json}, produced by llama.cpp's own quantize and dot-product
 * functions (docs/quantization.md).
 */
public final class QuantTestVectors {

    private static final JsonNode ROOT = load();

    private QuantTestVectors() {
    }

    private static JsonNode load() {
        try (InputStream in = QuantTestVectors.class.getResourceAsStream("/fixtures/quant-testvectors.json")) {
            if (in == null) {
                throw new IllegalStateException("fixtures/quant-testvectors.json not on the test classpath");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 256 f32 activations. */
    public static float[] activation() {
        return floats(ROOT.get("activation_f32"));
    }

    /** The 256 f32 weights the blocks were quantized from. */
    public static float[] weights() {
        return floats(ROOT.get("weights_f32"));
    }

    /** The entry for one type, e.g. {@code Q4_K}. */
    public static JsonNode type(String name) {
        JsonNode t = ROOT.get("types").get(name);
        if (t == null) {
            throw new IllegalArgumentException("no test vector for " + name);
        }
        return t;
    }

    /** Floats of a JSON array, each parsed exactly to float32. */
    public static float[] floats(JsonNode arr) {
        float[] f = new float[arr.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) Double.parseDouble(arr.get(i).asText());
        }
        return f;
    }

    /** Bytes of a hex string field. */
    public static byte[] hex(JsonNode t, String field) {
        return HexFormat.of().parseHex(t.get(field).asText());
    }
}
