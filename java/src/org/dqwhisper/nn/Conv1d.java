package org.dqwhisper.nn;

import java.util.List;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * A 1-D convolution on time-major input, optionally followed by GELU (Whisper's audio stem:
 * kernel 3, padding 1, stride 1 then 2). Runs as im2col + the FP32 GEMM: PyTorch's kernel
 * {@code [out, in, k]} is used as the Linear weight {@code [out, in·k]} (same memory order) and
 * stored back with its 3-D shape. Always FP32 (small, and the first layer is the most
 * precision-sensitive).
 */
public final class Conv1d implements AutoCloseable {
    private final Linear linear;
    private final int inChannels;
    private final int kernel;
    private final int stride;
    private final int pad;
    private final boolean gelu;

    /** What the backward needs: the im2col matrix and (with GELU) the pre-activation. */
    public static final class Activations implements AutoCloseable {
        private final Workspace.Scope scope = Workspace.scope();
        Tensor cols; // [B, Tout, in·k]
        Tensor pre; // [B, Tout, out] or null without GELU

        @Override
        public void close() {
            scope.close();
        }
    }

    /** Takes ownership of {@code weight} [out, in, k] and {@code bias} [out], named {@code name.weight/.bias}. */
    public Conv1d(String name, Tensor weight, Tensor bias, int stride, int pad, boolean gelu) {
        if (weight.rank() != 3) throw new IllegalArgumentException(name + ".weight: expected [out, in, kernel], got " + weight.describe());
        weight.requireDType(DType.F32);
        long[] stored = weight.shape();
        Tensor flat = Tensor.allocate(name + ".weight", DType.F32, stored[0], stored[1] * stored[2]);
        flat.copyFrom(weight);
        weight.close();
        this.linear = new Linear(name, new Parameter(name + ".weight", flat, stored), new Parameter(name + ".bias",
                bias.requireShape(DType.F32, stored[0])));
        this.inChannels = (int) stored[1];
        this.kernel = (int) stored[2];
        this.stride = stride;
        this.pad = pad;
        this.gelu = gelu;
        NnKernels.conv1dOutputLength(kernel, kernel, stride, pad); // checks the parameters
    }

    public String name() {
        return linear.name();
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return linear.out();
    }

    /** Output length for an input of {@code t} frames. */
    public long outputLength(long t) {
        return NnKernels.conv1dOutputLength(t, kernel, stride, pad);
    }

    public void collectParameters(List<Parameter> out) {
        linear.collectParameters(out);
    }

    public void setRequiresGrad(boolean requiresGrad) {
        linear.setRequiresGrad(requiresGrad);
    }

    /** Packs the weights for inference in precision {@code p} (training always runs in FP32). */
    public void prepare(Precision p) {
        linear.prepare(p);
    }

    public void invalidate() {
        linear.invalidate();
    }

    /**
     * Inference: y [B, Tout, out] = act(conv(x [B, T, in])), as im2col and one GEMM in precision {@code p}
     * (INT8: each im2col row quantized dynamically, the weights per output channel, as every Linear).
     */
    public void forward(Tensor x, Tensor y, Precision p) {
        long[] dims = check(x, y);
        try (Tensor cols = Tensor.allocateUninitialized(name() + ".cols", DType.F32, dims[0], dims[2], (long) inChannels * kernel)) {
            im2col(x, cols);
            linear.forward(cols, y, gelu, p);
        }
    }

    /** Training forward: as {@link #forward}, keeping what {@link #backward} needs. */
    public Activations forwardTrain(Tensor x, Tensor y) {
        long[] dims = check(x, y);
        Activations a = new Activations();
        try {
            a.cols = a.scope.take(name() + ".cols", dims[0], dims[2], (long) inChannels * kernel);
            im2col(x, a.cols);
            if (gelu) {
                a.pre = a.scope.take(name() + ".pre", y.shape());
                linear.forward(a.cols, a.pre, false, Precision.FP32);
                NnKernels.gelu(a.pre, y);
            } else {
                linear.forward(a.cols, y, false, Precision.FP32);
            }
            return a;
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /**
     * Backward: dy [B, Tout, out] (read only) gives the weight and bias gradients and, unless
     * {@code dx} is null, writes (overwrites) dx [B, T, in].
     */
    public void backward(Activations a, Tensor dy, Tensor dx) {
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor dPre = gelu ? s.take(name() + ".dpre", dy.shape()) : dy;
            Tensor dCols = dx == null ? null : s.take(name() + ".dcols", a.cols.shape());
            if (gelu) NnKernels.geluBackward(a.pre, dy, dPre);
            linear.backward(a.cols, dPre, dCols, false);
            if (dx != null) {
                if (dx.rank() != 3 || dx.dim(0) != a.cols.dim(0) || dx.dim(2) != inChannels) {
                    throw new IllegalArgumentException("conv '" + name() + "' backward: dx " + dx.describe() + " must be [" + a.cols.dim(0)
                            + ", T, " + inChannels + "]");
                }
                for (long b = 0; b < dx.dim(0); b++) {
                    NnKernels.col2im1d(slice(dCols, b), kernel, stride, pad, slice(dx, b), false);
                }
            }
        }
    }

    /** Checks x [B,T,in], y [B,Tout,out]; returns {B, T, Tout}. */
    private long[] check(Tensor x, Tensor y) {
        if (x.rank() != 3 || x.dim(2) != inChannels) {
            throw new IllegalArgumentException("conv '" + name() + "': input " + x.describe() + " must be [B, T, " + inChannels + "]");
        }
        long tout = outputLength(x.dim(1));
        if (y.rank() != 3 || y.dim(0) != x.dim(0) || y.dim(1) != tout || y.dim(2) != outChannels()) {
            throw new IllegalArgumentException("conv '" + name() + "': output " + y.describe() + " must be [" + x.dim(0) + ", " + tout + ", "
                    + outChannels() + "] for input " + x.describe());
        }
        return new long[] {x.dim(0), x.dim(1), tout};
    }

    private void im2col(Tensor x, Tensor cols) {
        for (long b = 0; b < x.dim(0); b++) NnKernels.im2col1d(slice(x, b), kernel, stride, pad, slice(cols, b));
    }

    /** Sequence b of a [B, T, C] tensor as a [T, C] view. */
    static Tensor slice(Tensor t, long b) {
        return t.rows(b, b + 1).reshape(t.dim(1), t.dim(2));
    }

    @Override
    public void close() {
        linear.close();
    }
}
