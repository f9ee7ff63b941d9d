package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/cuda_kernels.h} (libdqw_cuda.so). All pointers
 * are device addresses passed as {@code long}; {@code stream} is a cudaStream_t handle (0 = legacy
 * default stream). Use only through {@link org.dqwhisper.cuda.CudaKernels}, which checks that a device
 * exists and that every shape fits before calling.
 */
@Platform(include = {"dqw/cuda_kernels.h"}, link = "dqw_cuda")
public final class NativeCudaKernels {
    static {
        Loader.load();
    }

    private NativeCudaKernels() {}

    public static native int dqw_cuda_convert(@Cast("const void*") long src, int srcDtype, @Cast("void*") long dst,
            int dstDtype, long n, @Cast("void*") long stream);

    public static native int dqw_cuda_quantize_rows_s8(@Cast("const float*") long x, long ldx, int m, int k,
            @Cast("int8_t*") long q, long ldq, @Cast("float*") long scale, @Cast("void*") long stream);

    public static native int dqw_cuda_gemm_s8_s32(@Cast("const int8_t*") long a, long lda, @Cast("const int8_t*") long w,
            long ldw, @Cast("int32_t*") long c, long ldc, int m, int n, int k, @Cast("void*") long stream);

    public static native int dqw_cuda_gemm_s8_f32(@Cast("const int8_t*") long a, long lda,
            @Cast("const float*") long aScale, @Cast("const int8_t*") long w, long ldw, @Cast("const float*") long wScale,
            @Cast("const float*") long bias, @Cast("float*") long y, long ldy, int m, int n, int k, int flags,
            @Cast("void*") long stream);

    public static native int dqw_cuda_gemm_half(int dtype, @Cast("const void*") long a, long lda,
            @Cast("const void*") long w, long ldw, @Cast("const float*") long bias, @Cast("void*") long y, long ldy,
            int yDtype, int m, int n, int k, int flags, @Cast("void*") long stream);

    public static native int dqw_cuda_attention_forward(int dtype, @Cast("const void*") long q,
            @Cast("const void*") long k, @Cast("const void*") long v, @Cast("void*") long out,
            @Cast("float*") long lse, long B, long Bk, long Tq, long Tk, long heads, long headDim, long causalOffset,
            @Cast("void*") long stream);

    public static native int dqw_cuda_attention_forward_generic(int dtype, @Cast("const void*") long q,
            @Cast("const void*") long k, @Cast("const void*") long v, @Cast("void*") long out,
            @Cast("float*") long lse, long B, long Bk, long Tq, long Tk, long heads, long headDim, long causalOffset,
            @Cast("void*") long stream);

    public static native int dqw_cuda_attention_backward(int dtype, @Cast("const void*") long q,
            @Cast("const void*") long k, @Cast("const void*") long v, @Cast("const void*") long out,
            @Cast("const float*") long lse, @Cast("const void*") long dout, @Cast("float*") long dq,
            @Cast("float*") long dk, @Cast("float*") long dv, @Cast("float*") long work, long B, long Bk, long Tq,
            long Tk, long heads, long headDim, long causalOffset, @Cast("void*") long stream);

    public static native int dqw_cuda_attention_naive(int dtype, @Cast("const void*") long q,
            @Cast("const void*") long k, @Cast("const void*") long v, @Cast("void*") long out,
            @Cast("float*") long lse, @Cast("float*") long scores, long B, long Bk, long Tq, long Tk, long heads,
            long headDim, long causalOffset, @Cast("void*") long stream);

    public static native int dqw_cuda_fake_quant_forward(@Cast("const float*") long x, @Cast("float*") long y,
            @Cast("const float*") long scale, @Cast("const float*") long zero, long N, long K, int granularity,
            int group, int bits, int symmetric, @Cast("void*") long stream);

    public static native int dqw_cuda_fake_quant_backward(@Cast("const float*") long x, @Cast("const float*") long dy,
            @Cast("const float*") long scale, @Cast("const float*") long zero, @Cast("float*") long dx,
            @Cast("float*") long dscale, @Cast("float*") long dzero, @Cast("float*") long work, long N, long K,
            int granularity, int group, int bits, int symmetric, float gradScale, @Cast("void*") long stream);

    public static native int dqw_cuda_fake_quant_init_scales(@Cast("const float*") long x, @Cast("float*") long scale,
            @Cast("float*") long zero, long N, long K, int granularity, int group, int bits, int symmetric,
            @Cast("void*") long stream);

    public static native int dqw_cuda_layernorm_forward(@Cast("const float*") long x, @Cast("const float*") long gamma,
            @Cast("const float*") long beta, @Cast("float*") long y, @Cast("float*") long mean,
            @Cast("float*") long rstd, long M, long D, float eps, @Cast("void*") long stream);

    public static native int dqw_cuda_layernorm_backward(@Cast("const float*") long dy, @Cast("const float*") long x,
            @Cast("const float*") long gamma, @Cast("const float*") long mean, @Cast("const float*") long rstd,
            @Cast("float*") long dx, @Cast("float*") long dgamma, @Cast("float*") long dbeta, long M, long D,
            int accumulateDx, @Cast("void*") long stream);

    public static native int dqw_cuda_gelu_forward(@Cast("const float*") long x, @Cast("float*") long y, long n,
            @Cast("void*") long stream);

    public static native int dqw_cuda_gelu_backward(@Cast("const float*") long x, @Cast("const float*") long dy,
            @Cast("float*") long dx, long n, @Cast("void*") long stream);

    public static native int dqw_cuda_softmax_forward(@Cast("const float*") long x, @Cast("float*") long y, long M,
            long N, @Cast("void*") long stream);

    public static native int dqw_cuda_softmax_backward(@Cast("const float*") long y, @Cast("const float*") long dy,
            @Cast("float*") long dx, long M, long N, @Cast("void*") long stream);

    public static native int dqw_cuda_embedding_forward(@Cast("const float*") long table,
            @Cast("const int32_t*") long ids, @Cast("float*") long out, long V, long D, long N,
            @Cast("void*") long stream);

    public static native int dqw_cuda_embedding_backward(@Cast("const float*") long dout,
            @Cast("const int32_t*") long ids, @Cast("float*") long dtable, long V, long D, long N,
            @Cast("void*") long stream);

    public static native int dqw_cuda_cross_entropy(@Cast("const float*") long logits,
            @Cast("const int32_t*") long targets, @Cast("float*") long losses, @Cast("float*") long dlogits, long N,
            long V, int ignoreIndex, float labelSmoothing, float scale, @Cast("void*") long stream);

    public static native int dqw_cuda_kl_divergence(@Cast("const float*") long student,
            @Cast("const float*") long teacher, @Cast("const int32_t*") long mask, @Cast("float*") long losses,
            @Cast("float*") long dstudent, long N, long V, float temperature, float scale, @Cast("void*") long stream);

    public static native int dqw_cuda_adamw_step(@Cast("float*") long param, @Cast("const float*") long grad,
            @Cast("float*") long m, @Cast("float*") long v, long n, float lr, float beta1, float beta2, float eps,
            float weightDecay, float gradScale, long step, @Cast("void*") long stream);
}
