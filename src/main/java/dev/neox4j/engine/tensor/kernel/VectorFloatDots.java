package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.LE_FLOAT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.ld;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.FloatFormats;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

/**
 * Vector API kernels of the float weight types against activations of the same format (F32·F32, F16·F16 with
 * the activation already rounded to f16, BF16·BF16): one FMA chain per row over the {@code F}-element vectors,
 * the fixed-order lane sum, then the remaining elements in float, in order.
 */
final class VectorFloatDots {

    private VectorFloatDots() {
    }

    private abstract static class FloatDot implements RowDot {
        @Override
        public int kind() {
            return DecodedDots.NO_MIN;
        }

        @Override
        public int blockElems() {
            return 1;
        }
    }

    static final RowDot F32 = new FloatDot() {
        @Override
        public void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red,
                         float[] out, int o0, int o1) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            int i = 0;
            for (; i + F <= cols; i += F) {
                FloatVector v = ld(y, yo + i);
                acc0 = VectorShapes.loadF32(w, off0 + 4L * i).fma(v, acc0);
                acc1 = VectorShapes.loadF32(w, off1 + 4L * i).fma(v, acc1);
            }
            float t0 = 0f;
            float t1 = 0f;
            for (; i < cols; i++) {
                t0 += w.get(LE_FLOAT, off0 + 4L * i) * y[yo + i];
                t1 += w.get(LE_FLOAT, off1 + 4L * i) * y[yo + i];
            }
            acc0.intoArray(red, 0);
            acc1.intoArray(red, F);
            out[o0] = DecodedDots.finish(VectorShapes.reduce(red, 0), t0, 0f, DecodedDots.NO_MIN);
            out[o1] = DecodedDots.finish(VectorShapes.reduce(red, F), t1, 0f, DecodedDots.NO_MIN);
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
        public void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red,
                         float[] out, int o0, int o1) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            int i = 0;
            for (; i + F <= cols; i += F) {
                FloatVector v = ld(y, yo + i);
                acc0 = VectorShapes.loadF16(w, off0 + 2L * i).fma(v, acc0);
                acc1 = VectorShapes.loadF16(w, off1 + 2L * i).fma(v, acc1);
            }
            float t0 = 0f;
            float t1 = 0f;
            for (; i < cols; i++) {
                t0 += Float.float16ToFloat(w.get(LE_SHORT, off0 + 2L * i)) * y[yo + i];
                t1 += Float.float16ToFloat(w.get(LE_SHORT, off1 + 2L * i)) * y[yo + i];
            }
            acc0.intoArray(red, 0);
            acc1.intoArray(red, F);
            out[o0] = DecodedDots.finish(VectorShapes.reduce(red, 0), t0, 0f, DecodedDots.NO_MIN);
            out[o1] = DecodedDots.finish(VectorShapes.reduce(red, F), t1, 0f, DecodedDots.NO_MIN);
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
        public void dot2(MemorySegment w, long off0, long off1, int cols, Activations a, int b, float[] red,
                         float[] out, int o0, int o1) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            int i = 0;
            for (; i + F <= cols; i += F) {
                FloatVector v = ld(y, yo + i);
                acc0 = VectorShapes.loadBF16(w, off0 + 2L * i).fma(v, acc0);
                acc1 = VectorShapes.loadBF16(w, off1 + 2L * i).fma(v, acc1);
            }
            float t0 = 0f;
            float t1 = 0f;
            for (; i < cols; i++) {
                t0 += FloatFormats.bf16ToF32(w.get(LE_SHORT, off0 + 2L * i)) * y[yo + i];
                t1 += FloatFormats.bf16ToF32(w.get(LE_SHORT, off1 + 2L * i)) * y[yo + i];
            }
            acc0.intoArray(red, 0);
            acc1.intoArray(red, F);
            out[o0] = DecodedDots.finish(VectorShapes.reduce(red, 0), t0, 0f, DecodedDots.NO_MIN);
            out[o1] = DecodedDots.finish(VectorShapes.reduce(red, F), t1, 0f, DecodedDots.NO_MIN);
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
