package org.dqwhisper.nativelib;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP declarations of {@code native/include/dqw/nn.h} (libdqw.so): the non-GEMM neural-network
 * kernels. Nothing but declarations, and nothing here checks its arguments: callers go through
 * {@link org.dqwhisper.kernels.NnKernels}, which validates shapes, dtypes, indices and aliasing first.
 * See nn.h for the shape of every argument.
 */
@Platform(include = {"dqw/nn.h"}, link = "dqw")
public final class NativeNn {
    static {
        Loader.load();
    }

    private NativeNn() {}

    public static native void dqw_nn_layernorm_f32(@Cast("const float*") FloatPointer x, @Cast("const float*") FloatPointer gamma,
            @Cast("const float*") FloatPointer beta, FloatPointer y, FloatPointer mean, FloatPointer rstd, long M, long D, float eps);

    public static native void dqw_nn_layernorm_backward_f32(@Cast("const float*") FloatPointer dy, @Cast("const float*") FloatPointer x,
            @Cast("const float*") FloatPointer gamma, @Cast("const float*") FloatPointer mean, @Cast("const float*") FloatPointer rstd,
            FloatPointer dx, FloatPointer dgamma, FloatPointer dbeta, long M, long D, int accumulateDx);

    public static native void dqw_nn_gelu_f32(@Cast("const float*") FloatPointer x, FloatPointer y, long n);

    public static native void dqw_nn_gelu_backward_f32(@Cast("const float*") FloatPointer x, @Cast("const float*") FloatPointer dy,
            FloatPointer dx, long n);

    public static native void dqw_nn_erf_f32(@Cast("const float*") FloatPointer x, FloatPointer y, long n);

    public static native void dqw_nn_add_into_f32(FloatPointer y, @Cast("const float*") FloatPointer x, long n);

    public static native void dqw_nn_add_f32(@Cast("const float*") FloatPointer a, @Cast("const float*") FloatPointer b, FloatPointer y,
            long n);

    public static native void dqw_nn_scale_into_f32(FloatPointer y, float alpha, long n);

    public static native void dqw_nn_bias_add_f32(FloatPointer y, @Cast("const float*") FloatPointer bias, long M, long N);

    public static native void dqw_nn_bias_grad_f32(@Cast("const float*") FloatPointer dy, FloatPointer dbias, long M, long N);

    public static native void dqw_nn_softmax_rows_f32(@Cast("const float*") FloatPointer x, FloatPointer y, long M, long N);

    public static native void dqw_nn_softmax_rows_backward_f32(@Cast("const float*") FloatPointer y, @Cast("const float*") FloatPointer dy,
            FloatPointer dx, long M, long N);

    public static native void dqw_nn_attention_f32(@Cast("const float*") FloatPointer q, @Cast("const float*") FloatPointer k,
            @Cast("const float*") FloatPointer v, FloatPointer out, FloatPointer lse, long B, long Bk, long Tq, long Tk, long heads,
            long headDim, long causalOffset);

    public static native void dqw_nn_attention_rowwise_f32(@Cast("const float*") FloatPointer q, @Cast("const float*") FloatPointer k,
            @Cast("const float*") FloatPointer v, FloatPointer out, FloatPointer lse, long B, long Bk, long Tq, long Tk, long heads,
            long headDim, long causalOffset);

    public static native void dqw_nn_attention_backward_f32(@Cast("const float*") FloatPointer q, @Cast("const float*") FloatPointer k,
            @Cast("const float*") FloatPointer v, @Cast("const float*") FloatPointer out, @Cast("const float*") FloatPointer lse,
            @Cast("const float*") FloatPointer dout, FloatPointer dq, FloatPointer dk, FloatPointer dv, long B, long Bk, long Tq, long Tk,
            long heads, long headDim, long causalOffset);

    public static native void dqw_nn_im2col1d_f32(@Cast("const float*") FloatPointer x, FloatPointer cols, long T, long Cin, long kernel,
            long stride, long pad);

    public static native void dqw_nn_col2im1d_f32(@Cast("const float*") FloatPointer dcols, FloatPointer dx, long T, long Cin, long kernel,
            long stride, long pad, int accumulate);

    public static native void dqw_nn_transpose2d_f32(@Cast("const float*") FloatPointer x, FloatPointer y, long R, long C);

    public static native void dqw_nn_embedding_lookup_f32(@Cast("const float*") FloatPointer table, @Cast("const int32_t*") IntPointer ids,
            FloatPointer out, long V, long D, long N);

    public static native void dqw_nn_embedding_backward_f32(@Cast("const float*") FloatPointer dout, @Cast("const int32_t*") IntPointer ids,
            FloatPointer dtable, long V, long D, long N);

    public static native void dqw_nn_add_positional_f32(FloatPointer x, @Cast("const float*") FloatPointer pos, long B, long T, long D,
            long offset);

    public static native void dqw_nn_cross_entropy_f32(@Cast("const float*") FloatPointer logits, @Cast("const int32_t*") IntPointer targets,
            FloatPointer losses, FloatPointer dlogits, long N, long V, int ignoreIndex, float labelSmoothing, float scale);

    public static native void dqw_nn_kl_divergence_f32(@Cast("const float*") FloatPointer student, @Cast("const float*") FloatPointer teacher,
            @Cast("const int32_t*") IntPointer mask, FloatPointer losses, FloatPointer dstudent, long N, long V, float temperature,
            float scale);

    /** Reads a Java array in place (JNI critical region: no copy); returns at once, calls nothing back. */
    @CriticalRegion
    public static native double dqw_nn_log_sum_exp_f32(@Cast("const float*") float[] x, long from, long to);

    public static native void dqw_nn_argmax_log_softmax_rows_f32(@Cast("const float*") FloatPointer x, IntPointer idx, DoublePointer logp,
            long N, long V);
}
