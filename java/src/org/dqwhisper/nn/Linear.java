package org.dqwhisper.nn;

import org.dqwhisper.kernels.Fp32Gemm;
import org.dqwhisper.kernels.Int8Gemm;
import org.dqwhisper.kernels.NativeFp32Weights;
import org.dqwhisper.kernels.NativeInt8Weights;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * {@code y = x · Wᵀ + b} with PyTorch's weight layout {@code W[out, in]}. Holds the FP32 master
 * weight and, once {@linkplain #prepare prepared}, the packed FP32 and/or INT8 forms the kernels run.
 * Thread-safe for concurrent forwards after preparation.
 */
public final class Linear implements AutoCloseable {
    private final String name;
    private final Tensor weight;
    private final Tensor bias;
    private NativeFp32Weights fp32;
    private NativeInt8Weights int8;

    /** Takes ownership of {@code weight} [out,in] and {@code bias} [out] (nullable). */
    public Linear(String name, Tensor weight, Tensor bias) {
        this.name = name;
        weight.requireShape(DType.F32, -1, -1);
        if (bias != null) bias.requireShape(DType.F32, weight.dim(0));
        this.weight = weight;
        this.bias = bias;
    }

    public String name() {
        return name;
    }

    public int in() {
        return (int) weight.dim(1);
    }

    public int out() {
        return (int) weight.dim(0);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    /** Packs the weights for a precision (idempotent). */
    public synchronized void prepare(Precision p) {
        if (p == Precision.FP32 && fp32 == null) fp32 = NativeFp32Weights.pack(weight);
        if (p == Precision.INT8 && int8 == null) int8 = NativeInt8Weights.quantize(weight);
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
        if (p == Precision.INT8) {
            Int8Gemm.linear(x2, int8, bias, gelu, y2);
        } else {
            Fp32Gemm.linear(x2, fp32, bias, gelu, y2);
        }
    }

    private Tensor flat(Tensor t, int cols, String what) {
        if (t.rank() < 1 || t.dim(-1) != cols) {
            throw new IllegalArgumentException("linear '" + name + "' [" + out() + "x" + in() + "]: " + what + " "
                    + t.describe() + " must end in " + cols);
        }
        return t.rank() == 2 ? t : t.reshape(t.numel() / cols, cols);
    }

    @Override
    public synchronized void close() {
        invalidate();
        weight.close();
        if (bias != null) bias.close();
    }
}
