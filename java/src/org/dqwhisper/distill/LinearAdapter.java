package org.dqwhisper.distill;

import java.util.SplittableRandom;
import org.dqwhisper.kernels.Fp32Gemm;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * The trainable linear adapter that maps teacher FFN activations to the student's width before the
 * hidden-state distance ({@code nn.Linear(4·d_T → 4·d_S)} in the authors' code: 3072 → 2048 for
 * small → base); discarded after training. {@code y = x·Wᵀ + b}, W F32 {@code [outFeatures, inFeatures]},
 * b F32 {@code [outFeatures]}, initialised like PyTorch's {@code nn.Linear}: W and b uniform in
 * ±1/sqrt(inFeatures). Forward and backward run on {@link Fp32Gemm}. Owns its parameters: {@link #close()} it.
 */
public final class LinearAdapter implements AutoCloseable {
    private final int inFeatures;
    private final int outFeatures;
    private final Tensor weight;
    private final Tensor bias;

    public LinearAdapter(int inFeatures, int outFeatures, long seed) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("adapter: features must be >= 1, got " + inFeatures + " -> " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        SplittableRandom r = new SplittableRandom(seed);
        double bound = 1.0 / Math.sqrt(inFeatures);
        float[] w = new float[Math.multiplyExact(inFeatures, outFeatures)];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble(-bound, bound);
        float[] b = new float[outFeatures];
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble(-bound, bound);
        this.weight = Tensor.allocate("adapter.weight", DType.F32, outFeatures, inFeatures);
        this.bias = Tensor.allocate("adapter.bias", DType.F32, outFeatures);
        weight.copyFrom(w);
        bias.copyFrom(b);
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    /** The weight parameter F32 [out, in] (owned by the adapter; an optimizer updates it in place). */
    public Tensor weight() {
        return weight;
    }

    /** The bias parameter F32 [out]. */
    public Tensor bias() {
        return bias;
    }

    /** {@code y = x·Wᵀ + b}: x F32 [..., in], y F32 [..., out] (same leading dimensions, flattened to rows). */
    public void forward(Tensor x, Tensor y) {
        Fp32Gemm.sgemm(false, true, x, weight, y, false, bias, false);
    }

    /**
     * Parameter gradients for {@code dY} (F32 like y): {@code dWeight (+)= dYᵀ·x} [out, in] and
     * {@code dBias (+)= Σ_rows dY} [out]; with {@code accumulate} false they are overwritten. The teacher
     * side is frozen, so no input gradient is formed (use {@link #backwardInput} when one is needed).
     */
    public void backward(Tensor x, Tensor dY, Tensor dWeight, Tensor dBias, boolean accumulate) {
        if (dWeight == null || dBias == null) throw new IllegalArgumentException("adapter backward: dWeight and dBias are required");
        dWeight.requireShape(DType.F32, outFeatures, inFeatures);
        dBias.requireShape(DType.F32, outFeatures);
        Fp32Gemm.sgemm(true, false, dY, x, dWeight, accumulate);
        if (!accumulate) dBias.fill(0f);
        NnKernels.biasGrad(dY, dBias);
    }

    /** {@code dX (+)= dY·W}: dY F32 [..., out], dX F32 [..., in]. */
    public void backwardInput(Tensor dY, Tensor dX, boolean accumulate) {
        Fp32Gemm.sgemm(false, false, dY, weight, dX, accumulate);
    }

    @Override
    public void close() {
        weight.close();
        bias.close();
    }

    @Override
    public String toString() {
        return "linear adapter " + inFeatures + " -> " + outFeatures;
    }
}
