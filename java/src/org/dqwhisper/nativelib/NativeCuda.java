package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
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
 *
 * <p>Device pointers, stream and event handles cross the boundary as {@code long} addresses (cast to
 * {@code void*} in the JNI glue); out-parameters of type {@code void**} are 8-byte {@link LongPointer}s.
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
    // ---- device, memory, streams, events -------------------------------------------------------------

    public static native int dqw_cuda_set_device(int device);

    public static native int dqw_cuda_get_device(IntPointer device);

    public static native int dqw_cuda_synchronize();

    public static native int dqw_cuda_get_last_error();

    public static native int dqw_cuda_mem_get_info(@Cast("int64_t*") LongPointer freeBytes,
            @Cast("int64_t*") LongPointer totalBytes);

    public static native int dqw_cuda_malloc(@Cast("void**") LongPointer ptr, long bytes);

    public static native int dqw_cuda_free(@Cast("void*") long ptr);

    public static native int dqw_cuda_malloc_host(@Cast("void**") LongPointer ptr, long bytes);

    public static native int dqw_cuda_free_host(@Cast("void*") long ptr);

    public static native int dqw_cuda_memcpy_h2d(@Cast("void*") long dstDevice, @Cast("const void*") long srcHost,
            long bytes, @Cast("void*") long stream);

    public static native int dqw_cuda_memcpy_d2h(@Cast("void*") long dstHost, @Cast("const void*") long srcDevice,
            long bytes, @Cast("void*") long stream);

    public static native int dqw_cuda_memcpy_d2d(@Cast("void*") long dstDevice, @Cast("const void*") long srcDevice,
            long bytes, @Cast("void*") long stream);

    public static native int dqw_cuda_memset(@Cast("void*") long dstDevice, int value, long bytes,
            @Cast("void*") long stream);

    public static native int dqw_cuda_stream_create(@Cast("void**") LongPointer stream);

    public static native int dqw_cuda_stream_synchronize(@Cast("void*") long stream);

    public static native int dqw_cuda_stream_destroy(@Cast("void*") long stream);

    public static native int dqw_cuda_event_create(@Cast("void**") LongPointer event);

    public static native int dqw_cuda_event_record(@Cast("void*") long event, @Cast("void*") long stream);

    public static native int dqw_cuda_event_synchronize(@Cast("void*") long event);

    public static native int dqw_cuda_event_elapsed_ms(FloatPointer ms, @Cast("void*") long start,
            @Cast("void*") long end);

    public static native int dqw_cuda_event_destroy(@Cast("void*") long event);
}
