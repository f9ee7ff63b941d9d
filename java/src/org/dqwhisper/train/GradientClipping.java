package org.dqwhisper.train;

import java.nio.FloatBuffer;
import java.util.List;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.Parameter;

/**
 * Global-norm gradient clipping as {@code torch.nn.utils.clip_grad_norm_}: the L2 norm over all
 * gradients together; if it exceeds {@code maxNorm} every gradient is scaled by
 * {@code maxNorm / (norm + 1e-6)}. The norm is summed in double, parameter by parameter in list
 * order, so it is reproducible.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /** The global L2 norm of all allocated gradients. */
    public static double globalNorm(List<Parameter> params) {
        double sum = 0;
        for (Parameter p : params) {
            if (p.gradOrNull() == null) continue;
            FloatBuffer g = p.gradOrNull().floatPointer().asBuffer();
            double s = 0;
            for (int i = 0, n = g.limit(); i < n; i++) {
                double v = g.get(i);
                s += v * v;
            }
            sum += s;
        }
        return Math.sqrt(sum);
    }

    /**
     * Clips to {@code maxNorm} (no clipping when {@code maxNorm <= 0}) and returns the norm before
     * clipping. A non-finite norm gives an {@link IllegalStateException}: the step would destroy the
     * weights.
     */
    public static double clip(List<Parameter> params, double maxNorm) {
        double norm = globalNorm(params);
        if (!Double.isFinite(norm)) throw new IllegalStateException("gradient norm is " + norm + " (overflow or NaN in the backward pass)");
        if (maxNorm > 0) {
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1) {
                for (Parameter p : params) if (p.gradOrNull() != null) NnKernels.scaleInto(p.gradOrNull(), (float) coef);
            }
        }
        return norm;
    }
}
