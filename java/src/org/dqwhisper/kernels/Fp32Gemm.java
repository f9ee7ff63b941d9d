package org.dqwhisper.kernels;

import org.bytedeco.javacpp.FloatPointer;
import org.dqwhisper.nativelib.NativeFp32Gemm;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * The native FP32 GEMM over {@link Tensor}s: {@code C = epilogue((accumulate ? C : 0) + op(A)·op(B))}
 * with an optional fused bias and exact-erf GELU, plus the Linear layer on prepacked weights.
 *
 * <p>Tensors are F32, row-major, rank ≥ 2; leading dimensions are flattened into rows, so
 * {@code x[B,T,K]} is seen as {@code [B·T, K]}. {@code A} is {@code [M,K]} ({@code [K,M]} when
 * transposed), {@code B} is {@code [K,N]} ({@code [N,K]} when transposed), {@code C} is {@code [M,N]};
 * a bias is F32 {@code [N]}. The training gradients are {@code dX = dY·W} (no transposes) and
 * {@code dW = dYᵀ·X} ({@code transA}). C must not overlap A, B or the bias.
 *
 * <p>Every element is summed in FP32 in increasing k from its starting value; results are
 * bit-identical for any thread count ({@link CpuRuntime#setThreads}) and between
 * {@link #linear} and {@link #sgemm} with {@code transB} on the same weights, and depend only on the
 * instruction-set path. Bad arguments give {@link IllegalArgumentException}, closed tensors or
 * weights {@link IllegalStateException}, before any native call.
 */
public final class Fp32Gemm {
    private Fp32Gemm() {}

    /** {@code C (+)= op(A)·op(B)}. */
    public static void sgemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c, boolean accumulate) {
        sgemm(transA, transB, a, b, c, accumulate, null, false);
    }

    /** {@code C = gelu?((accumulate ? C : 0) + op(A)·op(B) + bias?)}; {@code bias} may be null. */
    public static void sgemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c, boolean accumulate,
            Tensor bias, boolean gelu) {
        long[] am = matrix(a, "A");
        long[] bm = matrix(b, "B");
        long[] cm = matrix(c, "C");
        long m = transA ? am[1] : am[0], k = transA ? am[0] : am[1];
        long kb = transB ? bm[1] : bm[0], n = transB ? bm[0] : bm[1];
        if (k != kb) {
            throw new IllegalArgumentException("sgemm: inner dimensions differ: op(A) of " + a.describe()
                    + (transA ? " (transposed)" : "") + " has K=" + k + ", op(B) of " + b.describe()
                    + (transB ? " (transposed)" : "") + " has K=" + kb);
        }
        if (cm[0] != m || cm[1] != n) {
            throw new IllegalArgumentException("sgemm: output " + c.describe() + " must be [M,N] = [" + m + "," + n
                    + "] (leading dimensions flattened)");
        }
        checkBias(bias, n);
        checkNoOverlap(c, a, "A");
        checkNoOverlap(c, b, "B");
        if (bias != null) checkNoOverlap(c, bias, "bias");
        int mi = toInt(a, "M", m), ni = toInt(b, "N", n), ki = toInt(a, "K", k);
        CpuRuntime.ensureLoaded();
        check(NativeFp32Gemm.dqw_sgemm(transA ? 1 : 0, transB ? 1 : 0, mi, ni, ki, a.floatPointer(), am[1],
                b.floatPointer(), bm[1], c.floatPointer(), cm[1], accumulate ? 1 : 0, biasPointer(bias),
                flags(bias, gelu)), "dqw_sgemm");
    }

    /** Linear layer {@code y = gelu?(x·Wᵀ + bias?)}: x F32 [..., K], y F32 [..., N] (same leading dims). */
    public static void linear(Tensor x, NativeFp32Weights w, Tensor bias, boolean gelu, Tensor y) {
        if (w == null) throw new IllegalArgumentException("linear: weights are null");
        FloatPointer packed = w.packedPointer();
        long[] xm = matrix(x, "x");
        long[] ym = matrix(y, "y");
        if (xm[1] != w.k()) {
            throw new IllegalArgumentException("linear: input " + x.describe() + " has " + xm[1] + " features, "
                    + w + " expects K=" + w.k());
        }
        if (ym[0] != xm[0] || ym[1] != w.n()) {
            throw new IllegalArgumentException("linear: output " + y.describe() + " must be [" + xm[0] + "," + w.n()
                    + "] (rows of " + x.describe() + " × N of " + w + ")");
        }
        checkBias(bias, w.n());
        checkNoOverlap(y, x, "x");
        if (bias != null) checkNoOverlap(y, bias, "bias");
        int m = toInt(x, "M", xm[0]);
        CpuRuntime.ensureLoaded();
        check(NativeFp32Gemm.dqw_sgemm_packed(m, w.n(), w.k(), x.floatPointer(), xm[1], packed, y.floatPointer(),
                ym[1], 0, biasPointer(bias), flags(bias, gelu)), "dqw_sgemm_packed");
    }

    // ---- checks shared with NativeFp32Weights -------------------------------------------------------

    /** [rows, cols] of an F32 tensor of rank >= 2 with its leading dimensions flattened. */
    private static long[] matrix(Tensor t, String role) {
        if (t == null) throw new IllegalArgumentException("sgemm: tensor " + role + " is null");
        t.requireDType(DType.F32);
        if (t.rank() < 2) {
            throw new IllegalArgumentException(t.describe() + " (" + role + "): expected rank >= 2, got rank " + t.rank());
        }
        long rows = 1;
        for (int i = 0; i < t.rank() - 1; i++) rows *= t.dim(i);
        return new long[] {rows, t.dim(-1)};
    }

    private static void checkBias(Tensor bias, long n) {
        if (bias == null) return;
        bias.requireDType(DType.F32);
        if (bias.rank() != 1 || bias.dim(0) != n) {
            throw new IllegalArgumentException("bias " + bias.describe() + " must be [" + n + "]");
        }
    }

    private static void checkNoOverlap(Tensor out, Tensor in, String role) {
        long o0 = out.address(), o1 = o0 + out.byteSize();
        long i0 = in.address(), i1 = i0 + in.byteSize();
        if (o0 < i1 && i0 < o1) {
            throw new IllegalArgumentException("output " + out.describe() + " overlaps input " + role + " "
                    + in.describe() + " in memory");
        }
    }

    private static FloatPointer biasPointer(Tensor bias) {
        return bias == null ? null : bias.floatPointer();
    }

    private static int flags(Tensor bias, boolean gelu) {
        return (bias != null ? NativeFp32Gemm.DQW_EPI_BIAS : 0) | (gelu ? NativeFp32Gemm.DQW_EPI_GELU : 0);
    }

    static int toInt(Tensor t, String what, long v) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(t.describe() + ": " + what + "=" + v + " exceeds the GEMM limit 2^31-1");
        }
        return (int) v;
    }

    static void check(int rc, String call) {
        if (rc == NativeFp32Gemm.DQW_GEMM_ENOMEM) throw new OutOfMemoryError(call + ": native scratch memory exhausted");
        if (rc != 0) throw new IllegalStateException(call + " rejected its arguments (code " + rc + ") after the Java checks");
    }
}
