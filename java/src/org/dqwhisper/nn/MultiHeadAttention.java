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
 * <p>Training runs the attention as GEMMs over explicit score matrices ({@link GemmAttention}) and
 * keeps q, k, v and the attention output ({@link Activations}); the backward recomputes the
 * probabilities. Inference uses the fused kernel.
 */
public final class MultiHeadAttention implements AutoCloseable {
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear out;
    private final int heads;

    /** What the backward needs from one training forward (workspace tensors). */
    public static final class Activations implements AutoCloseable {
        private final Workspace.Scope scope = Workspace.scope();
        final Tensor q; // [B, Tq, d]
        final Tensor k; // [B, Tk, d]
        final Tensor v; // [B, Tk, d]
        final Tensor a; // attention output [B, Tq, d]

        Activations(long b, long tq, long tk, int d) {
            q = scope.take("attn.q", b, tq, d);
            k = scope.take("attn.k", b, tk, d);
            v = scope.take("attn.v", b, tk, d);
            a = scope.take("attn.a", b, tq, d);
        }

        @Override
        public void close() {
            scope.close();
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
        attend(h, keys, values, causalOffset, residual, p);
    }

    /**
     * Several sequences of different lengths in one call (lock-step batched decoding): {@code h} [R, d] holds
     * the rows of every sequence back to back, sequence i at rows {@code rowStart[i] .. rowStart[i+1]-1}
     * ({@code rowStart} has one more entry than there are sequences, the last being R). Sequence i attends
     * over its own {@code keys[i]}, {@code values[i]} [Tk_i, d] with {@code causalOffsets[i]} (as in
     * {@link #attendInto}). The query and output projections run once over all R rows (GEMMs with M = R);
     * the attention kernel runs per sequence, except that a run of consecutive one-row unmasked sequences over
     * the same keys and values tensors (the beams of one window in cross-attention) is one
     * {@link NnKernels#attentionRowwise} call, sharing the K/V reads. Every row gets the same numbers as
     * {@link #attendInto} on its sequence alone, since the GEMMs and the kernels compute each row independently.
     *
     * @param residual [R, d], accumulated into
     */
    public void attendRaggedInto(Tensor h, Tensor[] keys, Tensor[] values, int[] rowStart, long[] causalOffsets,
            Tensor residual, Precision p) {
        int n = keys.length;
        int d = width();
        if (h.rank() != 2 || h.dim(1) != d || residual.rank() != 2 || residual.dim(0) != h.dim(0) || residual.dim(1) != d) {
            throw new IllegalArgumentException("attention '" + query.name() + "': ragged batch needs h and residual [R, " + d
                    + "], got " + h.describe() + ", " + residual.describe());
        }
        if (values.length != n || causalOffsets.length != n || rowStart.length != n + 1 || rowStart[0] != 0
                || rowStart[n] != h.dim(0)) {
            throw new IllegalArgumentException("attention '" + query.name() + "': " + n + " sequences need as many keys, values"
                    + " and causal offsets and " + (n + 1) + " row starts from 0 to " + h.dim(0));
        }
        long r = h.dim(0);
        try (Tensor q = Tensor.allocateUninitialized("attn.q", DType.F32, r, d);
                Tensor a = Tensor.allocateUninitialized("attn.a", DType.F32, r, d);
                Tensor o = Tensor.allocateUninitialized("attn.o", DType.F32, r, out.out())) {
            query.forward(h, q, false, p);
            for (int i = 0; i < n; i++) {
                if (rowStart[i + 1] - rowStart[i] < 1) {
                    throw new IllegalArgumentException("attention '" + query.name() + "': sequence " + i + " has no rows");
                }
            }
            for (int i = 0; i < n; ) {
                int t = rowStart[i + 1] - rowStart[i];
                int j = i + 1;
                if (t == 1 && causalOffsets[i] < 0) { // a run of one-row sequences over the same keys and values
                    while (j < n && rowStart[j + 1] - rowStart[j] == 1 && causalOffsets[j] < 0 && keys[j] == keys[i]
                            && values[j] == values[i]) {
                        j++;
                    }
                }
                if (j - i > 1) { // e.g. the beams of one window in cross-attention: one call, each row as if alone
                    NnKernels.attentionRowwise(q.rows(rowStart[i], rowStart[j]).reshape(1, j - i, d), batched(keys[i]),
                            batched(values[i]), heads, -1, a.rows(rowStart[i], rowStart[j]).reshape(1, j - i, d), null);
                } else {
                    NnKernels.attention(q.rows(rowStart[i], rowStart[i + 1]).reshape(1, t, d), batched(keys[i]),
                            batched(values[i]), heads, causalOffsets[i], a.rows(rowStart[i], rowStart[i + 1]).reshape(1, t, d),
                            null);
                }
                i = j;
            }
            out.forward(a, o, false, p);
            NnKernels.addInto(residual, o);
        }
    }

    /**
     * Training forward (FP32): {@code residual += out(attention(query(h), key(src), value(src)))} with
     * h [B, Tq, d] and src [B, Tk, d] (src is h itself for self-attention); a causal mask when
     * {@code causal} (then Tq = Tk).
     */
    public Activations forwardTrain(Tensor h, Tensor src, boolean causal, Tensor residual) {
        if (h.rank() != 3 || src.rank() != 3 || src.dim(0) != h.dim(0) || (causal && src.dim(1) != h.dim(1))) {
            throw new IllegalArgumentException("attention '" + query.name() + "': training needs h [B,Tq,d] and src [B,Tk,d] (Tk = Tq when"
                    + " causal), got " + h.describe() + ", " + src.describe());
        }
        Activations a = new Activations(h.dim(0), h.dim(1), src.dim(1), width());
        try (Workspace.Scope s = Workspace.scope()) {
            projectKeyValue(src, a.k, a.v, Precision.FP32);
            query.forward(h, a.q, false, Precision.FP32);
            GemmAttention.forward(a.q, a.k, a.v, heads, causal, a.a);
            Tensor o = s.take("attn.o", h.dim(0), h.dim(1), out.out());
            out.forward(a.a, o, false, Precision.FP32);
            NnKernels.addInto(residual, o.reshape(residual.shape()));
            return a;
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    private void attend(Tensor h, Tensor keys, Tensor values, int causalOffset, Tensor residual, Precision p) {
        Tensor h3 = batched(h);
        Tensor k3 = batched(keys);
        Tensor v3 = batched(values);
        long b = h3.dim(0), tq = h3.dim(1);
        int d = width();
        try (Tensor q = Tensor.allocateUninitialized("attn.q", DType.F32, b, tq, d);
                Tensor a = Tensor.allocateUninitialized("attn.a", DType.F32, b, tq, d);
                Tensor o = Tensor.allocateUninitialized("attn.o", DType.F32, b, tq, out.out())) {
            query.forward(h3, q, false, p);
            NnKernels.attention(q, k3, v3, heads, causalOffset, a, null);
            out.forward(a, o, false, p);
            NnKernels.addInto(residual, o.reshape(residual.shape()));
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
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor da = s.take("attn.da", a.a.shape());
            Tensor dq = s.take("attn.dq", a.q.shape());
            Tensor dk = s.take("attn.dk", a.k.shape());
            Tensor dv = s.take("attn.dv", a.v.shape());
            out.backward(a.a, dResidual, da, false);
            GemmAttention.backward(a.q, a.k, a.v, da, heads, causal, dq, dk, dv);
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
