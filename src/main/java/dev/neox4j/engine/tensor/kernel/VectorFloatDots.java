package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.LE_FLOAT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.sum;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.FloatFormats;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

/**
 * Vector API kernels of the float weight types against activations of the same format (F32·F32, F16·F16 with
 * the activation already rounded to f16, BF16·BF16): one lane-wise FMA chain over the {@code F}-element steps,
 * the fixed-order lane sum, then the remaining elements in float, in order ({@link DecodedDots#FLOAT} does the
 * same on decoded rows).
 */
final class VectorFloatDots {

    private VectorFloatDots() {
    }

    private abstract static class FloatDot implements RowDot {
        @Override
        public int kind() {
            return DecodedDots.FLOAT;
        }

        @Override
        public int blockElems() {
            return 1;
        }
    }

    static final RowDot F32 = new FloatDot() {
        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            int i = 0;
            for (; i + F <= cols; i += F) {
                acc = VectorShapes.loadF32(w, off + 4L * i).fma(ld(y, yo + i), acc);
            }
            float tail = 0f;
            for (; i < cols; i++) {
                tail += w.get(LE_FLOAT, off + 4L * i) * y[yo + i];
            }
            return sum(acc, red) + tail;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int i = 0;
            for (; i + F <= cols; i += F) {
                VectorShapes.loadF32(w, off + 4L * i).intoArray(d.q, qo + i);
            }
            for (; i < cols; i++) {
                d.q[qo + i] = w.get(LE_FLOAT, off + 4L * i);
            }
        }
    };

    static final RowDot F16 = new FloatDot() {
        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            int i = 0;
            for (; i + F <= cols; i += F) {
                acc = VectorShapes.loadF16(w, off + 2L * i).fma(ld(y, yo + i), acc);
            }
            float tail = 0f;
            for (; i < cols; i++) {
                tail += Float.float16ToFloat(w.get(LE_SHORT, off + 2L * i)) * y[yo + i];
            }
            return sum(acc, red) + tail;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int i = 0;
            for (; i + F <= cols; i += F) {
                VectorShapes.loadF16(w, off + 2L * i).intoArray(d.q, qo + i);
            }
            for (; i < cols; i++) {
                d.q[qo + i] = Float.float16ToFloat(w.get(LE_SHORT, off + 2L * i));
            }
        }
    };

    static final RowDot BF16 = new FloatDot() {
        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b, float[] red) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            FloatVector acc = FloatVector.zero(FS);
            int i = 0;
            for (; i + F <= cols; i += F) {
                acc = VectorShapes.loadBF16(w, off + 2L * i).fma(ld(y, yo + i), acc);
            }
            float tail = 0f;
            for (; i < cols; i++) {
                tail += FloatFormats.bf16ToF32(w.get(LE_SHORT, off + 2L * i)) * y[yo + i];
            }
            return sum(acc, red) + tail;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int i = 0;
            for (; i + F <= cols; i += F) {
                VectorShapes.loadBF16(w, off + 2L * i).intoArray(d.q, qo + i);
            }
            for (; i < cols; i++) {
                d.q[qo + i] = FloatFormats.bf16ToF32(w.get(LE_SHORT, off + 2L * i));
            }
        }
    };
}
