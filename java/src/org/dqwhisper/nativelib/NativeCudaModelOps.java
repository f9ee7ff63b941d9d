package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/cuda_model_ops.h} (libdqw_cuda.so). Pointers are device
 * addresses passed as {@code long}; {@code stream} is a cudaStream_t handle (0 = legacy default stream). Use only
 * through {@link org.dqwhisper.cuda.CudaModelOps}, which checks the device and every shape first.
 */
@Platform(include = {"dqw/cuda_model_ops.h"}, link = "dqw_cuda")
public final class NativeCudaModelOps {
    static {
        Loader.load();
    }

    private NativeCudaModelOps() {}

    public static native int dqw_cuda_im2col_1d(@Cast("const float*") long x, long tStride, long cStride, long T, long C,
            int kernel, int stride, int pad, @Cast("void*") long cols, int colsDtype, long tOut, @Cast("void*") long stream);

    public static native int dqw_cuda_add_inplace_f32(@Cast("float*") long y, @Cast("const float*") long x, long n,
            @Cast("void*") long stream);
}
