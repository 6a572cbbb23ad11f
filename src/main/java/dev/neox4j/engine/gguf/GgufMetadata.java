package dev.neox4j.engine.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Typed access to GGUF key/value metadata (docs/gguf.md, "Metadata records"), in file order.
 *
 * <p>Getters without a default throw {@link GgufFormatException} when the key is missing or has another type;
 * the message names the source file, the key, the actual and the expected type, e.g.
 * {@code tiny.gguf: key 'gptneox.block_count' has type STRING, expected UINT32}. Getters with a default return
 * the default only when the key is absent; a present key of the wrong type is still an error.
 */
public final class GgufMetadata {
    private final String source;
    private final Map<String, GgufValue> entries;

    private GgufMetadata(String source, Map<String, GgufValue> entries) {
        this.source = source;
        this.entries = entries;
    }

    /**
     * Metadata from a map of values (kept in the map's iteration order).
     *
     * @param source name used as the prefix of error messages (usually the file name)
     */
    public static GgufMetadata of(String source, Map<String, GgufValue> entries) {
        Map<String, GgufValue> copy = new LinkedHashMap<>();
        entries.forEach((k, v) -> {
            if (k == null || k.isEmpty()) {
                throw new IllegalArgumentException("empty metadata key");
            }
            copy.put(k, Objects.requireNonNull(v, k));
        });
        return new GgufMetadata(Objects.requireNonNull(source, "source"), Collections.unmodifiableMap(copy));
    }

    /** Wraps a map the reader just built (no copy). */
    static GgufMetadata wrap(String source, LinkedHashMap<String, GgufValue> entries) {
        return new GgufMetadata(source, Collections.unmodifiableMap(entries));
    }

    /** Name used as the prefix of error messages. */
    public String source() {
        return source;
    }

    /** All entries in file order (unmodifiable); a writer can copy them. */
    public Map<String, GgufValue> entries() {
        return entries;
    }

    /** All keys in file order. */
    public Set<String> keys() {
        return entries.keySet();
    }

    /** Number of key/value pairs. */
    public int size() {
        return entries.size();
    }

    /** Whether the key is present. */
    public boolean has(String key) {
        return entries.containsKey(key);
    }

    /** The value of the key, or {@code null} if absent. */
    public GgufValue get(String key) {
        return entries.get(key);
    }

    /** The type of the key's value, or {@code null} if absent. */
    public GgufValueType type(String key) {
        GgufValue v = entries.get(key);
        return v == null ? null : v.type();
    }

    /** The key's value; throws naming the key if it is missing. */
    public GgufValue require(String key) {
        GgufValue v = entries.get(key);
        if (v == null) {
            throw error("missing key '" + key + "'");
        }
        return v;
    }

    // ---- scalars ----

    /** A STRING value. */
    public String getString(String key) {
        return (String) expect(key, GgufValueType.STRING).raw();
    }

    /** A STRING value, or {@code def} if the key is absent. */
    public String getString(String key, String def) {
        return has(key) ? getString(key) : def;
    }

    /** A value of exact type UINT32 as an int; values above {@link Integer#MAX_VALUE} are refused. */
    public int getUInt32(String key) {
        int v = (Integer) expect(key, GgufValueType.UINT32).raw();
        if (v < 0) {
            throw error("key '" + key + "' value " + Integer.toUnsignedString(v) + " does not fit in an int");
        }
        return v;
    }

    /** A value of exact type UINT32, or {@code def} if the key is absent. */
    public int getUInt32(String key, int def) {
        return has(key) ? getUInt32(key) : def;
    }

    /** A value of any integer type, checked to fit in an int. */
    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw error("key '" + key + "' value " + v + " does not fit in an int");
        }
        return (int) v;
    }

    /** A value of any integer type checked to fit in an int, or {@code def} if the key is absent. */
    public int getInt(String key, int def) {
        return has(key) ? getInt(key) : def;
    }

    /** A value of any integer type as a long (UINT64 values above {@link Long#MAX_VALUE} are refused). */
    public long getLong(String key) {
        GgufValue v = require(key);
        if (v.isArray() || !v.type().isInteger()) {
            throw wrongType(key, v, "an integer type");
        }
        return integerToLong(key, v.type(), v.raw(), -1);
    }

    /** A value of any integer type as a long, or {@code def} if the key is absent. */
    public long getLong(String key, long def) {
        return has(key) ? getLong(key) : def;
    }

    /** A FLOAT32 value. */
    public float getFloat32(String key) {
        return (Float) expect(key, GgufValueType.FLOAT32).raw();
    }

    /** A FLOAT32 value, or {@code def} if the key is absent. */
    public float getFloat32(String key, float def) {
        return has(key) ? getFloat32(key) : def;
    }

    /** A FLOAT32 or FLOAT64 value as a double. */
    public double getDouble(String key) {
        GgufValue v = require(key);
        if (v.type() == GgufValueType.FLOAT32) {
            return (Float) v.raw();
        }
        if (v.type() == GgufValueType.FLOAT64) {
            return (Double) v.raw();
        }
        throw wrongType(key, v, "FLOAT32 or FLOAT64");
    }

    /** A BOOL value. */
    public boolean getBool(String key) {
        return (Boolean) expect(key, GgufValueType.BOOL).raw();
    }

    /** A BOOL value, or {@code def} if the key is absent. */
    public boolean getBool(String key, boolean def) {
        return has(key) ? getBool(key) : def;
    }

    // ---- arrays ----

    /** Element count of an ARRAY value. */
    public int getArrayLength(String key) {
        GgufValue v = require(key);
        if (!v.isArray()) {
            throw wrongType(key, v, "ARRAY");
        }
        return v.length();
    }

    /** An ARRAY of STRING (a copy). */
    public String[] getStringArray(String key) {
        return ((String[]) expectArray(key, GgufValueType.STRING).raw()).clone();
    }

    /** An ARRAY of any integer type as ints, each element checked to fit in an int. */
    public int[] getIntArray(String key) {
        GgufValue v = require(key);
        if (!v.isArray() || !v.elementType().isInteger()) {
            throw wrongType(key, v, "ARRAY of an integer type");
        }
        Object raw = v.raw();
        if (raw instanceof int[] a && v.elementType() == GgufValueType.INT32) {
            return a.clone();
        }
        int n = v.length();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long x = integerToLong(key, v.elementType(), java.lang.reflect.Array.get(raw, i), i);
            if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
                throw error("key '" + key + "' element " + i + " value " + x + " does not fit in an int");
            }
            out[i] = (int) x;
        }
        return out;
    }

    /** An ARRAY of FLOAT32 (or FLOAT64, narrowed) as floats. */
    public float[] getFloatArray(String key) {
        GgufValue v = require(key);
        if (v.isArray() && v.elementType() == GgufValueType.FLOAT32) {
            return ((float[]) v.raw()).clone();
        }
        if (v.isArray() && v.elementType() == GgufValueType.FLOAT64) {
            double[] d = (double[]) v.raw();
            float[] out = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                out[i] = (float) d[i];
            }
            return out;
        }
        throw wrongType(key, v, "ARRAY[FLOAT32]");
    }

    // ---- helpers ----

    private GgufValue expect(String key, GgufValueType t) {
        GgufValue v = require(key);
        if (v.isArray() || v.type() != t) {
            throw wrongType(key, v, t.name());
        }
        return v;
    }

    private GgufValue expectArray(String key, GgufValueType element) {
        GgufValue v = require(key);
        if (!v.isArray() || v.elementType() != element) {
            throw wrongType(key, v, "ARRAY[" + element + "]");
        }
        return v;
    }

    private long integerToLong(String key, GgufValueType t, Object o, int index) {
        return switch (t) {
            case UINT8 -> ((Byte) o) & 0xFFL;
            case INT8 -> (Byte) o;
            case UINT16 -> ((Short) o) & 0xFFFFL;
            case INT16 -> (Short) o;
            case UINT32 -> Integer.toUnsignedLong((Integer) o);
            case INT32 -> (Integer) o;
            case INT64 -> (Long) o;
            case UINT64 -> {
                long x = (Long) o;
                if (x < 0) {
                    throw error("key '" + key + "'" + (index >= 0 ? " element " + index : "") + " value "
                            + Long.toUnsignedString(x) + " does not fit in a long");
                }
                yield x;
            }
            default -> throw new IllegalStateException(t.name());
        };
    }

    private GgufFormatException wrongType(String key, GgufValue v, String expected) {
        return error("key '" + key + "' has type " + v.typeName() + ", expected " + expected);
    }

    private GgufFormatException error(String message) {
        return new GgufFormatException(source + ": " + message);
    }

    @Override
    public String toString() {
        return "GgufMetadata[" + source + ", " + entries.size() + " keys]";
    }
}
