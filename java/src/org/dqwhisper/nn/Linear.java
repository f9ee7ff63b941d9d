package org.dqwhisper.nn;

import java.util.List;
import org.dqwhisper.kernels.Fp32Gemm;
import org.dqwhisper.kernels.Int8Gemm;
import org.dqwhisper.kernels.NativeFp32Weights;
import org.dqwhisper.kernels.NativeInt8Weights;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * {@code y = x · Wᵀ + b} with PyTorch's weight layout {@code W[out, in]}. Holds the FP32 master
 * weight and, once {@linkplain #prepare prepared}, the packed FP32 and/or INT8 forms the kernels run.
 * Thread-safe for concurrent forwards after preparation; a training step changes the master weight,
 * after which {@link #invalidate()} drops the packed forms.
 *
 * <p>Training: the forward is {@link #forward} in FP32 (the packed FP32 GEMM is bit-identical to the
 * plain one), the caller keeps its input {@code x}, and {@link #backward} gives
 * {@code dW += dyᵀ·x}, {@code db += Σ_rows dy} and {@code dx = dy·W}.
 */
public final class Linear implements AutoCloseable {
    private final String name;
    private final Parameter weight;
    private final Parameter bias;
    private NativeFp32Weights fp32;
    private NativeInt8Weights int8;

    /** Takes ownership of {@code weight} [out,in] and {@code bias} [out] (nullable), named {@code name.weight/.bias}. */
    public Linear(String name, Tensor weight, Tensor bias) {
        this(name, new Parameter(name + ".weight", checkWeight(name, weight)), bias == null ? null : new Parameter(name + ".bias", bias));
    }

    /** A layer over existing parameters (e.g. the token embedding reused for the logits). */
    public Linear(String name, Parameter weight, Parameter bias) {
        checkWeight(name, weight.value());
        if (bias != null) bias.value().requireShape(DType.F32, weight.value().dim(0));
        this.name = name;
        this.weight = weight;
        this.bias = bias;
    }

    private static Tensor checkWeight(String name, Tensor w) {
        if (w.rank() != 2) throw new IllegalArgumentException("linear '" + name + "': weight " + w.describe() + " must be [out, in]");
        return w.requireShape(DType.F32, -1, -1);
    }

    public String name() {
        return name;
    }

    public int in() {
        return (int) weight.value().dim(1);
    }

    public int out() {
        return (int) weight.value().dim(0);
    }

    public Tensor weight() {
        return weight.value();
    }

    public Tensor bias() {
        return bias == null ? null : bias.value();
    }

    public Parameter weightParameter() {
        return weight;
    }

    public Parameter biasParameter() {
        return bias;
    }

    /** Adds this layer's parameters (weight, then bias) to {@code out}. */
    public void collectParameters(List<Parameter> out) {
        out.add(weight);
        if (bias != null) out.add(bias);
    }

    public void setRequiresGrad(boolean requiresGrad) {
        weight.setRequiresGrad(requiresGrad);
        if (bias != null) bias.setRequiresGrad(requiresGrad);
    }

    /** Packs the weights for a precision (idempotent). */
    public synchronized void prepare(Precision p) {
        if (p == Precision.FP32 && fp32 == null) fp32 = NativeFp32Weights.pack(weight.value());
        if (p == Precision.INT8 && int8 == null) int8 = NativeInt8Weights.quantize(weight.value());
    }

    /** Drops packed forms (after the master weight changed, e.g. a training step). */
    public synchronized void invalidate() {
        if (fp32 != null) fp32.close();
        if (int8 != null) int8.close();
        fp32 = null;
        int8 = null;
    }

    /** {@code y[M,out] = x[M,in] · Wᵀ + b} (→ GELU); leading dims of x and y are flattened. */
    public void forward(Tensor x, Tensor y, boolean gelu, Precision p) {
        Tensor x2 = flat(x, in(), "input");
        Tensor y2 = flat(y, out(), "output");
        if (x2.dim(0) != y2.dim(0)) {
            throw new IllegalArgumentException("linear '" + name + "': " + x.describe() + " and " + y.describe() + " differ in rows");
        }
        prepare(p);
        long t0 = GemmStopwatch.start();
        if (p == Precision.INT8) {
            Int8Gemm.linear(x2, int8, bias(), gelu, y2);
        } else {
            Fp32Gemm.linear(x2, fp32, bias(), gelu, y2);
        }
        GemmStopwatch.stop(t0);
    }

    /**
     * Backward of {@code y = x·Wᵀ + b} (without GELU): accumulates {@code dW += dyᵀ·x} and
     * {@code db += Σ dy} into the parameters that require a gradient, and writes {@code dx = dy·W}
     * ({@code +=} when {@code accumulateDx}) unless {@code dx} is null. x [M,in], dy [M,out], dx [M,in].
     */
    public void backward(Tensor x, Tensor dy, Tensor dx, boolean accumulateDx) {
        Tensor x2 = flat(x, in(), "input");
        Tensor dy2 = flat(dy, out(), "output gradient");
        if (x2.dim(0) != dy2.dim(0)) {
            throw new IllegalArgumentException("linear '" + name + "' backward: " + x.describe() + " and " + dy.describe() + " differ in rows");
        }
        if (weight.requiresGrad()) {
            long t0 = GemmStopwatch.start();
            Fp32Gemm.sgemm(true, false, dy2, x2, weight.grad(), true);
            GemmStopwatch.stop(t0);
        }
        if (bias != null && bias.requiresGrad()) NnKernels.biasGrad(dy2, bias.grad());
        if (dx != null) {
            Tensor dx2 = flat(dx, in(), "input gradient");
            if (dx2.dim(0) != x2.dim(0)) {
                throw new IllegalArgumentException("linear '" + name + "' backward: " + dx.describe() + " must have the rows of " + x.describe());
            }
            long t0 = GemmStopwatch.start();
            Fp32Gemm.sgemm(false, false, dy2, weight.value(), dx2, accumulateDx);
            GemmStopwatch.stop(t0);
        }
    }

    private Tensor flat(Tensor t, int cols, String what) {
        if (t.rank() < 1 || t.dim(-1) != cols) {
            throw new IllegalArgumentException("linear '" + name + "' [" + out() + "x" + in() + "]: " + what + " "
                    + t.describe() + " must end in " + cols);
        }
        return t.rank() == 2 ? t : t.reshape(t.numel() / cols, cols);
    }

    /** Frees the packed forms and the parameters (a shared weight is freed by each owner; closing twice is harmless). */
    @Override
    public synchronized void close() {
        invalidate();
        weight.close();
        if (bias != null) bias.close();
    }
}
