package org.dqwhisper.cuda;

import org.dqwhisper.tensor.DType;

/** Argument checks shared by the CUDA kernel wrappers: every problem becomes an exception naming it. */
final class KernelArguments {
    /** Element-type codes of dqw/cuda_kernels.h. */
    static final int F32 = 0;
    static final int F16 = 1;
    static final int BF16 = 2;

    private KernelArguments() {}

    /** Non-null, open, of dtype {@code dt} and shape {@code shape} ({@code -1} = any size). */
    static CudaBuffer require(String role, CudaBuffer b, DType dt, long... shape) {
        if (b == null) throw new IllegalArgumentException(role + " is null");
        try {
            return b.requireShape(dt, shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(role + ": " + e.getMessage(), e);
        }
    }

    /** Like {@link #require} but null is allowed (returns address 0). */
    static long optional(String role, CudaBuffer b, DType dt, long... shape) {
        return b == null ? 0L : require(role, b, dt, shape).address();
    }

    static CudaBuffer requireRank(String role, CudaBuffer b, int rank) {
        if (b == null) throw new IllegalArgumentException(role + " is null");
        b.checkOpen();
        if (b.rank() != rank) throw new IllegalArgumentException(role + ": " + b.describe() + " must have rank " + rank);
        return b;
    }

    /** dtype code of a floating-point buffer (F32, F16, BF16). */
    static int floatCode(String role, DType dt) {
        switch (dt) {
            case F32: return F32;
            case F16: return F16;
            case BF16: return BF16;
            default: throw new IllegalArgumentException(role + ": expected F32, F16 or BF16, got " + dt);
        }
    }

    static int toInt(String what, long v) {
        if (v > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " = " + v + " exceeds the kernel's 32-bit limit");
        return (int) v;
    }

    /** Output {@code out} must not be the same memory as input {@code in} (unless the kernel allows it). */
    static void distinct(String outRole, CudaBuffer out, String inRole, CudaBuffer in) {
        if (out == null || in == null) return;
        long a0 = out.address(), a1 = a0 + out.byteSize(), b0 = in.address(), b1 = b0 + in.byteSize();
        if (a0 < b1 && b0 < a1) throw new IllegalArgumentException(outRole + " overlaps " + inRole);
    }

    static void positive(String what, long v) {
        if (v < 1) throw new IllegalArgumentException(what + " must be >= 1, got " + v);
    }
}
