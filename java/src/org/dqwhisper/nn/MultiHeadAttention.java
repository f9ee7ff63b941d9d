package org.dqwhisper.nn;

import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Whisper's multi-head attention: q/k/v/out projections (key without bias), heads split
 * contiguously along the model width, scores scaled by 1/sqrt(head_dim), fused native attention
 * (online softmax, no T×T matrix).
 */
public final class MultiHeadAttention implements AutoCloseable {
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear out;
    private final int heads;

    public MultiHeadAttention(Linear query, Linear key, Linear value, Linear out, int heads) {
        int d = query.out();
        if (d % heads != 0) throw new IllegalArgumentException("attention width " + d + " not divisible by " + heads + " heads");
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

    /** Projects {@code x [T,d_in]} to keys and values {@code k, v [T,d]} (rows of a cache, say). */
    public void projectKeyValue(Tensor x, Tensor k, Tensor v, Precision p) {
        key.forward(x, k, false, p);
        value.forward(x, v, false, p);
    }

    /**
     * {@code x += out(attention(query(h), keys, values))} for one sequence.
     *
     * @param h normalised input [Tq, d]
     * @param keys [Tk, d], values [Tk, d]
     * @param causalOffset -1 for no mask, else query i sees keys j ≤ causalOffset + i
     * @param residual [Tq, d], accumulated into
     */
    public void attendInto(Tensor h, Tensor keys, Tensor values, int causalOffset, Tensor residual, Precision p) {
        long tq = h.dim(0);
        int d = width();
        try (Tensor q = Tensor.allocate("attn.q", DType.F32, tq, d);
                Tensor a = Tensor.allocate("attn.a", DType.F32, tq, d);
                Tensor o = Tensor.allocate("attn.o", DType.F32, tq, out.out())) {
            query.forward(h, q, false, p);
            NnKernels.attention(q.reshape(1, tq, d), keys.reshape(1, keys.dim(0), d), values.reshape(1, values.dim(0), d),
                    heads, causalOffset, a.reshape(1, tq, d), null);
            out.forward(a, o, false, p);
            NnKernels.addInto(residual, o);
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
