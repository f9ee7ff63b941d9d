package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/optim.h} (libdqw.so). Nothing but declarations:
 * callers go through the checked {@code org.dqwhisper.train.AdamW}.
 */
@Platform(include = {"dqw/optim.h"}, link = "dqw")
public final class NativeOptim {
    static {
        Loader.load();
    }

    private NativeOptim() {}

    public static native void dqw_adamw_step_f32(FloatPointer p, @Cast("const float*") FloatPointer g, FloatPointer m, FloatPointer v,
            long n, double decay, double stepSize, double sqrtC2, double beta1, double oneMinusBeta1, double beta2,
            double oneMinusBeta2, double eps);
}
