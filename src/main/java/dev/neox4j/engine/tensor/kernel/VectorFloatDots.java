package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.LE_FLOAT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.sum;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.FloatFormats;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

/**
 * Vector API dots of the float weight types against activations of the same format (F32·F32, F16·F16 with the
 * activation already rounded to f16, BF16·BF16): two lane-wise FMA chains over {@code 2F}-element steps, one more
 * step of {@code F} if left, a fixed-order lane sum, then the remaining elements in float, in order. The same
 * operations run for every row of {@code dot4}.
 */
final class VectorFloatDots {

    private VectorFloatDots() {
    }

    static FloatVector y(float[] y, int i) {
        return FloatVector.fromArray(FS, y, i);
    }

    static final RowDot F32 = new RowDot() {
        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            int i = 0;
            for (; i + 2 * F <= cols; i += 2 * F) {
                acc0 = VectorShapes.loadF32(w, off + 4L * i).fma(y(y, yo + i), acc0);
                acc1 = VectorShapes.loadF32(w, off + 4L * (i + F)).fma(y(y, yo + i + F), acc1);
            }
            if (i + F <= cols) {
                acc0 = VectorShapes.loadF32(w, off + 4L * i).fma(y(y, yo + i), acc0);
                i += F;
            }
            float tail = 0f;
            for (; i < cols; i++) {
                tail += w.get(LE_FLOAT, off + 4L * i) * y[yo + i];
            }
            return sum(acc0.add(acc1)) + tail;
        }

        @Override
        public void dot4(MemorySegment w, long off, int cols, Activations a, int b, float[] out, int o4, int stride) {
            float[] y = a.values();
            int y0 = a.valuesOffset(b);
            int y1 = a.valuesOffset(b + 1);
            int y2 = a.valuesOffset(b + 2);
            int y3 = a.valuesOffset(b + 3);
            FloatVector z = FloatVector.zero(FS);
            FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
            int i = 0;
            for (; i + 2 * F <= cols; i += 2 * F) {
                FloatVector w0 = VectorShapes.loadF32(w, off + 4L * i);
                FloatVector w1 = VectorShapes.loadF32(w, off + 4L * (i + F));
                a00 = w0.fma(y(y, y0 + i), a00);
                a01 = w1.fma(y(y, y0 + i + F), a01);
                a10 = w0.fma(y(y, y1 + i), a10);
                a11 = w1.fma(y(y, y1 + i + F), a11);
                a20 = w0.fma(y(y, y2 + i), a20);
                a21 = w1.fma(y(y, y2 + i + F), a21);
                a30 = w0.fma(y(y, y3 + i), a30);
                a31 = w1.fma(y(y, y3 + i + F), a31);
            }
            if (i + F <= cols) {
                FloatVector w0 = VectorShapes.loadF32(w, off + 4L * i);
                a00 = w0.fma(y(y, y0 + i), a00);
                a10 = w0.fma(y(y, y1 + i), a10);
                a20 = w0.fma(y(y, y2 + i), a20);
                a30 = w0.fma(y(y, y3 + i), a30);
                i += F;
            }
            float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f;
            for (; i < cols; i++) {
                float v = w.get(LE_FLOAT, off + 4L * i);
                t0 += v * y[y0 + i];
                t1 += v * y[y1 + i];
                t2 += v * y[y2 + i];
                t3 += v * y[y3 + i];
            }
            out[o4] = sum(a00.add(a01)) + t0;
            out[o4 + stride] = sum(a10.add(a11)) + t1;
            out[o4 + 2 * stride] = sum(a20.add(a21)) + t2;
            out[o4 + 3 * stride] = sum(a30.add(a31)) + t3;
        }
    };

    static final RowDot F16 = new RowDot() {
        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            int i = 0;
            for (; i + 2 * F <= cols; i += 2 * F) {
                acc0 = VectorShapes.loadF16(w, off + 2L * i).fma(y(y, yo + i), acc0);
                acc1 = VectorShapes.loadF16(w, off + 2L * (i + F)).fma(y(y, yo + i + F), acc1);
            }
            if (i + F <= cols) {
                acc0 = VectorShapes.loadF16(w, off + 2L * i).fma(y(y, yo + i), acc0);
                i += F;
            }
            float tail = 0f;
            for (; i < cols; i++) {
                tail += Float.float16ToFloat(w.get(LE_SHORT, off + 2L * i)) * y[yo + i];
            }
            return sum(acc0.add(acc1)) + tail;
        }

        @Override
        public void dot4(MemorySegment w, long off, int cols, Activations a, int b, float[] out, int o4, int stride) {
            float[] y = a.values();
            int y0 = a.valuesOffset(b);
            int y1 = a.valuesOffset(b + 1);
            int y2 = a.valuesOffset(b + 2);
            int y3 = a.valuesOffset(b + 3);
            FloatVector z = FloatVector.zero(FS);
            FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
            int i = 0;
            for (; i + 2 * F <= cols; i += 2 * F) {
                FloatVector w0 = VectorShapes.loadF16(w, off + 2L * i);
                FloatVector w1 = VectorShapes.loadF16(w, off + 2L * (i + F));
                a00 = w0.fma(y(y, y0 + i), a00);
                a01 = w1.fma(y(y, y0 + i + F), a01);
                a10 = w0.fma(y(y, y1 + i), a10);
                a11 = w1.fma(y(y, y1 + i + F), a11);
                a20 = w0.fma(y(y, y2 + i), a20);
                a21 = w1.fma(y(y, y2 + i + F), a21);
                a30 = w0.fma(y(y, y3 + i), a30);
                a31 = w1.fma(y(y, y3 + i + F), a31);
            }
            if (i + F <= cols) {
                FloatVector w0 = VectorShapes.loadF16(w, off + 2L * i);
                a00 = w0.fma(y(y, y0 + i), a00);
                a10 = w0.fma(y(y, y1 + i), a10);
                a20 = w0.fma(y(y, y2 + i), a20);
                a30 = w0.fma(y(y, y3 + i), a30);
                i += F;
            }
            float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f;
            for (; i < cols; i++) {
                float v = Float.float16ToFloat(w.get(LE_SHORT, off + 2L * i));
                t0 += v * y[y0 + i];
                t1 += v * y[y1 + i];
                t2 += v * y[y2 + i];
                t3 += v * y[y3 + i];
            }
            out[o4] = sum(a00.add(a01)) + t0;
            out[o4 + stride] = sum(a10.add(a11)) + t1;
            out[o4 + 2 * stride] = sum(a20.add(a21)) + t2;
            out[o4 + 3 * stride] = sum(a30.add(a31)) + t3;
        }
    };

    static final RowDot BF16 = new RowDot() {
        @Override
        public float dot1(MemorySegment w, long off, int cols, Activations a, int b) {
            float[] y = a.values();
            int yo = a.valuesOffset(b);
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            int i = 0;
            for (; i + 2 * F <= cols; i += 2 * F) {
                acc0 = VectorShapes.loadBF16(w, off + 2L * i).fma(y(y, yo + i), acc0);
                acc1 = VectorShapes.loadBF16(w, off + 2L * (i + F)).fma(y(y, yo + i + F), acc1);
            }
            if (i + F <= cols) {
                acc0 = VectorShapes.loadBF16(w, off + 2L * i).fma(y(y, yo + i), acc0);
                i += F;
            }
            float tail = 0f;
            for (; i < cols; i++) {
                tail += FloatFormats.bf16ToF32(w.get(LE_SHORT, off + 2L * i)) * y[yo + i];
            }
            return sum(acc0.add(acc1)) + tail;
        }

        @Override
        public void dot4(MemorySegment w, long off, int cols, Activations a, int b, float[] out, int o4, int stride) {
            float[] y = a.values();
            int y0 = a.valuesOffset(b);
            int y1 = a.valuesOffset(b + 1);
            int y2 = a.valuesOffset(b + 2);
            int y3 = a.valuesOffset(b + 3);
            FloatVector z = FloatVector.zero(FS);
            FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
            int i = 0;
            for (; i + 2 * F <= cols; i += 2 * F) {
                FloatVector w0 = VectorShapes.loadBF16(w, off + 2L * i);
                FloatVector w1 = VectorShapes.loadBF16(w, off + 2L * (i + F));
                a00 = w0.fma(y(y, y0 + i), a00);
                a01 = w1.fma(y(y, y0 + i + F), a01);
                a10 = w0.fma(y(y, y1 + i), a10);
                a11 = w1.fma(y(y, y1 + i + F), a11);
                a20 = w0.fma(y(y, y2 + i), a20);
                a21 = w1.fma(y(y, y2 + i + F), a21);
                a30 = w0.fma(y(y, y3 + i), a30);
                a31 = w1.fma(y(y, y3 + i + F), a31);
            }
            if (i + F <= cols) {
                FloatVector w0 = VectorShapes.loadBF16(w, off + 2L * i);
                a00 = w0.fma(y(y, y0 + i), a00);
                a10 = w0.fma(y(y, y1 + i), a10);
                a20 = w0.fma(y(y, y2 + i), a20);
                a30 = w0.fma(y(y, y3 + i), a30);
                i += F;
            }
            float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f;
            for (; i < cols; i++) {
                float v = FloatFormats.bf16ToF32(w.get(LE_SHORT, off + 2L * i));
                t0 += v * y[y0 + i];
                t1 += v * y[y1 + i];
                t2 += v * y[y2 + i];
                t3 += v * y[y3 + i];
            }
            out[o4] = sum(a00.add(a01)) + t0;
            out[o4 + stride] = sum(a10.add(a11)) + t1;
            out[o4 + 2 * stride] = sum(a20.add(a21)) + t2;
            out[o4 + 3 * stride] = sum(a30.add(a31)) + t3;
        }
    };
}
