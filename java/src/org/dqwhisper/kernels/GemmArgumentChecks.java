package org.dqwhisper.kernels;

import java.util.Arrays;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Argument checks shared by the GEMM backends, run in Java before any native call. Messages name the
 * operation, the argument and the tensor: {@code "onednn int8Gemm: y: expected F32 [3, 64], got tensor 'y' F32[3, 63]"}.
 * Wrong dtype, rank or shape gives {@link IllegalArgumentException}; a closed tensor gives
 * {@link IllegalStateException}.
 */
final class GemmArgumentChecks {
    private GemmArgumentChecks() {}

    /** Non-null and open. */
    static Tensor open(String op, String what, Tensor t) {
        if (t == null) throw new IllegalArgumentException(op + ": " + what + " is null");
        if (t.isClosed()) throw new IllegalStateException(op + ": " + what + " (" + t.describe() + ") is closed");
        return t;
    }

    /** A rank-2 tensor of {@code type}; returns its shape. */
    static long[] matrix(String op, String what, Tensor t, DType type) {
        open(op, what, t);
        if (t.rank() != 2 || t.dtype() != type) {
            throw new IllegalArgumentException(op + ": " + what + ": expected a " + type + " matrix, got " + t.describe());
        }
        return t.shape();
    }

    /** Exactly {@code type [dims...]}. */
    static void shape(String op, String what, Tensor t, DType type, long... dims) {
        open(op, what, t);
        if (t.dtype() != type || !Arrays.equals(t.shape(), dims)) {
            throw new IllegalArgumentException(op + ": " + what + ": expected " + type + " " + Arrays.toString(dims)
                    + ", got " + t.describe());
        }
    }

    /** An optional bias: null, or F32 [n]. */
    static void bias(String op, Tensor bias, long n) {
        if (bias != null) shape(op, "bias", bias, DType.F32, n);
    }

    /** GEMM dimensions must fit the int index math of the kernels and be non-empty where required. */
    static int dimension(String op, String what, long v, boolean allowZero) {
        if (v < (allowZero ? 0 : 1) || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + what + " = " + v + " is out of range [" + (allowZero ? 0 : 1)
                    + ", " + Integer.MAX_VALUE + "]");
        }
        return (int) v;
    }

    /** The output must not share memory with any (non-null) input: kernels read inputs while writing it. */
    static void noOverlap(String op, Tensor out, Tensor... inputs) {
        long o0 = out.address();
        long o1 = o0 + out.byteSize();
        for (Tensor in : inputs) {
            if (in == null || in.byteSize() == 0 || out.byteSize() == 0) continue;
            long i0 = in.address();
            long i1 = i0 + in.byteSize();
            if (o0 < i1 && i0 < o1) {
                throw new IllegalArgumentException(op + ": output " + out.describe() + " overlaps input " + in.describe());
            }
        }
    }
}
