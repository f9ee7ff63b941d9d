package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/fake_quant.h} (libdqw.so). Nothing but
 * declarations: callers go through the checked, Tensor-based {@code org.dqwhisper.quant.FakeQuant}.
 */
@Platform(include = {"dqw/fake_quant.h"}, link = "dqw")
public final class NativeFakeQuant {
    static {
        Loader.load();
    }

    public static final int DQW_FQ_OK = 0;
    public static final int DQW_FQ_BAD_ARGS = -1;
    public static final int DQW_FQ_PER_TENSOR = 0;
    public static final int DQW_FQ_PER_CHANNEL = 1;
    public static final int DQW_FQ_PER_GROUP = 2;
    public static final int DQW_FQ_SYMMETRIC = 0;
    public static final int DQW_FQ_ASYMMETRIC = 1;
    public static final int DQW_FQ_SIGNED_MAX = 2;

    private NativeFakeQuant() {}

    public static native long dqw_fq_num_scales(int n, int k, int granularity, int group);

    public static native int dqw_fq_forward(@Cast("const float*") FloatPointer w, long ldw, int n, int k,
            int granularity, int group, int bits, int scheme, int scalesFromData, FloatPointer scale,
            FloatPointer inv, FloatPointer zero, FloatPointer wq, long ldq);

    public static native int dqw_fq_backward(@Cast("const float*") FloatPointer w, long ldw, int n, int k,
            int granularity, int group, int bits, int scheme, @Cast("const float*") FloatPointer scale,
            @Cast("const float*") FloatPointer inv, @Cast("const float*") FloatPointer zero,
            @Cast("const float*") FloatPointer dwq, long lddq, FloatPointer dw, long lddw, int accumulate,
            FloatPointer dscale);

    public static native int dqw_fq_codes(@Cast("const float*") FloatPointer w, long ldw, int n, int k,
            int granularity, int group, int bits, int scheme, @Cast("const float*") FloatPointer inv,
            @Cast("const float*") FloatPointer zero, @Cast("void*") Pointer codes, long ldc);
}
