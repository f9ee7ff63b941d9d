package org.dqwhisper.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.nativelib.NativeOptim;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * AdamW (Loshchilov and Hutter), as PyTorch's {@code torch.optim.AdamW}: decoupled weight decay
 * {@code p ← p·(1 − lr·wd)}, then {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²} and
 * {@code p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)}. Weight decay applies to matrices and
 * embeddings (rank ≥ 2), not to biases and LayerNorm parameters (the usual transformer recipe).
 *
 * <p>The moments m and v live off-heap, one pair per parameter name, created at the first update. The
 * update runs in the native kernel {@code dqw_adamw_step_f32} (scalar / AVX2 / AVX-512, threaded): each
 * element is updated independently in double and rounded once to FP32, so the result does not depend on
 * the instruction set or on how the work is split over threads.
 */
public final class AdamW implements AutoCloseable {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, Tensor[]> moments = new LinkedHashMap<>();
    private long updates;

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** Updates done so far (the t of the bias correction after the next update is this + 1). */
    public long updates() {
        return updates;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** Whether weight decay applies to a parameter (matrices and embeddings). */
    public static boolean decays(Parameter p) {
        return p.value().rank() >= 2;
    }

    /** One update of every parameter that has a gradient, with learning rate {@code lr}. */
    public void step(List<Parameter> params, double lr) {
        if (!(lr >= 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        long t = updates + 1;
        double correction1 = 1 - Math.pow(beta1, t);
        double correction2 = 1 - Math.pow(beta2, t);
        for (Parameter p : params) {
            if (!p.requiresGrad() || p.gradOrNull() == null) continue;
            Tensor[] mv = moments.computeIfAbsent(p.name(), n -> new Tensor[] {Tensor.allocate(n + ".exp_avg", DType.F32, p.value().shape()),
                    Tensor.allocate(n + ".exp_avg_sq", DType.F32, p.value().shape())});
            if (mv[0].numel() != p.numel()) {
                throw new IllegalStateException("optimizer state for " + p.name() + " has " + mv[0].numel() + " elements, parameter has " + p.numel());
            }
            update(p.value(), p.gradOrNull(), mv[0], mv[1], lr, decays(p) ? weightDecay : 0, correction1, correction2);
        }
        updates = t;
    }

    private void update(Tensor value, Tensor grad, Tensor m, Tensor v, double lr, double wd, double c1, double c2) {
        long n = value.numel();
        for (Tensor t : new Tensor[] {grad, m, v}) {
            if (t.dtype() != DType.F32 || t.numel() != n || value.dtype() != DType.F32) {
                throw new IllegalArgumentException("AdamW needs F32 tensors of " + n + " elements: " + value.describe() + ", got " + t.describe());
            }
        }
        CpuRuntime.ensureLoaded();
        NativeOptim.dqw_adamw_step_f32(value.floatPointer(), grad.floatPointer(), m.floatPointer(), v.floatPointer(), n, 1 - lr * wd, lr / c1,
                Math.sqrt(c2), beta1, 1 - beta1, beta2, 1 - beta2, eps);
    }

    /**
     * The update of {@link #step} for one tensor, element by element in Java doubles: the reference the native
     * kernel is tested against (the kernel evaluates the same operations in the same order, so the bits agree).
     */
    static void referenceUpdate(float[] p, float[] g, float[] m, float[] v, double lr, double wd, double beta1, double beta2, double eps,
            double c1, double c2) {
        double decay = 1 - lr * wd;
        double stepSize = lr / c1;
        double sqrtC2 = Math.sqrt(c2);
        for (int i = 0; i < p.length; i++) {
            double gi = g[i];
            float mf = (float) (beta1 * m[i] + (1 - beta1) * gi);
            float vf = (float) (beta2 * v[i] + (1 - beta2) * gi * gi);
            m[i] = mf;
            v[i] = vf;
            double denom = Math.sqrt(vf) / sqrtC2 + eps;
            p[i] = (float) (p[i] * decay - stepSize * mf / denom);
        }
    }

    /** The moments by parameter name: {exp_avg, exp_avg_sq} (live tensors owned by the optimizer). */
    public Map<String, Tensor[]> moments() {
        return java.util.Collections.unmodifiableMap(moments);
    }

    /**
     * Restores a saved state: the update count and, per parameter name, {exp_avg, exp_avg_sq}
     * tensors, which the optimizer takes over (each must have its parameter's element count).
     */
    public void restore(long updates, Map<String, Tensor[]> saved, List<Parameter> params) {
        if (updates < 0) throw new IllegalArgumentException("update count must be >= 0, got " + updates);
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (Parameter p : params) byName.put(p.name(), p);
        for (Map.Entry<String, Tensor[]> e : saved.entrySet()) {
            Parameter p = byName.get(e.getKey());
            if (p == null) throw new IllegalArgumentException("optimizer state names unknown parameter '" + e.getKey() + "'");
            for (Tensor t : e.getValue()) {
                if (t.dtype() != DType.F32 || t.numel() != p.numel()) {
                    throw new IllegalArgumentException("optimizer state " + t.describe() + " does not fit " + p);
                }
            }
        }
        clear();
        for (Map.Entry<String, Tensor[]> e : saved.entrySet()) {
            Parameter p = byName.get(e.getKey());
            Tensor[] mv = e.getValue();
            moments.put(p.name(), new Tensor[] {mv[0], mv[1]});
        }
        this.updates = updates;
    }

    private void clear() {
        for (Tensor[] mv : moments.values()) {
            mv[0].close();
            mv[1].close();
        }
        moments.clear();
    }

    @Override
    public void close() {
        clear();
    }
}
