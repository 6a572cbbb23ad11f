package dev.neox4j.engine.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One typed GGUF metadata value: a scalar or a (non-nested) array.
 *
 * <p>Java representation of the value: {@code UINT8/INT8 -> Byte}, {@code UINT16/INT16 -> Short},
 * {@code UINT32/INT32 -> Integer}, {@code UINT64/INT64 -> Long} (unsigned types keep their raw bits),
 * {@code FLOAT32 -> Float}, {@code FLOAT64 -> Double}, {@code BOOL -> Boolean}, {@code STRING -> String}.
 * Arrays use the matching primitive array ({@code byte[], short[], int[], long[], float[], double[],
 * boolean[]}) or {@code String[]}. Instances are immutable: arrays are copied in and out.
 */
public final class GgufValue {
    private final GgufValueType type;
    private final GgufValueType elementType;
    private final Object value;

    private GgufValue(GgufValueType type, GgufValueType elementType, Object value, boolean copy) {
        this.type = Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if (type == GgufValueType.ARRAY) {
            Objects.requireNonNull(elementType, "elementType");
            if (elementType == GgufValueType.ARRAY) {
                throw new IllegalArgumentException("nested arrays are not supported");
            }
            if (value.getClass() != arrayClass(elementType)) {
                throw new IllegalArgumentException("array of " + elementType + " needs a "
                        + arrayClass(elementType).getSimpleName() + ", got " + value.getClass().getSimpleName());
            }
            if (value instanceof String[] s) {
                for (String e : s) {
                    Objects.requireNonNull(e, "string array element");
                }
            }
            this.elementType = elementType;
            this.value = copy ? copyArray(value) : value;
        } else {
            if (elementType != null) {
                throw new IllegalArgumentException("elementType only applies to ARRAY");
            }
            if (value.getClass() != scalarClass(type)) {
                throw new IllegalArgumentException(type + " needs a " + scalarClass(type).getSimpleName()
                        + ", got " + value.getClass().getSimpleName());
            }
            this.elementType = null;
            this.value = value;
        }
    }

    /** A scalar value; {@code value} must have the Java class listed in the type comment. */
    public static GgufValue scalar(GgufValueType type, Object value) {
        if (type == GgufValueType.ARRAY) {
            throw new IllegalArgumentException("use GgufValue.array for arrays");
        }
        return new GgufValue(type, null, value, false);
    }

    /** An array value; {@code array} is copied and must have the primitive array class of the element type. */
    public static GgufValue array(GgufValueType elementType, Object array) {
        return new GgufValue(GgufValueType.ARRAY, elementType, array, true);
    }

    /** Wraps a freshly parsed array without copying (reader use only). */
    static GgufValue arrayNoCopy(GgufValueType elementType, Object array) {
        return new GgufValue(GgufValueType.ARRAY, elementType, array, false);
    }

    public static GgufValue uint8(byte v) { return scalar(GgufValueType.UINT8, v); }
    public static GgufValue int8(byte v) { return scalar(GgufValueType.INT8, v); }
    public static GgufValue uint16(short v) { return scalar(GgufValueType.UINT16, v); }
    public static GgufValue int16(short v) { return scalar(GgufValueType.INT16, v); }
    public static GgufValue uint32(int v) { return scalar(GgufValueType.UINT32, v); }
    public static GgufValue int32(int v) { return scalar(GgufValueType.INT32, v); }
    public static GgufValue uint64(long v) { return scalar(GgufValueType.UINT64, v); }
    public static GgufValue int64(long v) { return scalar(GgufValueType.INT64, v); }
    public static GgufValue float32(float v) { return scalar(GgufValueType.FLOAT32, v); }
    public static GgufValue float64(double v) { return scalar(GgufValueType.FLOAT64, v); }
    public static GgufValue bool(boolean v) { return scalar(GgufValueType.BOOL, v); }
    public static GgufValue string(String v) { return scalar(GgufValueType.STRING, v); }

    static Class<?> scalarClass(GgufValueType t) {
        return switch (t) {
            case UINT8, INT8 -> Byte.class;
            case UINT16, INT16 -> Short.class;
            case UINT32, INT32 -> Integer.class;
            case UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> throw new IllegalArgumentException("ARRAY is not a scalar type");
        };
    }

    static Class<?> arrayClass(GgufValueType t) {
        return switch (t) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> throw new IllegalArgumentException("nested arrays are not supported");
        };
    }

    private static Object copyArray(Object a) {
        return switch (a) {
            case byte[] b -> b.clone();
            case short[] s -> s.clone();
            case int[] i -> i.clone();
            case long[] l -> l.clone();
            case float[] f -> f.clone();
            case double[] d -> d.clone();
            case boolean[] z -> z.clone();
            case String[] s -> s.clone();
            default -> throw new IllegalArgumentException("not an array: " + a.getClass());
        };
    }

    /** The value's type ({@link GgufValueType#ARRAY} for arrays). */
    public GgufValueType type() {
        return type;
    }

    /** The element type of an array, or {@code null} for scalars. */
    public GgufValueType elementType() {
        return elementType;
    }

    /** Whether this is an array value. */
    public boolean isArray() {
        return type == GgufValueType.ARRAY;
    }

    /** Number of elements of an array value; 1 for scalars. */
    public int length() {
        return isArray() ? java.lang.reflect.Array.getLength(value) : 1;
    }

    /** The value: a boxed scalar or a copy of the array (see the class comment for the Java classes). */
    public Object value() {
        return isArray() ? copyArray(value) : value;
    }

    /** The value without copying arrays (package use only; callers must not modify it). */
    Object raw() {
        return value;
    }

    /** Type name as used in error messages, e.g. {@code UINT32} or {@code ARRAY[STRING]}. */
    public String typeName() {
        return isArray() ? "ARRAY[" + elementType + "]" : type.name();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GgufValue v) || v.type != type || v.elementType != elementType) {
            return false;
        }
        return isArray() ? Arrays.deepEquals(new Object[] {value}, new Object[] {v.value}) : value.equals(v.value);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(type, elementType) + Arrays.deepHashCode(new Object[] {value});
    }

    @Override
    public String toString() {
        if (!isArray()) {
            return type + ":" + (type == GgufValueType.STRING ? "\"" + value + "\"" : display(value, type));
        }
        return typeName() + "(" + length() + ")";
    }

    private static String display(Object v, GgufValueType t) {
        return switch (t) {
            case UINT8 -> Integer.toString(((Byte) v) & 0xFF);
            case UINT16 -> Integer.toString(((Short) v) & 0xFFFF);
            case UINT32 -> Integer.toUnsignedString((Integer) v);
            case UINT64 -> Long.toUnsignedString((Long) v);
            default -> String.valueOf(v);
        };
    }
}
