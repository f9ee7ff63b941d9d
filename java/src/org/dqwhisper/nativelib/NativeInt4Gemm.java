package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/gemm_int4.h} (libdqw.so). Nothing but
 * declarations: callers go through the checked, Tensor-based {@code org.dqwhisper.kernels.Int4Gemm}.
 */
@Platform(include = {"dqw/gemm_int4.h"}, link = "dqw")
public final class NativeInt4Gemm {
    static {
        Loader.load();
    }

    public static final int DQW_INT4_OK = 0;
    public static final int DQW_INT4_BAD_ARGS = -1;
    public static final int DQW_INT4_BAD_PACK = -2;
    public static final int DQW_INT4_MAX_K = 131071;
    public static final int DQW_EPI_BIAS = 1;
    public static final int DQW_EPI_GELU = 2;

    private NativeInt4Gemm() {}

    public static native long dqw_int4_packed_bytes(int n, int k, int group);

    public static native int dqw_int4_pack(@Cast("const uint8_t*") BytePointer nibbles, long ldb,
            @Cast("const float*") FloatPointer scales, long lds, int n, int k, int group, Pointer packed);

    public static native int dqw_int4_gemm_group_s32(@Cast("const int8_t*") BytePointer a, long lda, int m, int k,
            @Cast("const void*") Pointer packed, int n, IntPointer c);

    public static native int dqw_int4_gemm_f32(@Cast("const int8_t*") BytePointer a, long lda,
            @Cast("const float*") FloatPointer aScale, int m, int k, @Cast("const void*") Pointer packed,
            @Cast("const float*") FloatPointer bias, int n, FloatPointer y, long ldy, int flags);

    public static native int dqw_int4_linear(@Cast("const float*") FloatPointer x, long ldx, int m, int k,
            @Cast("const void*") Pointer packed, @Cast("const float*") FloatPointer bias, int n, FloatPointer y,
            long ldy, int flags, @Cast("int8_t*") BytePointer workQ, FloatPointer workScale);
}
