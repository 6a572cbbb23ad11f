package dev.neox4j.engine.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The vector f16/bf16 loads against the JDK's scalar conversions, for every 16-bit pattern; also the copies of the
 * f16 conversion that the float kernels write out (JDK vector calls only, see the package comment).
 */
class VectorShapesTest {

    private static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void loadF16IsExactForEveryHalfIncludingSubnormalsInfinitiesAndNaNs() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(2L * 65536 + 1).asSlice(1); // unaligned, like a mapped tensor
            for (int h = 0; h < 65536; h++) {
                s.set(LE, 2L * h, (short) h);
            }
            float[] out = new float[VectorShapes.F];
            for (int h0 = 0; h0 < 65536; h0 += VectorShapes.F) {
                VectorShapes.loadF16(s, 2L * h0).intoArray(out, 0);
                for (int i = 0; i < VectorShapes.F; i++) {
                    float want = Float.float16ToFloat((short) (h0 + i));
                    if (Float.isNaN(want)) {
                        assertTrue(Float.isNaN(out[i]), "f16 0x" + Integer.toHexString(h0 + i) + " must be NaN");
                    } else {
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[i]),
                                "f16 0x" + Integer.toHexString(h0 + i));
                    }
                }
            }
        }
    }

    @Test
    void theF16AndBf16KernelsWrittenOutConversionsAreExactToo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(2L * 65536 + 1).asSlice(1);
            for (int h = 0; h < 65536; h++) {
                s.set(LE, 2L * h, (short) h);
            }
            Decoded d = new Decoded();
            d.q = new float[65536];
            VectorFloatDots.F16.decode(s, 0, 65536, d, 0);
            for (int h = 0; h < 65536; h++) {
                float want = Float.float16ToFloat((short) h);
                assertTrue(Float.isNaN(want) ? Float.isNaN(d.q[h])
                        : Float.floatToRawIntBits(want) == Float.floatToRawIntBits(d.q[h]), "f16 0x" + Integer.toHexString(h));
            }
            VectorFloatDots.BF16.decode(s, 0, 65536, d, 0);
            for (int h = 0; h < 65536; h++) {
                assertEquals(h << 16, Float.floatToRawIntBits(d.q[h]), "bf16 0x" + Integer.toHexString(h));
            }
        }
    }
}
