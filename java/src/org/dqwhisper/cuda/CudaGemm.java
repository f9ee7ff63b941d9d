package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.KernelArguments.*;

import org.dqwhisper.nativelib.NativeCudaKernels;
import org.dqwhisper.tensor.DType;

/**
 * Tensor-core GEMMs and the INT8 activation quantizer on CUDA, with the conventions of the CPU
 * {@code GemmBackend}: weights {@code W[N,K]} (Linear layout), activations {@code A[M,K]},
 * {@code Y[M,N] = A·Wᵀ (+bias) (→ exact-erf GELU)}. INT8 accumulates exactly in s32 and dequantizes
 * with {@code aScale[m]·wScale[n]}; FP16/BF16 accumulate in FP32. All calls are asynchronous on
 * {@code stream} (null = default stream); shapes and dtypes are checked first.
 */
public final class CudaGemm {
    /** Largest K with an exact s32 accumulator (128·128·K < 2³¹). */
    public static final int INT8_MAX_K = 131071;

    private CudaGemm() {}

    /** Element-wise conversion between F32, F16 and BF16 (round to nearest even); same element count. */
    public static void convert(CudaBuffer src, CudaBuffer dst, CudaStream stream) {
        CudaRuntime.requireAvailable();
        if (src == null || dst == null) throw new IllegalArgumentException("convert: src and dst are required");
        int s = floatCode("convert src", src.dtype()), d = floatCode("convert dst", dst.dtype());
        if (src.numel() != dst.numel()) {
            throw new IllegalArgumentException("convert " + src.describe() + " -> " + dst.describe() + ": element counts differ");
        }
        distinct("convert dst", dst, "src", src);
        CudaException.check(NativeCudaKernels.dqw_cuda_convert(src.address(), s, dst.address(), d, src.numel(),
                CudaStream.handleOf(stream)), "convert " + src.describe() + " -> " + dst.describe());
    }

    /** Per-row symmetric INT8 quantization: x F32 [M,K] → q S8 [M,K], scale F32 [M] (bit-identical to the CPU). */
    public static void quantizeRows(CudaBuffer x, CudaBuffer q, CudaBuffer scale, CudaStream stream) {
        CudaRuntime.requireAvailable();
        require("quantizeRows x", x, DType.F32, -1, -1);
        long m = x.dim(0), k = x.dim(1);
        positive("quantizeRows K", k);
        require("quantizeRows q", q, DType.S8, m, k);
        require("quantizeRows scale", scale, DType.F32, m);
        CudaException.check(NativeCudaKernels.dqw_cuda_quantize_rows_s8(x.address(), k, toInt("M", m), toInt("K", k),
                q.address(), k, scale.address(), CudaStream.handleOf(stream)), "quantizeRows " + x.describe());
    }

    /** Exact {@code c[M,N] = a[M,K] · w[N,K]ᵀ}: a, w S8, c S32. */
    public static void int8GemmS32(CudaBuffer a, CudaBuffer w, CudaBuffer c, CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] mnk = int8Dims(a, w);
        require("int8Gemm c", c, DType.S32, mnk[0], mnk[1]);
        CudaException.check(NativeCudaKernels.dqw_cuda_gemm_s8_s32(a.address(), mnk[2], w.address(), mnk[2], c.address(),
                mnk[1], (int) mnk[0], (int) mnk[1], (int) mnk[2], CudaStream.handleOf(stream)),
                "int8GemmS32 " + a.describe() + " x " + w.describe());
    }

    /** {@code y = (a·wᵀ)·aScale[m]·wScale[n] (+bias[n]) (→GELU)}; bias may be null; y F32 [M,N]. */
    public static void int8Gemm(CudaBuffer a, CudaBuffer aScale, CudaBuffer w, CudaBuffer wScale, CudaBuffer bias,
            boolean gelu, CudaBuffer y, CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] mnk = int8Dims(a, w);
        require("int8Gemm aScale", aScale, DType.F32, mnk[0]);
        require("int8Gemm wScale", wScale, DType.F32, mnk[1]);
        long biasAddr = optional("int8Gemm bias", bias, DType.F32, mnk[1]);
        require("int8Gemm y", y, DType.F32, mnk[0], mnk[1]);
        int flags = (bias != null ? 1 : 0) | (gelu ? 2 : 0);
        CudaException.check(NativeCudaKernels.dqw_cuda_gemm_s8_f32(a.address(), mnk[2], aScale.address(), w.address(),
                mnk[2], wScale.address(), biasAddr, y.address(), mnk[1], (int) mnk[0], (int) mnk[1], (int) mnk[2], flags,
                CudaStream.handleOf(stream)), "int8Gemm " + a.describe() + " x " + w.describe());
    }

    /**
     * {@code y[M,N] = a[M,K] · w[N,K]ᵀ (+bias) (→GELU)} on tensor cores: a, w both F16 or both BF16;
     * y F32 or the input type; bias F32 [N] or null.
     */
    public static void halfGemm(CudaBuffer a, CudaBuffer w, CudaBuffer bias, boolean gelu, CudaBuffer y,
            CudaStream stream) {
        CudaRuntime.requireAvailable();
        requireRank("halfGemm a", a, 2);
        requireRank("halfGemm w", w, 2);
        if (a.dtype() != DType.F16 && a.dtype() != DType.BF16) {
            throw new IllegalArgumentException("halfGemm a: " + a.describe() + " must be F16 or BF16");
        }
        long m = a.dim(0), k = a.dim(1), n = w.dim(0);
        positive("halfGemm M", m);
        positive("halfGemm K", k);
        positive("halfGemm N", n);
        require("halfGemm w", w, a.dtype(), n, k);
        long biasAddr = optional("halfGemm bias", bias, DType.F32, n);
        requireRank("halfGemm y", y, 2);
        if (y.dtype() != DType.F32 && y.dtype() != a.dtype()) {
            throw new IllegalArgumentException("halfGemm y: " + y.describe() + " must be F32 or " + a.dtype());
        }
        require("halfGemm y", y, y.dtype(), m, n);
        int flags = (bias != null ? 1 : 0) | (gelu ? 2 : 0);
        CudaException.check(NativeCudaKernels.dqw_cuda_gemm_half(floatCode("a", a.dtype()), a.address(), k, w.address(),
                k, biasAddr, y.address(), n, floatCode("y", y.dtype()), toInt("M", m), toInt("N", n), toInt("K", k), flags,
                CudaStream.handleOf(stream)), "halfGemm " + a.describe() + " x " + w.describe());
    }

    private static long[] int8Dims(CudaBuffer a, CudaBuffer w) {
        require("int8Gemm a", a, DType.S8, -1, -1);
        require("int8Gemm w", w, DType.S8, -1, a.dim(1));
        long m = a.dim(0), n = w.dim(0), k = a.dim(1);
        positive("int8Gemm M", m);
        positive("int8Gemm N", n);
        positive("int8Gemm K", k);
        if (k > INT8_MAX_K) throw new IllegalArgumentException("int8Gemm K = " + k + " exceeds " + INT8_MAX_K + " (s32 exactness)");
        return new long[] {toInt("M", m), toInt("N", n), k};
    }
}
