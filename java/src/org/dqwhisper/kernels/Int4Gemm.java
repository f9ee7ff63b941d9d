package org.dqwhisper.kernels;

import org.dqwhisper.nativelib.NativeInt4Gemm;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * The native INT4-weight GEMM for Linear layers (checked, Tensor-based API over
 * {@code native/include/dqw/gemm_int4.h}). Activations are quantized per row exactly as
 * {@link Int8Gemm#quantizeRows} does; weights are {@link NativeInt4Weights} (per-group scales). Per
 * output element the exact s32 sum of each group is converted and fused into an f32 accumulator with
 * the group's scale ({@code f = fma((float) acc_g, scale[n][g], f)}, groups in order), then
 * {@code y = fma(f, aScale[m], bias[n])} (or {@code f · aScale[m]}), then optionally the INT8 GEMM's
 * exact-erf GELU. Every ISA path and thread count gives bit-identical results.
 *
 * <p>Tensors are contiguous row-major: {@code x, aq: [M,K]}, {@code y: [M,N]}, {@code aScale: [M]},
 * {@code bias: [N]}. Bad arguments give {@link IllegalArgumentException}, closed tensors or weights
 * {@link IllegalStateException}, before any native call.
 */
public final class Int4Gemm {
    private Int4Gemm() {}

    private static final class Scratch {
        Tensor q;
        Tensor scale;

        void ensure(long m, long k) {
            if (q == null || q.numel() < m * k) {
                if (q != null) q.close();
                q = Tensor.allocate("int4 linear scratch", DType.S8, Math.max(1, m * k));
            }
            if (scale == null || scale.numel() < m) {
                if (scale != null) scale.close();
                scale = Tensor.allocate("int4 linear scratch scales", DType.F32, Math.max(1, m));
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** The exact per-group integer sums {@code c S32[M,N,G][m][n][g] = Σ_{k in group g} aq[m][k]·q[n][k]}. */
    public static void gemmGroupS32(Tensor aq, NativeInt4Weights w, Tensor c) {
        require(aq, "aq");
        requireWeights(w);
        require(c, "c");
        aq.requireShape(DType.S8, -1, w.k());
        long m = checkM(aq);
        c.requireShape(DType.S32, m, w.n(), w.groups());
        noOverlap(c, aq);
        check(NativeInt4Gemm.dqw_int4_gemm_group_s32(aq.bytePointer(), w.k(), (int) m, w.k(), w.packedPointer(), w.n(),
                c.intPointer()), "dqw_int4_gemm_group_s32", aq);
    }

    /** {@code y F32[M,N]} from pre-quantized {@code aq S8[M,K]} and {@code aScale F32[M]}; bias F32[N] may be null. */
    public static void gemm(Tensor aq, Tensor aScale, NativeInt4Weights w, Tensor bias, boolean gelu, Tensor y) {
        require(aq, "aq");
        require(aScale, "aScale");
        requireWeights(w);
        require(y, "y");
        aq.requireShape(DType.S8, -1, w.k());
        long m = checkM(aq);
        aScale.requireShape(DType.F32, m);
        if (bias != null) bias.requireShape(DType.F32, w.n());
        y.requireShape(DType.F32, m, w.n());
        noOverlap(y, aq);
        noOverlap(y, aScale);
        if (bias != null) noOverlap(y, bias);
        check(NativeInt4Gemm.dqw_int4_gemm_f32(aq.bytePointer(), w.k(), aScale.floatPointer(), (int) m, w.k(), w.packedPointer(),
                bias == null ? null : bias.floatPointer(), w.n(), y.floatPointer(), w.n(), flags(bias, gelu)), "dqw_int4_gemm_f32", aq);
    }

    /**
     * The INT4 Linear {@code y F32[M,N] = gemm(quantizeRows(x F32[M,K]))}; bit-identical to
     * {@link Int8Gemm#quantizeRows} then {@link #gemm}. The quantized rows live in per-thread scratch.
     */
    public static void linear(Tensor x, NativeInt4Weights w, Tensor bias, boolean gelu, Tensor y) {
        require(x, "x");
        requireWeights(w);
        require(y, "y");
        x.requireShape(DType.F32, -1, w.k());
        long m = checkM(x);
        if (bias != null) bias.requireShape(DType.F32, w.n());
        y.requireShape(DType.F32, m, w.n());
        noOverlap(y, x);
        if (bias != null) noOverlap(y, bias);
        Scratch s = SCRATCH.get();
        s.ensure(m, w.k());
        check(NativeInt4Gemm.dqw_int4_linear(x.floatPointer(), w.k(), (int) m, w.k(), w.packedPointer(),
                bias == null ? null : bias.floatPointer(), w.n(), y.floatPointer(), w.n(), flags(bias, gelu), s.q.bytePointer(),
                s.scale.floatPointer()), "dqw_int4_linear", x);
    }

    private static void require(Tensor t, String what) {
        if (t == null) throw new IllegalArgumentException("int4 gemm: tensor '" + what + "' is null");
        t.checkOpen();
    }

    private static void requireWeights(NativeInt4Weights w) {
        if (w == null) throw new IllegalArgumentException("int4 gemm: weights are null");
        w.checkOpen();
        CpuRuntime.ensureLoaded();
    }

    private static long checkM(Tensor t) {
        long m = t.dim(0);
        if (m > Integer.MAX_VALUE) throw new IllegalArgumentException(t.describe() + ": M exceeds 2^31-1");
        return m;
    }

    private static void noOverlap(Tensor out, Tensor in) {
        long a0 = out.address(), a1 = a0 + out.byteSize(), b0 = in.address(), b1 = b0 + in.byteSize();
        if (a0 < b1 && b0 < a1) {
            throw new IllegalArgumentException("int4 gemm: output " + out.describe() + " overlaps input " + in.describe());
        }
    }

    private static int flags(Tensor bias, boolean gelu) {
        return (bias != null ? NativeInt4Gemm.DQW_EPI_BIAS : 0) | (gelu ? NativeInt4Gemm.DQW_EPI_GELU : 0);
    }

    private static void check(int rc, String fn, Tensor first) {
        if (rc == NativeInt4Gemm.DQW_INT4_BAD_PACK) {
            throw new IllegalStateException(fn + ": the packed weights do not match (corrupted pack?), input " + first.describe());
        }
        if (rc != NativeInt4Gemm.DQW_INT4_OK) {
            throw new IllegalArgumentException(fn + " rejected its arguments (" + rc + "), input " + first.describe());
        }
    }
}
