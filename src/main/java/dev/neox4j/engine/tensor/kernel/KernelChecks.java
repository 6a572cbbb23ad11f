package dev.neox4j.engine.tensor.kernel;

import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.WeightMatrix;

/** Argument checks shared by the kernel families, so that a bad call fails with a message, not a crash. */
final class KernelChecks {

    private KernelChecks() {
    }

    static void check(WeightMatrix w, Activations a, int rowStart, int rowEnd, float[] out, int outOffset,
                      int outStride) {
        ActivationFormat want = MatmulKernels.activationFormat(w.type());
        if (a.format() != want) {
            throw new IllegalArgumentException(w.name() + ": " + w.type() + " weights need " + want
                    + " activations, got " + a.format());
        }
        if (a.cols() != w.cols()) {
            throw new IllegalArgumentException(w.name() + ": activation rows have " + a.cols()
                    + " columns, weights have " + w.cols());
        }
        if (rowStart < 0 || rowEnd > w.rows() || rowStart > rowEnd) {
            throw new IndexOutOfBoundsException(w.name() + ": row range [" + rowStart + ", " + rowEnd
                    + ") outside [0, " + w.rows() + ")");
        }
        if (a.rows() > 0 && rowEnd > rowStart) {
            if (outStride < 0) {
                throw new IllegalArgumentException(w.name() + ": negative output stride " + outStride);
            }
            long last = (long) outOffset + (long) (a.rows() - 1) * outStride + rowEnd - 1;
            if (outOffset < 0 || last >= out.length) {
                throw new IndexOutOfBoundsException(w.name() + ": output index " + last + " outside array of "
                        + out.length);
            }
        }
    }
}
