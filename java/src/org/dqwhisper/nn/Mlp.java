package org.dqwhisper.nn;

import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/** Whisper's feed-forward block: fc2(GELU(fc1(x))) with GELU fused into fc1's epilogue. */
public final class Mlp implements AutoCloseable {
    private final Linear fc1;
    private final Linear fc2;

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

    /** {@code residual += fc2(GELU(fc1(h)))}; h and residual [T, d]. */
    public void forwardInto(Tensor h, Tensor residual, Precision p) {
        long t = h.dim(0);
        try (Tensor f = Tensor.allocate("mlp.hidden", DType.F32, t, fc1.out());
                Tensor o = Tensor.allocate("mlp.out", DType.F32, t, fc2.out())) {
            fc1.forward(h, f, true, p);
            fc2.forward(f, o, false, p);
            NnKernels.addInto(residual, o);
        }
    }

    @Override
    public void close() {
        fc1.close();
        fc2.close();
    }
}
