package dev.neox4j.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;

/** Bit-exact dequantization and byte-exact legacy quantization against llama.cpp's own output. */
class DequantizeGoldenTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K",
            "Q5_K", "Q6_K"})
    void dequantizeIsBitExact(GgmlType type) {
        JsonNode t = QuantTestVectors.type(type.name());
        assertEquals(type.blockBytes, t.get("block_bytes").asInt());
        byte[] blocks = QuantTestVectors.hex(t, "blocks_hex");
        float[] expected = QuantTestVectors.floats(t.get("dequantized"));
        // place the blocks at an odd offset to exercise unaligned reads
        byte[] shifted = new byte[blocks.length + 3];
        System.arraycopy(blocks, 0, shifted, 3, blocks.length);
        float[] out = new float[expected.length + 5];
        TensorCodecs.dequantize(type, MemorySegment.ofArray(shifted), 3, out, 5, expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(out[5 + i]),
                    type + " element " + i + ": expected " + expected[i] + " got " + out[5 + i]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"})
    void legacyQuantizeIsByteExact(GgmlType type) {
        JsonNode t = QuantTestVectors.type(type.name());
        float[] w = QuantTestVectors.weights();
        assertArrayEquals(QuantTestVectors.hex(t, "blocks_hex"), TensorCodecs.quantize(type, w, 0, w.length),
                type + " blocks differ from quantize_row_" + type.name().toLowerCase() + "_ref");
    }
}
