package dev.neox4j.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neox4j.engine.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** The facade: type dispatch, the three quantize outputs, and clear errors for bad input. */
class TensorCodecsTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void allOutputsAgree(GgmlType type) {
        float[] x = TestData.gaussian(1024 + 7, 3);
        byte[] arr = TensorCodecs.quantize(type, x, 7, 1024);
        assertEquals(type.bytesFor(1024), arr.length);
        assertEquals(type, TensorCodecs.codec(type).type());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(arr.length + 5);
            assertEquals(arr.length, TensorCodecs.quantize(type, x, 7, 1024, seg, 5));
            assertArrayEquals(arr, seg.asSlice(5).toArray(QuantMath.BYTE));
        }
        ByteBuffer heap = ByteBuffer.allocate(arr.length + 3).position(3);
        TensorCodecs.quantize(type, x, 7, 1024, heap);
        assertEquals(arr.length + 3, heap.position());
        ByteBuffer direct = ByteBuffer.allocateDirect(arr.length);
        TensorCodecs.quantize(type, x, 7, 1024, direct);
        assertEquals(0, direct.remaining());
        byte[] h = new byte[arr.length];
        heap.position(3);
        heap.get(h);
        assertArrayEquals(arr, h);
        direct.flip();
        direct.get(h);
        assertArrayEquals(arr, h);
    }

    @Test
    void unsupportedTypesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorCodecs.quantize(GgmlType.IQ2_XXS, new float[256], 0, 256));
        assertTrue(e.getMessage().contains("IQ2_XXS"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TensorCodecs.codec(GgmlType.Q8_K));
        assertTrue(TensorCodecs.isSupported(GgmlType.Q6_K));
        assertTrue(!TensorCodecs.isSupported(GgmlType.I32));
    }

    @Test
    void partialBlocksAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorCodecs.quantize(GgmlType.Q4_K, new float[300], 0, 300));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TensorCodecs.dequantize(GgmlType.Q4_0,
                MemorySegment.ofArray(new byte[18]), 0, new float[31], 0, 31));
    }

    @Test
    void outOfRangeIsRefused() {
        assertThrows(IndexOutOfBoundsException.class, () -> TensorCodecs.dequantize(GgmlType.Q4_0,
                MemorySegment.ofArray(new byte[18]), 1, new float[32], 0, 32));
        assertThrows(IndexOutOfBoundsException.class, () -> TensorCodecs.dequantize(GgmlType.Q4_0,
                MemorySegment.ofArray(new byte[18]), 0, new float[40], 9, 32));
        assertThrows(IndexOutOfBoundsException.class,
                () -> TensorCodecs.quantize(GgmlType.Q8_0, new float[40], 9, 32));
        assertThrows(IllegalArgumentException.class,
                () -> TensorCodecs.quantize(GgmlType.Q8_0, new float[32], 0, 32, ByteBuffer.allocate(33)));
    }
}
