package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnArgumentChecks.disjoint;
import static org.dqwhisper.kernels.NnArgumentChecks.f32;
import static org.dqwhisper.kernels.NnArgumentChecks.ptr;
import static org.dqwhisper.kernels.NnArgumentChecks.rank;
import static org.dqwhisper.kernels.NnArgumentChecks.shape;

import org.dqwhisper.nativelib.NativeNn;
import org.dqwhisper.tensor.Tensor;

/** Checked attention calls behind {@link NnKernels#attention} and {@link NnKernels#attentionBackward}. */
final class NnAttention {
    static final int MAX_HEAD_DIM = 256;

    private NnAttention() {}

    /** Validated sizes of one attention call. */
    private record Dims(long b, long bk, long tq, long tk, long heads, long headDim, long causalOffset) {}

    private static Dims dims(String op, Tensor q, Tensor k, Tensor v, int heads, long causalOffset) {
        rank(op, "q", f32(op, "q", q), 3);
        rank(op, "k", f32(op, "k", k), 3);
        shape(op, "v", f32(op, "v", v), k.shape());
        long b = q.dim(0), tq = q.dim(1), hd = q.dim(2), bk = k.dim(0), tk = k.dim(1);
        if (k.dim(2) != hd) {
            throw new IllegalArgumentException(op + ": k " + k.describe() + " must have the width of q " + q.describe() + " (" + hd + ")");
        }
        if (heads < 1) throw new IllegalArgumentException(op + ": heads must be >= 1, got " + heads);
        if (hd % heads != 0) {
            throw new IllegalArgumentException(op + ": width " + hd + " of q " + q.describe() + " is not divisible by heads = " + heads);
        }
        long dh = hd / heads;
        if (dh < 1 || dh > MAX_HEAD_DIM) {
            throw new IllegalArgumentException(op + ": head dimension " + dh + " (width " + hd + " / " + heads + " heads) must be in [1, "
                    + MAX_HEAD_DIM + "]");
        }
        if (bk != 1 && bk != b) {
            throw new IllegalArgumentException(op + ": k " + k.describe() + " must have batch 1 (shared) or " + b + " (the batch of q "
                    + q.describe() + ")");
        }
        if (tk < 1) throw new IllegalArgumentException(op + ": k " + k.describe() + " has no keys");
        if (causalOffset >= 0 && causalOffset + tq > tk) {
            throw new IllegalArgumentException(op + ": causalOffset " + causalOffset + " + " + tq + " queries exceeds the " + tk
                    + " keys (query i sits at key position causalOffset + i)");
        }
        return new Dims(b, bk, tq, tk, heads, dh, causalOffset < 0 ? -1 : causalOffset);
    }

    static void forward(Tensor q, Tensor k, Tensor v, int heads, long causalOffset, Tensor out, Tensor lse) {
        forward("attention", q, k, v, heads, causalOffset, out, lse, false);
    }

    static void forwardRowwise(Tensor q, Tensor k, Tensor v, int heads, long causalOffset, Tensor out, Tensor lse) {
        forward("attentionRowwise", q, k, v, heads, causalOffset, out, lse, true);
    }

    private static void forward(String op, Tensor q, Tensor k, Tensor v, int heads, long causalOffset, Tensor out, Tensor lse,
            boolean rowwise) {
        Dims d = dims(op, q, k, v, heads, causalOffset);
        shape(op, "out", f32(op, "out", out), q.shape());
        for (Tensor in : new Tensor[] {q, k, v}) disjoint(op, "out", out, "an input (q, k or v)", in);
        if (lse != null) {
            shape(op, "lse", f32(op, "lse", lse), d.b, d.heads, d.tq);
            for (Tensor other : new Tensor[] {q, k, v, out}) disjoint(op, "lse", lse, "another argument", other);
        }
        CpuRuntime.ensureLoaded();
        if (rowwise) {
            NativeNn.dqw_nn_attention_rowwise_f32(q.floatPointer(), k.floatPointer(), v.floatPointer(), out.floatPointer(), ptr(lse),
                    d.b, d.bk, d.tq, d.tk, d.heads, d.headDim, d.causalOffset);
        } else {
            NativeNn.dqw_nn_attention_f32(q.floatPointer(), k.floatPointer(), v.floatPointer(), out.floatPointer(), ptr(lse), d.b,
                    d.bk, d.tq, d.tk, d.heads, d.headDim, d.causalOffset);
        }
    }

    static void backward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dout, int heads, long causalOffset, Tensor dq,
            Tensor dk, Tensor dv) {
        final String op = "attentionBackward";
        Dims d = dims(op, q, k, v, heads, causalOffset);
        shape(op, "out", f32(op, "out", out), q.shape());
        shape(op, "lse", f32(op, "lse", lse), d.b, d.heads, d.tq);
        shape(op, "dout", f32(op, "dout", dout), q.shape());
        shape(op, "dq", f32(op, "dq", dq), q.shape());
        shape(op, "dk", f32(op, "dk", dk), k.shape());
        shape(op, "dv", f32(op, "dv", dv), k.shape());
        Tensor[] inputs = {q, k, v, out, lse, dout};
        String[] outRoles = {"dq", "dk", "dv"};
        Tensor[] outs = {dq, dk, dv};
        for (int i = 0; i < outs.length; i++) {
            for (Tensor in : inputs) disjoint(op, outRoles[i], outs[i], "an input", in);
            for (int j = i + 1; j < outs.length; j++) disjoint(op, outRoles[i], outs[i], outRoles[j], outs[j]);
        }
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_attention_backward_f32(q.floatPointer(), k.floatPointer(), v.floatPointer(), out.floatPointer(),
                lse.floatPointer(), dout.floatPointer(), dq.floatPointer(), dk.floatPointer(), dv.floatPointer(), d.b, d.bk, d.tq, d.tk,
                d.heads, d.headDim, d.causalOffset);
    }
}
