package org.dqwhisper.nn;

import java.util.List;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Whisper's feed-forward block: fc2(GELU(fc1(x))). Inference fuses GELU into fc1's epilogue; the
 * training forward keeps fc1's pre-activation and the GELU output ({@link Activations}) for the
 * backward.
 */
public final class Mlp implements AutoCloseable {
    private final Linear fc1;
    private final Linear fc2;

    /** What the backward needs from one training forward: pre-activation and GELU output [M, hidden]. */
    public static final class Activations implements AutoCloseable {
        private final Workspace.Scope scope = Workspace.scope();
        final Tensor pre;
        final Tensor act;
        Tensor extraActGrad; // a gradient on act from outside the block (distillation), or null

        Activations(long rows, int hidden) {
            pre = scope.take("mlp.pre", rows, hidden);
            act = scope.take("mlp.act", rows, hidden);
        }

        /** The post-GELU fc1 output [M, hidden] (the FFN activation DQ-Whisper distils). Read only. */
        public Tensor activation() {
            return act;
        }

        /** Adds {@code g} [M, hidden] to the gradient of {@link #activation()} that the backward will use. */
        public void addActivationGrad(Tensor g) {
            if (extraActGrad == null) {
                extraActGrad = Tensor.allocate("mlp.dact(extra)", DType.F32, act.shape());
                extraActGrad.fill(0f);
            }
            NnKernels.addInto(extraActGrad, g.reshape(act.shape()));
        }

        @Override
        public void close() {
            scope.close();
            if (extraActGrad != null) extraActGrad.close();
        }
    }

    public Mlp(Linear fc1, Linear fc2) {
        if (fc2.in() != fc1.out() || fc2.out() != fc1.in()) {
            throw new IllegalArgumentException("mlp '" + fc1.name() + "'/'" + fc2.name() + "': shapes [" + fc1.out() + "x" + fc1.in()
                    + "] and [" + fc2.out() + "x" + fc2.in() + "] do not chain");
        }
        this.fc1 = fc1;
        this.fc2 = fc2;
    }

    public Linear fc1() {
        return fc1;
    }

    public Linear fc2() {
        return fc2;
    }

    public void prepare(Precision p) {
        fc1.prepare(p);
        fc2.prepare(p);
    }

    public void invalidate() {
        fc1.invalidate();
        fc2.invalidate();
    }

    public void collectParameters(List<Parameter> out) {
        fc1.collectParameters(out);
        fc2.collectParameters(out);
    }

    public void setRequiresGrad(boolean requiresGrad) {
        fc1.setRequiresGrad(requiresGrad);
        fc2.setRequiresGrad(requiresGrad);
    }

    /** {@code residual += fc2(GELU(fc1(h)))}; h and residual [.., d]. */
    public void forwardInto(Tensor h, Tensor residual, Precision p) {
        long m = h.numel() / fc1.in();
        try (Tensor f = Tensor.allocateUninitialized("mlp.hidden", DType.F32, m, fc1.out());
                Tensor o = Tensor.allocateUninitialized("mlp.out", DType.F32, m, fc2.out())) {
            fc1.forward(h, f, true, p);
            fc2.forward(f, o, false, p);
            NnKernels.addInto(residual, o.reshape(residual.shape()));
        }
    }

    /** Training forward (FP32): {@code residual += fc2(GELU(fc1(h)))}, keeping what {@link #backward} needs. */
    public Activations forwardTrain(Tensor h, Tensor residual) {
        long m = h.numel() / fc1.in();
        Activations a = new Activations(m, fc1.out());
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor o = s.take("mlp.out", m, fc2.out());
            fc1.forward(h, a.pre, false, Precision.FP32);
            NnKernels.gelu(a.pre, a.act);
            fc2.forward(a.act, o, false, Precision.FP32);
            NnKernels.addInto(residual, o.reshape(residual.shape()));
            return a;
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /**
     * Training forward of the first half only, {@code GELU(fc1(h))} (no fc2, no residual): the separately
     * recomputed FFN activation a distillation loss reads ({@link Activations#activation()}); its gradient
     * comes only through {@link Activations#addActivationGrad} and goes back with {@link #backwardHidden}.
     */
    public Activations forwardTrainHidden(Tensor h) {
        long m = h.numel() / fc1.in();
        Activations a = new Activations(m, fc1.out());
        try {
            fc1.forward(h, a.pre, false, Precision.FP32);
            NnKernels.gelu(a.pre, a.act);
            return a;
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /**
     * Backward of {@link #forwardTrainHidden}: the gradient added to the activation goes through GELU and
     * fc1 (parameter gradients accumulated) and is written to {@code dh} (overwritten). Returns false,
     * writing nothing, when no gradient was added.
     */
    public boolean backwardHidden(Activations a, Tensor h, Tensor dh) {
        if (a.extraActGrad == null) return false;
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor dPre = s.take("mlp.dpre", a.pre.shape());
            NnKernels.geluBackward(a.pre, a.extraActGrad, dPre);
            fc1.backward(h, dPre, dh, false);
            return true;
        }
    }

    /**
     * Backward: {@code dResidual} is the gradient of the block output (read only); writes (overwrites)
     * {@code dh}, the gradient of the input h, and accumulates the parameter gradients.
     */
    public void backward(Activations a, Tensor h, Tensor dResidual, Tensor dh) {
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor dAct = s.take("mlp.dact", a.act.shape());
            fc2.backward(a.act, dResidual, dAct, false);
            if (a.extraActGrad != null) NnKernels.addInto(dAct, a.extraActGrad);
            NnKernels.geluBackward(a.pre, dAct, dAct);
            fc1.backward(h, dAct, dh, false);
        }
    }

    @Override
    public void close() {
        fc1.close();
        fc2.close();
    }
}
