package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/distill.h} (libdqw.so). Nothing but declarations:
 * callers go through the checked, Tensor-based {@code org.dqwhisper.distill.DistillationLosses}.
 */
@Platform(include = {"dqw/distill.h"}, link = "dqw")
public final class NativeDistill {
    static {
        Loader.load();
    }

    private NativeDistill() {}

    public static native void dqw_softmax_mse_rows_f32(@Cast("const float*") FloatPointer ps,
            @Cast("const float*") FloatPointer pt, @Cast("const int32_t*") IntPointer mask, FloatPointer rowLoss, long rows,
            long f, float temperature);

    public static native void dqw_softmax_mse_backward_f32(@Cast("const float*") FloatPointer ps,
            @Cast("const float*") FloatPointer pt, @Cast("const int32_t*") IntPointer mask, FloatPointer dhs,
            FloatPointer dat, long rows, long f, float temperature, float scale, int accumulate);
}
