package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnArgumentChecks.disjoint;
import static org.dqwhisper.kernels.NnArgumentChecks.f32;
import static org.dqwhisper.kernels.NnArgumentChecks.lastDim;
import static org.dqwhisper.kernels.NnArgumentChecks.numel;
import static org.dqwhisper.kernels.NnArgumentChecks.ptr;
import static org.dqwhisper.kernels.NnArgumentChecks.sameOrDisjoint;
import static org.dqwhisper.kernels.NnArgumentChecks.sameShape;
import static org.dqwhisper.kernels.NnArgumentChecks.shape;

import org.dqwhisper.nativelib.NativeNn;
import org.dqwhisper.tensor.Tensor;

/**
 * The non-GEMM neural-network kernels (LayerNorm, GELU, softmax, attention, conv1d im2col,
 * embeddings, losses), forward and backward, on F32 {@link Tensor}s. Every shape, dtype, index and
 * aliasing rule is checked here before the native call: bad input gives an
 * {@link IllegalArgumentException} (or {@link IllegalStateException} for a closed tensor) naming
 * the operation, the argument and the tensor. Results are bit-identical for any thread count;
 * {@link CpuRuntime#forceIsa} picks the scalar / AVX2 / AVX-512 path. Shapes below are outermost
 * first; "[M,D]" on an argument of any rank means "last dimension D, all others flattened into M".
 * "+=" marks outputs accumulated into; everything else is overwritten. Element-wise and row-wise
 * outputs may be the very same tensor as an input where a method says so, otherwise outputs must
 * not overlap inputs.
 */
public final class NnKernels {
    private NnKernels() {}

    // ---- LayerNorm --------------------------------------------------------------------------------

    /**
     * LayerNorm over the last dimension: {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, biased
     * variance. x [M,D], gamma [D], beta [D], y like x (may be x); mean [M] and rstd [M] =
     * 1/sqrt(var + eps) are stored for the backward when non-null (any shape with M elements).
     */
    public static void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor rstd) {
        final String op = "layerNorm";
        long d = lastDim(op, "x", f32(op, "x", x));
        long m = x.numel() / d;
        shape(op, "gamma", f32(op, "gamma", gamma), d);
        shape(op, "beta", f32(op, "beta", beta), d);
        sameShape(op, "y", f32(op, "y", y), "x", x);
        if (!(eps >= 0) || !Float.isFinite(eps)) throw new IllegalArgumentException(op + ": eps must be finite and >= 0, got " + eps);
        sameOrDisjoint(op, "y", y, "x", x);
        disjoint(op, "y", y, "gamma", gamma);
        disjoint(op, "y", y, "beta", beta);
        for (Tensor stat : new Tensor[] {mean, rstd}) {
            if (stat == null) continue;
            String role = stat == mean ? "mean" : "rstd";
            numel(op, role, f32(op, role, stat), m, "one per row of x");
            for (Tensor other : new Tensor[] {x, gamma, beta, y}) disjoint(op, role, stat, "an input or y", other);
        }
        disjoint(op, "mean", mean, "rstd", rstd);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_layernorm_f32(x.floatPointer(), gamma.floatPointer(), beta.floatPointer(), y.floatPointer(), ptr(mean),
                ptr(rstd), m, d, eps);
    }

    /**
     * LayerNorm backward. dy [M,D], x [M,D], gamma [D], mean [M], rstd [M] (from {@link #layerNorm})
     * give dx [M,D] (nullable; overwritten, or += when {@code accumulateDx}; may be dy when not
     * accumulating), dgamma [D] += sum_m dy * xhat and dbeta [D] += sum_m dy (each nullable).
     */
    public static void layerNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx,
            boolean accumulateDx, Tensor dgamma, Tensor dbeta) {
        final String op = "layerNormBackward";
        long d = lastDim(op, "x", f32(op, "x", x));
        long m = x.numel() / d;
        sameShape(op, "dy", f32(op, "dy", dy), "x", x);
        shape(op, "gamma", f32(op, "gamma", gamma), d);
        numel(op, "mean", f32(op, "mean", mean), m, "one per row of x");
        numel(op, "rstd", f32(op, "rstd", rstd), m, "one per row of x");
        Tensor[] inputs = {x, gamma, mean, rstd};
        if (dx != null) {
            sameShape(op, "dx", f32(op, "dx", dx), "x", x);
            if (accumulateDx) disjoint(op, "dx", dx, "dy", dy);
            else sameOrDisjoint(op, "dx", dx, "dy", dy);
            for (Tensor in : inputs) disjoint(op, "dx", dx, "an input", in);
        }
        for (Tensor g : new Tensor[] {dgamma, dbeta}) {
            if (g == null) continue;
            String role = g == dgamma ? "dgamma" : "dbeta";
            shape(op, role, f32(op, role, g), d);
            for (Tensor other : new Tensor[] {dy, x, gamma, mean, rstd, dx}) disjoint(op, role, g, "another argument", other);
        }
        disjoint(op, "dgamma", dgamma, "dbeta", dbeta);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_layernorm_backward_f32(dy.floatPointer(), x.floatPointer(), gamma.floatPointer(), mean.floatPointer(),
                rstd.floatPointer(), ptr(dx), ptr(dgamma), ptr(dbeta), m, d, accumulateDx ? 1 : 0);
    }

    // ---- GELU, erf --------------------------------------------------------------------------------

    /** Exact GELU {@code y = x * Phi(x) = x/2 * (1 + erf(x / sqrt 2))}, element-wise; y like x (may be x). */
    public static void gelu(Tensor x, Tensor y) {
        final String op = "gelu";
        unary(op, x, y);
        NativeNn.dqw_nn_gelu_f32(x.floatPointer(), y.floatPointer(), x.numel());
    }

    /** GELU backward: {@code dx = dy * (Phi(x) + x * phi(x))}; x, dy, dx of one shape (dx may be x or dy). */
    public static void geluBackward(Tensor x, Tensor dy, Tensor dx) {
        final String op = "geluBackward";
        f32(op, "x", x);
        sameShape(op, "dy", f32(op, "dy", dy), "x", x);
        sameShape(op, "dx", f32(op, "dx", dx), "x", x);
        sameOrDisjoint(op, "dx", dx, "x", x);
        sameOrDisjoint(op, "dx", dx, "dy", dy);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_gelu_backward_f32(x.floatPointer(), dy.floatPointer(), dx.floatPointer(), x.numel());
    }

    /** {@code y = erf(x)} element-wise, the approximation GELU uses (about 1.5 ulp); y like x (may be x). */
    public static void erf(Tensor x, Tensor y) {
        final String op = "erf";
        unary(op, x, y);
        NativeNn.dqw_nn_erf_f32(x.floatPointer(), y.floatPointer(), x.numel());
    }

    private static void unary(String op, Tensor x, Tensor y) {
        f32(op, "x", x);
        sameShape(op, "y", f32(op, "y", y), "x", x);
        sameOrDisjoint(op, "y", y, "x", x);
        CpuRuntime.ensureLoaded();
    }

    // ---- element-wise / residual --------------------------------------------------------------------

    /** {@code y += x} (residual add); x and y of one shape (may be the same tensor). */
    public static void addInto(Tensor y, Tensor x) {
        final String op = "addInto";
        f32(op, "y", y);
        sameShape(op, "x", f32(op, "x", x), "y", y);
        sameOrDisjoint(op, "y", y, "x", x);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_add_into_f32(y.floatPointer(), x.floatPointer(), y.numel());
    }

    /** {@code y = a + b}; all of one shape, y may be a or b. */
    public static void add(Tensor a, Tensor b, Tensor y) {
        final String op = "add";
        f32(op, "a", a);
        sameShape(op, "b", f32(op, "b", b), "a", a);
        sameShape(op, "y", f32(op, "y", y), "a", a);
        sameOrDisjoint(op, "y", y, "a", a);
        sameOrDisjoint(op, "y", y, "b", b);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_add_f32(a.floatPointer(), b.floatPointer(), y.floatPointer(), y.numel());
    }

    /** {@code y *= alpha}. */
    public static void scaleInto(Tensor y, float alpha) {
        f32("scaleInto", "y", y);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_scale_into_f32(y.floatPointer(), alpha, y.numel());
    }

    /** {@code y[m, :] += bias} for every row; y [M,N], bias [N]. */
    public static void biasAdd(Tensor y, Tensor bias) {
        final String op = "biasAdd";
        long n = lastDim(op, "y", f32(op, "y", y));
        shape(op, "bias", f32(op, "bias", bias), n);
        disjoint(op, "y", y, "bias", bias);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_bias_add_f32(y.floatPointer(), bias.floatPointer(), y.numel() / n, n);
    }

    /** {@code dbias += sum over rows of dy}; dy [M,N], dbias [N]. */
    public static void biasGrad(Tensor dy, Tensor dbias) {
        final String op = "biasGrad";
        long n = lastDim(op, "dy", f32(op, "dy", dy));
        shape(op, "dbias", f32(op, "dbias", dbias), n);
        disjoint(op, "dbias", dbias, "dy", dy);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_bias_grad_f32(dy.floatPointer(), dbias.floatPointer(), dy.numel() / n, n);
    }

    // ---- softmax -------------------------------------------------------------------------------------

    /** Softmax of every row (last dimension); x [M,N], y like x (may be x). */
    public static void softmaxRows(Tensor x, Tensor y) {
        final String op = "softmaxRows";
        long n = lastDim(op, "x", f32(op, "x", x));
        sameShape(op, "y", f32(op, "y", y), "x", x);
        sameOrDisjoint(op, "y", y, "x", x);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_softmax_rows_f32(x.floatPointer(), y.floatPointer(), x.numel() / n, n);
    }

    /** Softmax backward: {@code dx = y * (dy - rowsum(dy * y))}, y the forward output; dx may be y or dy. */
    public static void softmaxRowsBackward(Tensor y, Tensor dy, Tensor dx) {
        final String op = "softmaxRowsBackward";
        long n = lastDim(op, "y", f32(op, "y", y));
        sameShape(op, "dy", f32(op, "dy", dy), "y", y);
        sameShape(op, "dx", f32(op, "dx", dx), "y", y);
        sameOrDisjoint(op, "dx", dx, "y", y);
        sameOrDisjoint(op, "dx", dx, "dy", dy);
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_softmax_rows_backward_f32(y.floatPointer(), dy.floatPointer(), dx.floatPointer(), y.numel() / n, n);
    }

    // ---- attention -------------------------------------------------------------------------------------

    /** {@code causalOffset} value for attention without a causal mask (encoder self-attention, cross-attention). */
    public static final long NO_CAUSAL_MASK = -1;

    /**
     * Multi-head scaled dot-product attention, flash-style (tiled over keys with an online softmax; no
     * [Tq,Tk] matrix is materialised). q [B,Tq,H*Dh]; k, v [Bk,Tk,H*Dh] with Bk == B, or Bk == 1 for one
     * K/V shared by all B rows (cross-attention of several beams); head h is the contiguous column slice
     * [h*Dh, (h+1)*Dh), 1 <= Dh <= 256; scores (q . k) / sqrt(Dh).
     *
     * <p>{@code causalOffset} < 0 ({@link #NO_CAUSAL_MASK}): every query sees every key. {@code causalOffset}
     * >= 0: the queries sit at key positions causalOffset .. causalOffset+Tq-1 and query i sees keys
     * j <= causalOffset + i; this needs causalOffset + Tq <= Tk. A full causal prompt is causalOffset 0
     * with Tq == Tk; decoding one token after a KV cache of L tokens is causalOffset L with Tk = L + 1
     * (the number of cached positions, as whisper's {@code offset}).
     *
     * <p>out [B,Tq,H*Dh] must not overlap q, k, v. lse [B,H,Tq] (nullable) receives the natural log of
     * each row's softmax denominator, needed by {@link #attentionBackward}.
     */
    public static void attention(Tensor q, Tensor k, Tensor v, int heads, long causalOffset, Tensor out, Tensor lse) {
        NnAttention.forward(q, k, v, heads, causalOffset, out, lse);
    }

    /**
     * {@link #attention} with every query row computed exactly as a call with that row alone computes it (the
     * one-row decoding path), bit for bit, while the rows over one K/V share its loads from cache: several
     * decoding rows over the same keys and values (the beams of one window in cross-attention: B = 1, Tq = beams,
     * no mask) cost about one row's memory traffic instead of one each.
     */
    public static void attentionRowwise(Tensor q, Tensor k, Tensor v, int heads, long causalOffset, Tensor out, Tensor lse) {
        NnAttention.forwardRowwise(q, k, v, heads, causalOffset, out, lse);
    }

    /**
     * Attention backward, recomputing the probabilities from {@code lse}. q, k, v, heads, causalOffset
     * as in the forward; out and lse [B,H,Tq] from the forward; dout [B,Tq,H*Dh]. Writes (overwrites)
     * dq [B,Tq,H*Dh], dk and dv [Bk,Tk,H*Dh]; with Bk == 1 dk and dv sum over all B rows. The outputs
     * must not overlap any input or each other.
     */
    public static void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dout, int heads,
            long causalOffset, Tensor dq, Tensor dk, Tensor dv) {
        NnAttention.backward(q, k, v, out, lse, dout, heads, causalOffset, dq, dk, dv);
    }

    // ---- conv1d as im2col, transpose -----------------------------------------------------------------

    /** Output length of a conv1d: (T + 2*pad - kernel) / stride + 1 (checks the parameters). */
    public static long conv1dOutputLength(long inputLength, int kernel, int stride, int pad) {
        return NnLayout.conv1dOutputLength("conv1dOutputLength", inputLength, kernel, stride, pad);
    }

    /**
     * im2col for conv1d: x [T,Cin] (time-major) gives cols [Tout, Cin*kernel] with
     * {@code cols[t][ci*kernel + kk] = x[t*stride + kk - pad][ci]} (0 outside [0,T)), so that
     * conv1d(x) = cols . W^T for PyTorch's weight [Cout,Cin,kernel] viewed as [Cout, Cin*kernel].
     * Tout = {@link #conv1dOutputLength}.
     */
    public static void im2col1d(Tensor x, int kernel, int stride, int pad, Tensor cols) {
        NnLayout.im2col1d(x, kernel, stride, pad, cols);
    }

    /** The adjoint of {@link #im2col1d}: dcols [Tout, Cin*kernel] gives dx [T,Cin] (overwritten, or += when accumulating). */
    public static void col2im1d(Tensor dcols, int kernel, int stride, int pad, Tensor dx, boolean accumulate) {
        NnLayout.col2im1d(dcols, kernel, stride, pad, dx, accumulate);
    }

    /** y [C,R] = x [R,C] transposed (e.g. the channel-major mel [n_mels, 3000] to time-major). */
    public static void transpose2d(Tensor x, Tensor y) {
        NnLayout.transpose2d(x, y);
    }

    // ---- embeddings ----------------------------------------------------------------------------------

    /**
     * out[n] = table[ids[n]]: table [V,D], ids S32 of any shape S, out [S..., D]. An id outside [0,V)
     * gives an IllegalArgumentException naming the id and its (flat) position.
     */
    public static void embeddingLookup(Tensor table, Tensor ids, Tensor out) {
        NnLayout.embeddingLookup(table, ids, out);
    }

    /**
     * Embedding backward, a deterministic scatter-add: dtable[ids[n]] += dout[n] for every n in order.
     * dout [S..., D], ids S32 of shape S, dtable [V,D].
     */
    public static void embeddingBackward(Tensor dout, Tensor ids, Tensor dtable) {
        NnLayout.embeddingBackward(dout, ids, dtable);
    }

    /** x[b,t,:] += pos[offset + t,:]: x [B,T,D] or [T,D], pos [Tmax,D], 0 <= offset, offset + T <= Tmax. */
    public static void addPositional(Tensor x, Tensor pos, long offset) {
        NnLayout.addPositional(x, pos, offset);
    }

    /** Backward of {@link #addPositional}: dpos[offset + t,:] += sum_b dx[b,t,:]. */
    public static void addPositionalBackward(Tensor dx, Tensor dpos, long offset) {
        NnLayout.addPositionalBackward(dx, dpos, offset);
    }

    // ---- losses ----------------------------------------------------------------------------------------

    /**
     * Cross-entropy per row with PyTorch's label smoothing: logits [N,V], targets S32 [N] give
     * losses [N] = (1 - eps) * (-log p[target]) + eps * mean_v(-log p[v]), p = softmax(row). Rows whose
     * target is {@code ignoreIndex} give loss 0 and zero gradient; every other target must be in
     * [0,V). dlogits [N,V] (nullable; may be logits itself) = scaleForGrad * d loss[n] / d logits[n],
     * i.e. scaleForGrad * (p - (1-eps) onehot - eps/V). For a mean over the kept rows pass
     * scaleForGrad = 1 / keptRows.
     */
    public static void crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing, Tensor losses,
            Tensor dlogits, float scaleForGrad) {
        NnLosses.crossEntropy(logits, targets, ignoreIndex, labelSmoothing, losses, dlogits, scaleForGrad);
    }

    /**
     * Distillation loss per row: losses[n] = T^2 * KL(softmax(teacher[n]/T) || softmax(student[n]/T)).
     * student, teacher [N,V]; mask S32 [N] of 0/1 (nullable; 0 gives loss 0 and zero gradient);
     * dStudent [N,V] (nullable; may be the student tensor) = scaleForGrad * T * (softmax(student/T) -
     * softmax(teacher/T)), the gradient of scaleForGrad * losses[n].
     */
    public static void klDivergence(Tensor studentLogits, Tensor teacherLogits, float temperature, Tensor mask, Tensor losses,
            Tensor dStudent, float scaleForGrad) {
        NnLosses.klDivergence(studentLogits, teacherLogits, temperature, mask, losses, dStudent, scaleForGrad);
    }

    /**
     * {@code log(sum_j exp(x[j]))} over {@code x[from .. to)} (a row of logits on the Java heap: the log-softmax
     * denominator), read in place: {@code m + log(sum exp(x - m))} with m the maximum, float exponentials summed
     * in blocked double (within ~1e-6 of the exact value for finite rows). Non-finite (NaN or -Infinity) when
     * every entry is -Infinity or one is NaN or +Infinity.
     *
     * @throws IllegalArgumentException when the array is null or the range is empty or outside it
     */
    public static double logSumExp(float[] x, int from, int to) {
        return NnLosses.logSumExp(x, from, to);
    }

    /**
     * Greedy pick per row of logits [N,V]: {@code tokens[n]} = the lowest index of row n's maximum and
     * {@code logprobs[n]} = log softmax(row n)[tokens[n]] (the exponential sum in double). A row holding NaN
     * gives token 0 and a NaN log-probability. Both arrays must have N elements.
     */
    public static void argmaxLogSoftmax(Tensor logits, int[] tokens, double[] logprobs) {
        NnLosses.argmaxLogSoftmax(logits, tokens, logprobs);
    }
}
