package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/cpu.h} and {@code memory.h} (libdqw.so).
 * Nothing but declarations: callers go through the checked Java API ({@code org.dqwhisper.kernels},
 * {@code org.dqwhisper.tensor}), never through this class directly.
 */
@Platform(include = {"dqw/cpu.h", "dqw/memory.h"}, link = "dqw")
public final class NativeCpu {
    static {
        Loader.load();
    }

    private NativeCpu() {}

    public static native int dqw_cpu_detected_isa();

    public static native int dqw_cpu_active_isa();

    public static native int dqw_cpu_force_isa(int level);

    public static native void dqw_set_num_threads(int n);

    public static native int dqw_get_num_threads();

    public static native double dqw_cpu_peak_probe(int kind, long rounds);

    public static native @Cast("const char*") BytePointer dqw_version();

    public static native Pointer dqw_alloc(long bytes);

    public static native Pointer dqw_alloc_uninit(long bytes);

    public static native void dqw_free(Pointer p);

    public static native long dqw_alloc_cache_bytes();

    public static native long dqw_alloc_cache_limit();

    public static native void dqw_alloc_cache_set_limit(long bytes);

    public static native void dqw_alloc_cache_release();

    public static native void dqw_alloc_cache_counts(@Cast("int64_t*") LongPointer hits, @Cast("int64_t*") LongPointer misses);

    public static native void dqw_copy(Pointer dst, @Cast("const void*") Pointer src, long bytes);

    public static native void dqw_fill_f32(FloatPointer dst, float value, long n);
}
