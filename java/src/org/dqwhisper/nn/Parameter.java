package org.dqwhisper.nn;

import java.util.Arrays;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * A trainable FP32 tensor of a module: its value (the master weight the kernels read), a gradient of
 * the same shape allocated on first use, the checkpoint name (OpenAI spelling, e.g.
 * {@code decoder.blocks.0.attn.query.weight}) and the shape it is stored with in checkpoints (a
 * conv kernel is used as {@code [out, in·k]} but stored {@code [out, in, k]}). A frozen parameter
 * ({@link #setRequiresGrad} false) never receives a gradient; modules then skip the GEMMs that
 * would compute it.
 */
public final class Parameter implements AutoCloseable {
    private final String name;
    private final Tensor value;
    private final long[] storedShape;
    private Tensor grad;
    private boolean requiresGrad = true;

    /** Takes ownership of {@code value} (F32). */
    public Parameter(String name, Tensor value) {
        this(name, value, value.shape());
    }

    /** Takes ownership of {@code value} (F32), stored in checkpoints with {@code storedShape} (same element count). */
    public Parameter(String name, Tensor value, long[] storedShape) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("parameter name is empty");
        value.requireDType(DType.F32);
        long n = 1;
        for (long d : storedShape) n = Math.multiplyExact(n, d);
        if (n != value.numel()) {
            throw new IllegalArgumentException("parameter '" + name + "': stored shape " + Arrays.toString(storedShape) + " does not fit "
                    + value.describe());
        }
        this.name = name;
        this.value = value;
        this.storedShape = storedShape.clone();
    }

    public String name() {
        return name;
    }

    /** The value as the kernels use it. */
    public Tensor value() {
        return value;
    }

    /** The value viewed with its checkpoint shape (shares memory). */
    public Tensor storedView() {
        return Arrays.equals(storedShape, value.shape()) ? value : value.reshape(storedShape);
    }

    public long[] storedShape() {
        return storedShape.clone();
    }

    public long numel() {
        return value.numel();
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Freezes ({@code false}) or unfreezes the parameter; freezing drops an allocated gradient. */
    public void setRequiresGrad(boolean requiresGrad) {
        this.requiresGrad = requiresGrad;
        if (!requiresGrad) releaseGrad();
    }

    /** The gradient, allocated (zero) on first use; only for parameters that require one. */
    public Tensor grad() {
        if (!requiresGrad) throw new IllegalStateException("parameter '" + name + "' is frozen: it has no gradient");
        if (grad == null) grad = Tensor.allocate(name + ".grad", DType.F32, value.shape());
        return grad;
    }

    /** The gradient if one was allocated, else null. */
    public Tensor gradOrNull() {
        return grad;
    }

    /** Sets an allocated gradient to zero (keeps the memory for the next step). */
    public void zeroGrad() {
        if (grad != null) grad.fill(0f);
    }

    /** Frees the gradient. */
    public void releaseGrad() {
        if (grad != null) grad.close();
        grad = null;
    }

    @Override
    public void close() {
        releaseGrad();
        value.close();
    }

    @Override
    public String toString() {
        return "parameter '" + name + "' " + Arrays.toString(storedShape) + (requiresGrad ? "" : " (frozen)");
    }
}
