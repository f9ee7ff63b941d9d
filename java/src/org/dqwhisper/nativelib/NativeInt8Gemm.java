package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/gemm_int8.h} (libdqw.so). Nothing but
 * declarations: callers go through the checked, Tensor-based {@code org.dqwhisper.kernels.Int8Gemm}.
 * Every function returns 0 ({@link #DQW_INT8_OK}) or a negative status.
 */
@Platform(include = {"dqw/gemm_int8.h"}, link = "dqw")
public final class NativeInt8Gemm {
    static {
        Loader.load();
    }

    public static final int DQW_INT8_OK = 0;
    public static final int DQW_INT8_BAD_ARGS = -1;
    public static final int DQW_INT8_BAD_PACK = -2;
    /** Largest K for which the s32 accumulators are exact for any s8 inputs (128*128*K < 2^31). */
    public static final int DQW_INT8_MAX_K = 131071;
    public static final int DQW_EPI_BIAS = 1;
    public static final int DQW_EPI_GELU = 2;

    private NativeInt8Gemm() {}

    public static native int dqw_quantize_rows_s8(@Cast("const float*") FloatPointer x, long ldx, int m, int k,
            @Cast("int8_t*") BytePointer q, long ldq, FloatPointer scale);

    public static native long dqw_int8_packed_bytes(int n, int k);

    public static native int dqw_int8_pack(@Cast("const int8_t*") BytePointer w, int n, int k, Pointer packed);

    public static native int dqw_int8_gemm_s32(@Cast("const int8_t*") BytePointer a, long lda, int m, int k,
            @Cast("const void*") Pointer packed, int n, IntPointer c, long ldc);

    public static native int dqw_int8_gemm_f32(@Cast("const int8_t*") BytePointer a, long lda,
            @Cast("const float*") FloatPointer aScale, int m, int k, @Cast("const void*") Pointer packed,
            @Cast("const float*") FloatPointer wScale, @Cast("const float*") FloatPointer bias, int n,
            FloatPointer y, long ldy, int flags);

    public static native int dqw_int8_linear(@Cast("const float*") FloatPointer x, long ldx, int m, int k,
            @Cast("const void*") Pointer packed, @Cast("const float*") FloatPointer wScale,
            @Cast("const float*") FloatPointer bias, int n, FloatPointer y, long ldy, int flags,
            @Cast("int8_t*") BytePointer workQ, FloatPointer workScale);

    public static native void dqw_int8_gelu_f32(@Cast("const float*") FloatPointer x, FloatPointer y, long n);
}
