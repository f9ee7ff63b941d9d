package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/gemm_f32.h} (libdqw.so): the FP32 GEMM.
 * Nothing but declarations: callers go through {@code org.dqwhisper.kernels.Fp32Gemm}, which checks
 * shapes, dtypes and open tensors first. Every function returns 0, {@link #DQW_GEMM_EINVAL} or
 * {@link #DQW_GEMM_ENOMEM}.
 */
@Platform(include = {"dqw/gemm_f32.h"}, link = "dqw")
public final class NativeFp32Gemm {
    static {
        Loader.load();
    }

    /** Values of {@code DQW_GEMM_EINVAL}, {@code DQW_GEMM_ENOMEM} and the epilogue flags of dqw/api.h. */
    public static final int DQW_GEMM_EINVAL = -1, DQW_GEMM_ENOMEM = -2;
    public static final int DQW_EPI_BIAS = 1, DQW_EPI_GELU = 2;

    private NativeFp32Gemm() {}

    public static native int dqw_sgemm(int transA, int transB, int m, int n, int k,
            @Cast("const float*") FloatPointer a, long lda, @Cast("const float*") FloatPointer b, long ldb,
            FloatPointer c, long ldc, int accumulate, @Cast("const float*") FloatPointer bias, int flags);

    public static native long dqw_sgemm_packed_bytes(int n, int k);

    public static native int dqw_sgemm_pack(@Cast("const float*") FloatPointer w, long ldw, int n, int k,
            FloatPointer packed);

    public static native int dqw_sgemm_packed(int m, int n, int k, @Cast("const float*") FloatPointer a, long lda,
            @Cast("const float*") FloatPointer packed, FloatPointer c, long ldc, int accumulate,
            @Cast("const float*") FloatPointer bias, int flags);

    public static native int dqw_sgemm_epilogue(int m, int n, FloatPointer c, long ldc,
            @Cast("const float*") FloatPointer bias, int flags);
}
