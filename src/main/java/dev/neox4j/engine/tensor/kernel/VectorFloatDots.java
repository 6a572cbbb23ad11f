package dev.neox4j.engine.tensor.kernel;

import static dev.neox4j.engine.tensor.QuantMath.LE_FLOAT;
import static dev.neox4j.engine.tensor.QuantMath.LE_SHORT;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.F;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.FS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.IS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.LE;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.NEG_ZERO;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.SS;
import static dev.neox4j.engine.tensor.kernel.VectorShapes.TWO_POW_112;

import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.FloatFormats;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Vector API kernels of the float weight types against activations of the same format (F32·F32, F16·F16 with
 * the activation already rounded to f16, BF16·BF16): one lane-wise FMA chain over the {@code F}-element steps,
 * the fixed-order lane sum, then the remaining elements in float, in order ({@link DecodedDots#FLOAT} does the
 * same on decoded rows).
 *
 * <p>The loads and the f16/bf16 conversions are written out in each kernel instead of calling
 * {@code VectorShapes.loadF16} and its siblings, by the package's rule of JDK vector calls only: a helper that C2
 * has already compiled on its own (it is called from the attention and the Q4_0 pair kernels too) may be refused
 * inlining at a later call site ("already compiled into a medium method"); its vectors then stay boxed, and the F16
 * kernel allocated 12-25 KB per call for good in a loaded JVM. {@code VectorKernelAllocationTest} guards it.
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
                acc = FloatVector.fromMemorySegment(FS, w, off + 4L * i, LE).fma(FloatVector.fromArray(FS, y, yo + i), acc);
            }
            float tail = 0f;
            for (; i < cols; i++) {
                tail += w.get(LE_FLOAT, off + 4L * i) * y[yo + i];
            }
            NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): JDK vector calls only
            return VectorShapes.reduce(red) + tail;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int i = 0;
            for (; i + F <= cols; i += F) {
                FloatVector.fromMemorySegment(FS, w, off + 4L * i, LE).intoArray(d.q, qo + i);
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
                // VectorShapes.loadF16, written out: JDK vector calls only (see the class comment)
                IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, w, off + 2L * i, LE)
                        .convertShape(VectorOperators.S2I, IS, 0);
                IntVector em = h.and(0x7FFF);
                IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
                IntVector bits = ((IntVector) ((FloatVector) shifted.reinterpretShape(FS, 0)).mul(TWO_POW_112).reinterpretShape(IS, 0))
                        .blend(shifted.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00));
                FloatVector wv = (FloatVector) bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretShape(FS, 0);
                acc = wv.fma(FloatVector.fromArray(FS, y, yo + i), acc);
            }
            float tail = 0f;
            for (; i < cols; i++) {
                tail += Float.float16ToFloat(w.get(LE_SHORT, off + 2L * i)) * y[yo + i];
            }
            NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): JDK vector calls only
            return VectorShapes.reduce(red) + tail;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int i = 0;
            for (; i + F <= cols; i += F) {
                // VectorShapes.loadF16, written out: JDK vector calls only (see the class comment)
                IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, w, off + 2L * i, LE)
                        .convertShape(VectorOperators.S2I, IS, 0);
                IntVector em = h.and(0x7FFF);
                IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
                IntVector bits = ((IntVector) ((FloatVector) shifted.reinterpretShape(FS, 0)).mul(TWO_POW_112).reinterpretShape(IS, 0))
                        .blend(shifted.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00));
                FloatVector wv = (FloatVector) bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretShape(FS, 0);
                wv.intoArray(d.q, qo + i);
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
                FloatVector wv = (FloatVector) ((IntVector) ShortVector.fromMemorySegment(SS, w, off + 2L * i, LE)
                        .convertShape(VectorOperators.S2I, IS, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretShape(FS, 0); // VectorShapes.loadBF16, written out
                acc = wv.fma(FloatVector.fromArray(FS, y, yo + i), acc);
            }
            float tail = 0f;
            for (; i < cols; i++) {
                tail += FloatFormats.bf16ToF32(w.get(LE_SHORT, off + 2L * i)) * y[yo + i];
            }
            NEG_ZERO.add(acc).intoArray(red, 0); // not sum(): JDK vector calls only
            return VectorShapes.reduce(red) + tail;
        }

        @Override
        public void decode(MemorySegment w, long off, int cols, Decoded d, int slot) {
            int qo = slot * cols;
            int i = 0;
            for (; i + F <= cols; i += F) {
                FloatVector wv = (FloatVector) ((IntVector) ShortVector.fromMemorySegment(SS, w, off + 2L * i, LE)
                        .convertShape(VectorOperators.S2I, IS, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretShape(FS, 0); // VectorShapes.loadBF16, written out
                wv.intoArray(d.q, qo + i);
            }
            for (; i < cols; i++) {
                d.q[qo + i] = FloatFormats.bf16ToF32(w.get(LE_SHORT, off + 2L * i));
            }
        }
    };
}
