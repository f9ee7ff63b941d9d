package org.dqwhisper.kernels;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Argument checks shared by {@link NnKernels}: every message names the operation, the argument's
 * role and the tensor ({@link Tensor#describe()}), so a caller can tell which of several tensors is
 * wrong. Everything a native kernel relies on (dtype, shape, size, open, aliasing) is checked here.
 */
final class NnArgumentChecks {
    private NnArgumentChecks() {}

    /** A non-null, open F32 tensor. */
    static Tensor f32(String op, String role, Tensor t) {
        return typed(op, role, t, DType.F32);
    }

    /** A non-null, open S32 tensor. */
    static Tensor s32(String op, String role, Tensor t) {
        return typed(op, role, t, DType.S32);
    }

    private static Tensor typed(String op, String role, Tensor t, DType dtype) {
        if (t == null) throw new IllegalArgumentException(op + ": " + role + " is null");
        if (t.isClosed()) throw new IllegalStateException(op + ": " + role + " " + t.describe() + " is closed");
        if (t.dtype() != dtype) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " must be " + dtype + ", is " + t.dtype());
        }
        return t;
    }

    /** Exact shape; {@code -1} matches any size. */
    static void shape(String op, String role, Tensor t, long... expected) {
        long[] s = t.shape();
        boolean ok = s.length == expected.length;
        for (int i = 0; ok && i < s.length; i++) ok = expected[i] < 0 || expected[i] == s[i];
        if (!ok) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " must have shape "
                    + Arrays.toString(expected).replace("-1", "*"));
        }
    }

    static void sameShape(String op, String role, Tensor t, String refRole, Tensor ref) {
        if (!Arrays.equals(t.shape(), ref.shape())) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " must have the shape of " + refRole + " "
                    + ref.describe());
        }
    }

    static void numel(String op, String role, Tensor t, long expected, String what) {
        if (t.numel() != expected) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " must have " + expected + " elements (" + what + ")");
        }
    }

    static void rankAtLeast(String op, String role, Tensor t, int rank) {
        if (t.rank() < rank) throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " must have rank >= " + rank);
    }

    /** Size of the last dimension, which must be at least 1. */
    static long lastDim(String op, String role, Tensor t) {
        rankAtLeast(op, role, t, 1);
        long d = t.dim(-1);
        if (d < 1) throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " has an empty last dimension");
        return d;
    }

    static void finite(String op, String name, float v) {
        if (!Float.isFinite(v)) throw new IllegalArgumentException(op + ": " + name + " must be finite, got " + v);
    }

    private static boolean overlaps(Tensor a, Tensor b) {
        if (a.byteSize() == 0 || b.byteSize() == 0) return false;
        long a0 = a.address(), b0 = b.address();
        return a0 < b0 + b.byteSize() && b0 < a0 + a.byteSize();
    }

    /** {@code out} must not share any memory with {@code in} (null arguments are skipped). */
    static void disjoint(String op, String outRole, Tensor out, String inRole, Tensor in) {
        if (out == null || in == null) return;
        if (overlaps(out, in)) {
            throw new IllegalArgumentException(op + ": " + outRole + " " + out.describe() + " overlaps " + inRole + " " + in.describe()
                    + " (not allowed here)");
        }
    }

    /** {@code out} must be exactly the buffer {@code in} (same address and size) or not overlap it. */
    static void sameOrDisjoint(String op, String outRole, Tensor out, String inRole, Tensor in) {
        if (out == null || in == null) return;
        if (out.address() == in.address() && out.byteSize() == in.byteSize()) return;
        if (overlaps(out, in)) {
            throw new IllegalArgumentException(op + ": " + outRole + " " + out.describe() + " partially overlaps " + inRole + " "
                    + in.describe() + " (it may only be the very same buffer or a separate one)");
        }
    }

    /** The tensor's float pointer, or null (a nullable argument left out). */
    static FloatPointer ptr(Tensor t) {
        return t == null ? null : t.floatPointer();
    }

    static void rank(String op, String role, Tensor t, int rank) {
        if (t.rank() != rank) throw new IllegalArgumentException(op + ": " + role + " " + t.describe() + " must have rank " + rank);
    }
}
