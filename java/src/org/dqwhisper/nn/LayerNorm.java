package org.dqwhisper.nn;

import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/** LayerNorm over the last dimension (biased variance, eps 1e-5 as in Whisper). */
public final class LayerNorm implements AutoCloseable {
    public static final float EPS = 1e-5f;
    private final String name;
    private final Tensor gamma;
    private final Tensor beta;

    public LayerNorm(String name, Tensor gamma, Tensor beta) {
        gamma.requireShape(DType.F32, -1);
        beta.requireShape(DType.F32, gamma.dim(0));
        this.name = name;
        this.gamma = gamma;
        this.beta = beta;
    }

    public int dim() {
        return (int) gamma.dim(0);
    }

    public Tensor gamma() {
        return gamma;
    }

    public Tensor beta() {
        return beta;
    }

    /** y = LN(x); x and y [.., D], may alias. */
    public void forward(Tensor x, Tensor y) {
        int d = dim();
        if (x.dim(-1) != d || y.numel() != x.numel()) {
            throw new IllegalArgumentException("layernorm '" + name + "' [" + d + "]: bad shapes " + x.describe() + " -> " + y.describe());
        }
        Tensor x2 = x.rank() == 2 ? x : x.reshape(x.numel() / d, d);
        Tensor y2 = y.rank() == 2 ? y : y.reshape(y.numel() / d, d);
        NnKernels.layerNorm(x2, gamma, beta, EPS, y2, null, null);
    }

    @Override
    public void close() {
        gamma.close();
        beta.close();
    }
}
