package org.dqwhisper.kernels;

import org.bytedeco.javacpp.FloatPointer;
import org.dqwhisper.nativelib.NativeInt8Gemm;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * The native INT8 GEMM for Linear layers (checked, Tensor-based API over
 * {@code native/include/dqw/gemm_int8.h}). Activations are quantized per row, dynamically and
 * symmetrically; weights per output channel ({@link NativeInt8Weights}); accumulation is exact s32;
 * the f32 epilogue is {@code y = fma((float) acc, aScale[m] * wScale[n], bias[n])} (or
 * {@code (float) acc * (aScale[m] * wScale[n])} without bias), then optionally the exact-erf GELU
 * (max relative error 3.8e-7 against FP64; 0 where |GELU| < 2.3e-34; +inf gives +inf, -inf 0). Every ISA path and every
 * thread count gives bit-identical results.
 *
 * <p>All tensors are contiguous row-major: {@code x, aq: [M,K]}, {@code y, c: [M,N]},
 * {@code aScale: [M]}, {@code bias: [N]}. Every method checks dtypes, shapes, open tensors and output
 * overlap before the native call and throws {@link IllegalArgumentException} (bad argument) or
 * {@link IllegalStateException} (closed tensor or weights) naming the problem. Safe to call from
 * several threads at once (the native thread pool then runs the extra calls on the calling thread).
 */
public final class Int8Gemm {
    private Int8Gemm() {}

    /** Per-thread scratch for {@link #linear}: quantized rows and their scales, grown on demand. */
    private static final class Scratch {
        Tensor q;
        Tensor scale;

        void ensure(long m, long k) {
            if (q == null || q.numel() < m * k) {
                if (q != null) q.close();
                q = Tensor.allocate("int8 linear scratch", DType.S8, Math.max(1, m * k));
            }
            if (scale == null || scale.numel() < m) {
                if (scale != null) scale.close();
                scale = Tensor.allocate("int8 linear scratch scales", DType.F32, Math.max(1, m));
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Row quantization: {@code x F32[M,K] -> q S8[M,K], scale F32[M]} with, per row,
     * {@code amax = max|x|}, {@code inv = 127f/amax}, {@code q = clamp(rint(x*inv), -127, 127)} (float
     * product, round half even), {@code scale = amax/127f}. A row whose {@code inv} is not finite (all
     * zeros, or amax below ~3.7e-37) gets {@code q = 0, scale = 0}. Inputs must be finite.
     */
    public static void quantizeRows(Tensor x, Tensor q, Tensor scale) {
        require(x, "x");
        require(q, "q");
        require(scale, "scale");
        x.requireShape(DType.F32, -1, -1);
        long m = x.dim(0), k = x.dim(1);
        checkK(x, k);
        checkM(x, m);
        q.requireShape(DType.S8, m, k);
        scale.requireShape(DType.F32, m);
        noOverlap(q, x);
        noOverlap(scale, x);
        noOverlap(scale, q);
        CpuRuntime.ensureLoaded();
        check(NativeInt8Gemm.dqw_quantize_rows_s8(x.floatPointer(), k, (int) m, (int) k, q.bytePointer(), k,
                scale.floatPointer()), "dqw_quantize_rows_s8", x);
    }

    /** Exact {@code c S32[M,N] = aq S8[M,K] · Wᵀ}. */
    public static void gemmS32(Tensor aq, NativeInt8Weights w, Tensor c) {
        require(aq, "aq");
        requireWeights(w);
        require(c, "c");
        aq.requireShape(DType.S8, -1, w.k());
        long m = aq.dim(0);
        checkM(aq, m);
        c.requireShape(DType.S32, m, w.n());
        noOverlap(c, aq);
        check(NativeInt8Gemm.dqw_int8_gemm_s32(aq.bytePointer(), w.k(), (int) m, w.k(), w.packedPointer(), w.n(),
                c.intPointer(), w.n()), "dqw_int8_gemm_s32", aq);
    }

    /**
     * {@code y F32[M,N] = dequant(aq S8[M,K] · Wᵀ) (+bias) (→GELU)} with {@code aScale F32[M]};
     * {@code bias F32[N]} may be null.
     */
    public static void gemm(Tensor aq, Tensor aScale, NativeInt8Weights w, Tensor bias, boolean gelu, Tensor y) {
        require(aq, "aq");
        require(aScale, "aScale");
        requireWeights(w);
        require(y, "y");
        aq.requireShape(DType.S8, -1, w.k());
        long m = aq.dim(0);
        checkM(aq, m);
        aScale.requireShape(DType.F32, m);
        if (bias != null) bias.requireShape(DType.F32, w.n());
        y.requireShape(DType.F32, m, w.n());
        noOverlap(y, aq);
        noOverlap(y, aScale);
        if (bias != null) noOverlap(y, bias);
        check(NativeInt8Gemm.dqw_int8_gemm_f32(aq.bytePointer(), w.k(), aScale.floatPointer(), (int) m, w.k(),
                w.packedPointer(), w.scaleTensor().floatPointer(), bias == null ? null : bias.floatPointer(), w.n(),
                y.floatPointer(), w.n(), flags(bias, gelu)), "dqw_int8_gemm_f32", aq);
    }

    /**
     * The whole INT8 Linear: {@code y F32[M,N] = gemm(quantizeRows(x F32[M,K]))} with the epilogue of
     * {@link #gemm}; bit-identical to calling {@link #quantizeRows} then {@link #gemm}. The quantized
     * rows live in a per-thread scratch buffer (kept for the thread's next call).
     */
    public static void linear(Tensor x, NativeInt8Weights w, Tensor bias, boolean gelu, Tensor y) {
        require(x, "x");
        requireWeights(w);
        require(y, "y");
        x.requireShape(DType.F32, -1, w.k());
        long m = x.dim(0);
        checkM(x, m);
        if (bias != null) bias.requireShape(DType.F32, w.n());
        y.requireShape(DType.F32, m, w.n());
        noOverlap(y, x);
        if (bias != null) noOverlap(y, bias);
        Scratch s = SCRATCH.get();
        s.ensure(m, w.k());
        check(NativeInt8Gemm.dqw_int8_linear(x.floatPointer(), w.k(), (int) m, w.k(), w.packedPointer(),
                w.scaleTensor().floatPointer(), bias == null ? null : bias.floatPointer(), w.n(), y.floatPointer(),
                w.n(), flags(bias, gelu), s.q.bytePointer(), s.scale.floatPointer()), "dqw_int8_linear", x);
    }

    /** The GELU of the epilogue on its own, element-wise {@code y = gelu(x)} (F32, same element count; may alias). */
    public static void gelu(Tensor x, Tensor y) {
        require(x, "x");
        require(y, "y");
        x.requireDType(DType.F32);
        y.requireDType(DType.F32);
        if (x.numel() != y.numel()) {
            throw new IllegalArgumentException("gelu: " + x.describe() + " and " + y.describe() + " differ in size");
        }
        CpuRuntime.ensureLoaded();
        FloatPointer in = x.floatPointer();
        NativeInt8Gemm.dqw_int8_gelu_f32(in, y.floatPointer(), x.numel());
    }

    // ---- checks ---------------------------------------------------------------------------------------

    private static void require(Tensor t, String what) {
        if (t == null) throw new IllegalArgumentException("int8 gemm: tensor '" + what + "' is null");
        t.checkOpen();
    }

    private static void requireWeights(NativeInt8Weights w) {
        if (w == null) throw new IllegalArgumentException("int8 gemm: weights are null");
        w.checkOpen();
        CpuRuntime.ensureLoaded();
    }

    private static void checkK(Tensor t, long k) {
        if (k < 1 || k > NativeInt8Gemm.DQW_INT8_MAX_K) {
            throw new IllegalArgumentException(t.describe() + ": K must be in [1, " + NativeInt8Gemm.DQW_INT8_MAX_K + "]");
        }
    }

    private static void checkM(Tensor t, long m) {
        if (m > Integer.MAX_VALUE) throw new IllegalArgumentException(t.describe() + ": M exceeds 2^31-1");
    }

    /** Outputs must not share memory with inputs (the kernels read inputs while writing outputs). */
    private static void noOverlap(Tensor out, Tensor in) {
        long a0 = out.address(), a1 = a0 + out.byteSize(), b0 = in.address(), b1 = b0 + in.byteSize();
        if (a0 < b1 && b0 < a1) {
            throw new IllegalArgumentException("int8 gemm: output " + out.describe() + " overlaps input " + in.describe());
        }
    }

    private static int flags(Tensor bias, boolean gelu) {
        return (bias != null ? NativeInt8Gemm.DQW_EPI_BIAS : 0) | (gelu ? NativeInt8Gemm.DQW_EPI_GELU : 0);
    }

    private static void check(int rc, String fn, Tensor first) {
        if (rc == NativeInt8Gemm.DQW_INT8_BAD_PACK) {
            throw new IllegalStateException(fn + ": the packed weights do not match (corrupted pack?), input " + first.describe());
        }
        if (rc != NativeInt8Gemm.DQW_INT8_OK) {
            throw new IllegalArgumentException(fn + " rejected its arguments (" + rc + "), input " + first.describe());
        }
    }
}
