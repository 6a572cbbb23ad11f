package dev.neox4j.engine.gguf;

/**
 * GGUF metadata value types (docs/gguf.md, "Metadata records"). The id is what the file stores; {@code size} is the
 * encoded size of one value for fixed-size types and {@code -1} for {@link #STRING} and {@link #ARRAY}.
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, -1),
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    /** Type id as written in GGUF. */
    public final int id;
    /** Encoded bytes of one value, or -1 for variable-size types. */
    public final int size;

    private static final GgufValueType[] BY_ID = values();

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** The type with this id, or {@code null} if the id is not a GGUF value type. */
    public static GgufValueType byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** Whether values of this type are integers (signed or unsigned, any width). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** Whether values of this type are unsigned integers. */
    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /** Minimum encoded size of one value of this type (a string needs at least its 8-byte length). */
    int minEncodedSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }
}
