package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/cuda.h} (libdqw_cuda.so: real kernels with a
 * statically linked CUDA runtime, or the stub when the build had no nvcc). Load it only through
 * {@link org.dqwhisper.cuda.CudaRuntime}, which probes once and never touches this class again
 * when loading fails.
 */
@Platform(include = {"dqw/cuda.h"}, link = "dqw_cuda")
public final class NativeCuda {
    static {
        Loader.load();
    }

    private NativeCuda() {}

    public static native int dqw_cuda_built_version();

    public static native int dqw_cuda_device_count(IntPointer count);

    public static native int dqw_cuda_driver_version(IntPointer version);

    public static native int dqw_cuda_runtime_version(IntPointer version);

    public static native @Cast("const char*") BytePointer dqw_cuda_error_name(int err);

    public static native @Cast("const char*") BytePointer dqw_cuda_error_string(int err);

    public static native int dqw_cuda_device_info(int device, @Cast("char*") BytePointer name, int nameLen,
            IntPointer major, IntPointer minor, @Cast("int64_t*") LongPointer totalMem, IntPointer smCount);
}
