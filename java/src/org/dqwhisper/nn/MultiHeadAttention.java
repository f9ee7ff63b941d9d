package org.dqwhisper.nn;

import java.util.List;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Whisper's multi-head attention: q/k/v/out projections (key without bias), heads split
 * contiguously along the model width, scores scaled by 1/sqrt(head_dim), fused native attention
 * (online softmax, no T×T matrix). Sequences may be batched: {@code [B, T, d]} tensors, the
 * projections run on all {@code B·T} rows at once, the attention kernel on its batch dimension.
 *
 * <p>Training keeps q, k, v, the attention output and the per-row log-sum-exp ({@link Activations});
 * the backward recomputes the probabilities from them.
 */
public final class MultiHeadAttention implements AutoCloseable {
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear out;
    private final int heads;

    /** What the backward needs from one training forward. */
    public static final class Activations implements AutoCloseable {
        final Tensor q; // [B, Tq, d]
        final Tensor k; // [B, Tk, d]
        final Tensor v; // [B, Tk, d]
        final Tensor a; // attention output [B, Tq, d]
        final Tensor lse; // [B, H, Tq]

        Activations(long b, long tq, long tk, int d, int heads) {
            q = Tensor.allocate("attn.q", DType.F32, b, tq, d);
            k = Tensor.allocate("attn.k", DType.F32, b, tk, d);
            v = Tensor.allocate("attn.v", DType.F32, b, tk, d);
            a = Tensor.allocate("attn.a", DType.F32, b, tq, d);
            lse = Tensor.allocate("attn.lse", DType.F32, b, heads, tq);
        }

        @Override
        public void close() {
            q.close();
            k.close();
            v.close();
            a.close();
            lse.close();
        }
    }

    public MultiHeadAttention(Linear query, Linear key, Linear value, Linear out, int heads) {
        int d = query.out();
        if (heads < 1 || d % heads != 0) throw new IllegalArgumentException("attention width " + d + " not divisible by " + heads + " heads");
        if (key.out() != d || value.out() != d || value.in() != key.in() || out.in() != d) {
            throw new IllegalArgumentException("attention '" + query.name() + "': projections do not fit: query [" + d + "x" + query.in()
                    + "], key [" + key.out() + "x" + key.in() + "], value [" + value.out() + "x" + value.in() + "], out ["
                    + out.out() + "x" + out.in() + "]");
        }
        this.query = query;
        this.key = key;
        this.value = value;
        this.out = out;
        this.heads = heads;
    }

    public int heads() {
        return heads;
    }

    public int width() {
        return query.out();
    }

    public Linear query() {
        return query;
    }

    public Linear key() {
        return key;
    }

    public Linear value() {
        return value;
    }

    public Linear out() {
        return out;
    }

    public void prepare(Precision p) {
        query.prepare(p);
        key.prepare(p);
        value.prepare(p);
        out.prepare(p);
    }

    public void invalidate() {
        query.invalidate();
        key.invalidate();
        value.invalidate();
        out.invalidate();
    }

    /** Adds the parameters in checkpoint order: query, key, value, out. */
    public void collectParameters(List<Parameter> list) {
        query.collectParameters(list);
        key.collectParameters(list);
        value.collectParameters(list);
        out.collectParameters(list);
    }

    public void setRequiresGrad(boolean requiresGrad) {
        query.setRequiresGrad(requiresGrad);
        key.setRequiresGrad(requiresGrad);
        value.setRequiresGrad(requiresGrad);
        out.setRequiresGrad(requiresGrad);
    }

    /** Projects {@code x [.., d_in]} to keys and values {@code k, v [.., d]} (rows of a cache, say). */
    public void projectKeyValue(Tensor x, Tensor k, Tensor v, Precision p) {
        key.forward(x, k, false, p);
        value.forward(x, v, false, p);
    }

    /**
     * {@code residual += out(attention(query(h), keys, values))}.
     *
     * @param h normalised input [Tq, d] or [B, Tq, d]
     * @param keys [Tk, d] or [Bk, Tk, d] (Bk = B, or 1 shared by all), values likewise
     * @param causalOffset -1 for no mask, else query i sees keys j ≤ causalOffset + i
     * @param residual like h, accumulated into
     */
    public void attendInto(Tensor h, Tensor keys, Tensor values, int causalOffset, Tensor residual, Precision p) {
        attend(h, keys, values, causalOffset, residual, p, null);
    }

    /**
     * Training forward (FP32): {@code residual += out(attention(query(h), key(src), value(src)))} with
     * h [B, Tq, d] and src [B, Tk, d] (src is h itself for self-attention); a causal mask when
     * {@code causal} (then Tq = Tk).
     */
    public Activations forwardTrain(Tensor h, Tensor src, boolean causal, Tensor residual) {
        if (h.rank() != 3 || src.rank() != 3 || src.dim(0) != h.dim(0)) {
            throw new IllegalArgumentException("attention '" + query.name() + "': training needs h [B,Tq,d] and src [B,Tk,d], got "
                    + h.describe() + ", " + src.describe());
        }
        Activations a = new Activations(h.dim(0), h.dim(1), src.dim(1), width(), heads);
        try {
            projectKeyValue(src, a.k, a.v, Precision.FP32);
            attend(h, a.k, a.v, causal ? 0 : -1, residual, Precision.FP32, a);
            return a;
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    private void attend(Tensor h, Tensor keys, Tensor values, int causalOffset, Tensor residual, Precision p, Activations keep) {
        Tensor h3 = batched(h);
        Tensor k3 = batched(keys);
        Tensor v3 = batched(values);
        long b = h3.dim(0), tq = h3.dim(1);
        int d = width();
        Tensor q = keep != null ? keep.q : Tensor.allocate("attn.q", DType.F32, b, tq, d);
        Tensor a = keep != null ? keep.a : Tensor.allocate("attn.a", DType.F32, b, tq, d);
        try (Tensor o = Tensor.allocate("attn.o", DType.F32, b, tq, out.out())) {
            query.forward(h3, q, false, p);
            NnKernels.attention(q, k3, v3, heads, causalOffset, a, keep != null ? keep.lse : null);
            out.forward(a, o, false, p);
            NnKernels.addInto(residual, o.reshape(residual.shape()));
        } finally {
            if (keep == null) {
                q.close();
                a.close();
            }
        }
    }

    private static Tensor batched(Tensor t) {
        return t.rank() == 3 ? t : t.reshape(1, t.dim(0), t.dim(-1));
    }

    /**
     * Backward of {@link #forwardTrain}. {@code dResidual} [B,Tq,d] is the gradient of the block output
     * (read only); writes (overwrites) {@code dh}, the gradient of h; adds the gradient of src into
     * {@code dSrc} unless it is null (for self-attention pass {@code dSrc == dh}: both paths add up).
     */
    public void backward(Activations a, Tensor h, Tensor src, boolean causal, Tensor dResidual, Tensor dh, Tensor dSrc) {
        try (Tensor da = Tensor.allocate("attn.da", DType.F32, a.a.shape());
                Tensor dq = Tensor.allocate("attn.dq", DType.F32, a.q.shape());
                Tensor dk = Tensor.allocate("attn.dk", DType.F32, a.k.shape());
                Tensor dv = Tensor.allocate("attn.dv", DType.F32, a.v.shape())) {
            out.backward(a.a, dResidual, da, false);
            NnKernels.attentionBackward(a.q, a.k, a.v, a.a, a.lse, da, heads, causal ? 0 : -1, dq, dk, dv);
            query.backward(h, dq, dh, false);
            key.backward(src, dk, dSrc, true);
            value.backward(src, dv, dSrc, true);
        }
    }

    @Override
    public void close() {
        query.close();
        key.close();
        value.close();
        out.close();
    }
}
