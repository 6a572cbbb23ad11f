package dev.neox4j.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed getters of {@link GgufMetadata}: conversions, range checks and error messages naming the key. */
class GgufMetadataTest {

    private static GgufMetadata md() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("u8", GgufValue.uint8((byte) 0xF0));
        m.put("i8", GgufValue.int8((byte) -3));
        m.put("u16", GgufValue.uint16((short) 0xFFFF));
        m.put("i16", GgufValue.int16((short) -300));
        m.put("u32", GgufValue.uint32(7));
        m.put("u32big", GgufValue.uint32(-1));
        m.put("i32", GgufValue.int32(-5));
        m.put("u64", GgufValue.uint64(1L << 40));
        m.put("u64huge", GgufValue.uint64(-1L));
        m.put("i64", GgufValue.int64(-(1L << 40)));
        m.put("f32", GgufValue.float32(1.5f));
        m.put("f64", GgufValue.float64(2.25));
        m.put("b", GgufValue.bool(true));
        m.put("s", GgufValue.string("héllo"));
        m.put("sa", GgufValue.array(GgufValueType.STRING, new String[] {"a", "b"}));
        m.put("u8a", GgufValue.array(GgufValueType.UINT8, new byte[] {(byte) 255, 1}));
        m.put("i64a", GgufValue.array(GgufValueType.INT64, new long[] {1L << 40}));
        m.put("fa", GgufValue.array(GgufValueType.FLOAT32, new float[] {0.5f, -1f}));
        m.put("da", GgufValue.array(GgufValueType.FLOAT64, new double[] {0.25}));
        return GgufMetadata.of("t.gguf", m);
    }

    @Test
    void integerGetters() {
        GgufMetadata md = md();
        assertEquals(240, md.getInt("u8"));
        assertEquals(-3, md.getInt("i8"));
        assertEquals(65535, md.getInt("u16"));
        assertEquals(-300, md.getInt("i16"));
        assertEquals(7, md.getUInt32("u32"));
        assertEquals(7, md.getInt("u32"));
        assertEquals(4294967295L, md.getLong("u32big"));
        assertEquals(-5, md.getInt("i32"));
        assertEquals(1L << 40, md.getLong("u64"));
        assertEquals(-(1L << 40), md.getLong("i64"));
        assertEquals(9, md.getInt("absent", 9));
        assertEquals(11, md.getUInt32("absent", 11));
    }

    @Test
    void integerRangeErrorsNameTheKey() {
        GgufMetadata md = md();
        assertEquals("t.gguf: key 'u32big' value 4294967295 does not fit in an int",
                assertThrows(GgufFormatException.class, () -> md.getUInt32("u32big")).getMessage());
        assertEquals("t.gguf: key 'u64' value 1099511627776 does not fit in an int",
                assertThrows(GgufFormatException.class, () -> md.getInt("u64")).getMessage());
        assertEquals("t.gguf: key 'u64huge' value 18446744073709551615 does not fit in a long",
                assertThrows(GgufFormatException.class, () -> md.getLong("u64huge")).getMessage());
        assertTrue(assertThrows(GgufFormatException.class, () -> md.getIntArray("i64a")).getMessage()
                .contains("key 'i64a' element 0 value 1099511627776 does not fit in an int"));
    }

    @Test
    void wrongTypeErrorsNameKeyActualAndExpected() {
        GgufMetadata md = md();
        assertEquals("t.gguf: key 's' has type STRING, expected UINT32",
                assertThrows(GgufFormatException.class, () -> md.getUInt32("s")).getMessage());
        assertEquals("t.gguf: key 'i32' has type INT32, expected UINT32",
                assertThrows(GgufFormatException.class, () -> md.getUInt32("i32")).getMessage());
        assertEquals("t.gguf: key 'f64' has type FLOAT64, expected FLOAT32",
                assertThrows(GgufFormatException.class, () -> md.getFloat32("f64")).getMessage());
        assertEquals("t.gguf: key 'f32' has type FLOAT32, expected an integer type",
                assertThrows(GgufFormatException.class, () -> md.getInt("f32")).getMessage());
        assertEquals("t.gguf: key 'sa' has type ARRAY[STRING], expected STRING",
                assertThrows(GgufFormatException.class, () -> md.getString("sa")).getMessage());
        assertEquals("t.gguf: key 'fa' has type ARRAY[FLOAT32], expected ARRAY[STRING]",
                assertThrows(GgufFormatException.class, () -> md.getStringArray("fa")).getMessage());
        assertEquals("t.gguf: key 'b' has type BOOL, expected ARRAY[FLOAT32]",
                assertThrows(GgufFormatException.class, () -> md.getFloatArray("b")).getMessage());
        assertEquals("t.gguf: missing key 'nope'",
                assertThrows(GgufFormatException.class, () -> md.getString("nope")).getMessage());
        // A default only replaces an absent key, never a mistyped one.
        assertThrows(GgufFormatException.class, () -> md.getBool("s", false));
    }

    @Test
    void floatBoolStringAndArrayGetters() {
        GgufMetadata md = md();
        assertEquals(1.5f, md.getFloat32("f32"));
        assertEquals(2.25, md.getDouble("f64"));
        assertEquals(1.5, md.getDouble("f32"));
        assertTrue(md.getBool("b"));
        assertFalse(md.getBool("absent", false));
        assertEquals("héllo", md.getString("s"));
        assertEquals("x", md.getString("absent", "x"));
        assertArrayEquals(new String[] {"a", "b"}, md.getStringArray("sa"));
        assertArrayEquals(new int[] {255, 1}, md.getIntArray("u8a"));
        assertArrayEquals(new float[] {0.5f, -1f}, md.getFloatArray("fa"));
        assertArrayEquals(new float[] {0.25f}, md.getFloatArray("da"));
        assertEquals(2, md.getArrayLength("sa"));
        // Returned arrays are copies.
        md.getStringArray("sa")[0] = "changed";
        assertEquals("a", md.getStringArray("sa")[0]);
        assertEquals(GgufValueType.ARRAY, md.type("sa"));
        assertEquals(19, md.size());
    }

    @Test
    void valueRejectsMismatchedJavaTypes() {
        assertThrows(IllegalArgumentException.class, () -> GgufValue.scalar(GgufValueType.UINT32, 1L));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.array(GgufValueType.INT32, new long[1]));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.array(GgufValueType.ARRAY, new int[1]));
        assertEquals(GgufValue.array(GgufValueType.INT32, new int[] {1, 2}),
                GgufValue.array(GgufValueType.INT32, new int[] {1, 2}));
    }
}
