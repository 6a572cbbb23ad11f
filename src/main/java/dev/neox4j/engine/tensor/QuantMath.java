package dev.neox4j.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian value layouts and the rounding helpers shared by the quantizers. */
public final class QuantMath {

    /** Unaligned little-endian 16-bit value. */
    public static final ValueLayout.OfShort LE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Unaligned little-endian 32-bit integer. */
    public static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Unaligned little-endian 64-bit integer. */
    public static final ValueLayout.OfLong LE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Unaligned little-endian float. */
    public static final ValueLayout.OfFloat LE_FLOAT =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** A byte. */
    public static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private QuantMath() {
    }

    /** ggml's {@code nearest_int}: round half to even. */
    public static int nearestInt(float v) {
        return (int) Math.rint(v);
    }

    /** C's {@code roundf}: round half away from zero. */
    public static int roundAway(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -a : a);
    }

    /** Reads an f16 at {@code off} and converts it to float. */
    public static float f16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(LE_SHORT, off));
    }

    /** Unsigned byte at {@code off}. */
    public static int u8(MemorySegment s, long off) {
        return s.get(BYTE, off) & 0xFF;
    }

    /** Signed byte at {@code off}. */
    public static int i8(MemorySegment s, long off) {
        return s.get(BYTE, off);
    }

    /** Clamps {@code v} into {@code [lo, hi]}. */
    public static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static void checkBlocks(int n, int blockElems, String type) {
        if (n < 0 || n % blockElems != 0) {
            throw new IllegalArgumentException(n + " elements is not a multiple of the " + type + " block size "
                    + blockElems);
        }
    }
}
