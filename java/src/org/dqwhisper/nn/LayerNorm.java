package org.dqwhisper.nn;

import java.util.List;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * LayerNorm over the last dimension (biased variance, eps 1e-5 as in Whisper). The training forward
 * keeps each row's mean and 1/std ({@link Stats}); the backward also needs the forward's input, which
 * the caller keeps.
 */
public final class LayerNorm implements AutoCloseable {
    public static final float EPS = 1e-5f;
    private final String name;
    private final Parameter gamma;
    private final Parameter beta;

    /** Per-row statistics of one training forward: mean [M] and rstd [M]. */
    public static final class Stats implements AutoCloseable {
        private final Workspace.Scope scope = Workspace.scope();
        final Tensor mean;
        final Tensor rstd;

        Stats(long rows) {
            mean = scope.take("layernorm.mean", rows);
            rstd = scope.take("layernorm.rstd", rows);
        }

        @Override
        public void close() {
            scope.close();
        }
    }

    /** Takes ownership of gamma [D] and beta [D], named {@code name.weight/.bias}. */
    public LayerNorm(String name, Tensor gamma, Tensor beta) {
        gamma.requireShape(DType.F32, -1);
        beta.requireShape(DType.F32, gamma.dim(0));
        this.name = name;
        this.gamma = new Parameter(name + ".weight", gamma);
        this.beta = new Parameter(name + ".bias", beta);
    }

    public String name() {
        return name;
    }

    public int dim() {
        return (int) gamma.value().dim(0);
    }

    public Tensor gamma() {
        return gamma.value();
    }

    public Tensor beta() {
        return beta.value();
    }

    public void collectParameters(List<Parameter> out) {
        out.add(gamma);
        out.add(beta);
    }

    public void setRequiresGrad(boolean requiresGrad) {
        gamma.setRequiresGrad(requiresGrad);
        beta.setRequiresGrad(requiresGrad);
    }

    /** y = LN(x); x and y [.., D], may alias. */
    public void forward(Tensor x, Tensor y) {
        run(x, y, null);
    }

    /** Training forward: y = LN(x) (x, y [.., D], distinct), returning the row statistics for {@link #backward}. */
    public Stats forwardTrain(Tensor x, Tensor y) {
        Stats s = new Stats(x.numel() / dim());
        try {
            run(x, y, s);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void run(Tensor x, Tensor y, Stats s) {
        int d = dim();
        if (x.dim(-1) != d || y.numel() != x.numel()) {
            throw new IllegalArgumentException("layernorm '" + name + "' [" + d + "]: bad shapes " + x.describe() + " -> " + y.describe());
        }
        NnKernels.layerNorm(rows(x), gamma.value(), beta.value(), EPS, rows(y), s == null ? null : s.mean, s == null ? null : s.rstd);
    }

    /**
     * Backward: {@code dx += dLN/dx · dy} (x the forward's input, dy the gradient of its output, both
     * [.., D]; dx must differ from dy), and dgamma/dbeta accumulated when they require a gradient.
     */
    public void backward(Tensor x, Stats s, Tensor dy, Tensor dx) {
        NnKernels.layerNormBackward(rows(dy), rows(x), gamma.value(), s.mean, s.rstd, rows(dx), true,
                gamma.requiresGrad() ? gamma.grad() : null, beta.requiresGrad() ? beta.grad() : null);
    }

    private Tensor rows(Tensor t) {
        int d = dim();
        if (t.dim(-1) != d) throw new IllegalArgumentException("layernorm '" + name + "' [" + d + "]: " + t.describe() + " must end in " + d);
        return t.rank() == 2 ? t : t.reshape(t.numel() / d, d);
    }

    @Override
    public void close() {
        gamma.close();
        beta.close();
    }
}
