package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.KernelArguments.*;

import org.dqwhisper.nativelib.NativeCudaKernels;
import org.dqwhisper.tensor.DType;

/**
 * F32 building blocks for training and inference on CUDA, with the semantics of the CPU {@code nn.h}
 * kernels: LayerNorm, exact-erf GELU, row softmax (forward and backward), embeddings, cross-entropy
 * with label smoothing, distillation KL, and the AdamW step. Results are deterministic (no atomics).
 */
public final class CudaNnKernels {
    private CudaNnKernels() {}

    /** y = LayerNorm(x) over the last dim; mean, rstd F32 [M] may be null; y may be x. */
    public static void layerNormForward(CudaBuffer x, CudaBuffer gamma, CudaBuffer beta, CudaBuffer y,
            CudaBuffer mean, CudaBuffer rstd, float eps, CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] md = matrix("layerNorm x", x);
        require("layerNorm gamma", gamma, DType.F32, md[1]);
        require("layerNorm beta", beta, DType.F32, md[1]);
        require("layerNorm y", y, DType.F32, md[0], md[1]);
        long mAddr = optional("layerNorm mean", mean, DType.F32, md[0]);
        long rAddr = optional("layerNorm rstd", rstd, DType.F32, md[0]);
        CudaException.check(NativeCudaKernels.dqw_cuda_layernorm_forward(x.address(), gamma.address(), beta.address(),
                y.address(), mAddr, rAddr, md[0], md[1], eps, CudaStream.handleOf(stream)), "layerNorm " + x.describe());
    }

    /** dx (= or += with accumulate; may be dy unless accumulating), dgamma += , dbeta += (nullable). */
    public static void layerNormBackward(CudaBuffer dy, CudaBuffer x, CudaBuffer gamma, CudaBuffer mean,
            CudaBuffer rstd, CudaBuffer dx, CudaBuffer dgamma, CudaBuffer dbeta, boolean accumulate, CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] md = matrix("layerNorm x", x);
        require("layerNorm dy", dy, DType.F32, md[0], md[1]);
        require("layerNorm gamma", gamma, DType.F32, md[1]);
        require("layerNorm mean", mean, DType.F32, md[0]);
        require("layerNorm rstd", rstd, DType.F32, md[0]);
        require("layerNorm dx", dx, DType.F32, md[0], md[1]);
        if (accumulate) distinct("layerNorm dx (accumulating)", dx, "dy", dy);
        long g = optional("layerNorm dgamma", dgamma, DType.F32, md[1]);
        long b = optional("layerNorm dbeta", dbeta, DType.F32, md[1]);
        CudaException.check(NativeCudaKernels.dqw_cuda_layernorm_backward(dy.address(), x.address(), gamma.address(),
                mean.address(), rstd.address(), dx.address(), g, b, md[0], md[1], accumulate ? 1 : 0,
                CudaStream.handleOf(stream)), "layerNorm backward " + x.describe());
    }

    /** y = GELU(x) element-wise (same element count; y may be x). */
    public static void geluForward(CudaBuffer x, CudaBuffer y, CudaStream stream) {
        CudaRuntime.requireAvailable();
        sameCount("gelu", x, y);
        CudaException.check(NativeCudaKernels.dqw_cuda_gelu_forward(x.address(), y.address(), x.numel(),
                CudaStream.handleOf(stream)), "gelu " + x.describe());
    }

    /** dx = dy · GELU'(x) (dx may be dy). */
    public static void geluBackward(CudaBuffer x, CudaBuffer dy, CudaBuffer dx, CudaStream stream) {
        CudaRuntime.requireAvailable();
        sameCount("gelu backward", x, dy);
        sameCount("gelu backward", x, dx);
        CudaException.check(NativeCudaKernels.dqw_cuda_gelu_backward(x.address(), dy.address(), dx.address(), x.numel(),
                CudaStream.handleOf(stream)), "gelu backward " + x.describe());
    }

    /** Softmax over the last dim of x [M,N] (y may be x). */
    public static void softmaxForward(CudaBuffer x, CudaBuffer y, CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] mn = matrix("softmax x", x);
        require("softmax y", y, DType.F32, mn[0], mn[1]);
        CudaException.check(NativeCudaKernels.dqw_cuda_softmax_forward(x.address(), y.address(), mn[0], mn[1],
                CudaStream.handleOf(stream)), "softmax " + x.describe());
    }

    /** dx = y·(dy - Σ dy·y) per row (dx may be dy). */
    public static void softmaxBackward(CudaBuffer y, CudaBuffer dy, CudaBuffer dx, CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] mn = matrix("softmax y", y);
        require("softmax dy", dy, DType.F32, mn[0], mn[1]);
        require("softmax dx", dx, DType.F32, mn[0], mn[1]);
        distinct("softmax dx", dx, "y", y);
        CudaException.check(NativeCudaKernels.dqw_cuda_softmax_backward(y.address(), dy.address(), dx.address(), mn[0],
                mn[1], CudaStream.handleOf(stream)), "softmax backward " + y.describe());
    }

    /** out[n] = table[ids[n]] (ids outside [0,V) give zeros): table [V,D], ids S32 [N], out [N,D]. */
    public static void embeddingForward(CudaBuffer table, CudaBuffer ids, CudaBuffer out, CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] vd = matrix("embedding table", table);
        require("embedding ids", ids, DType.S32, -1);
        require("embedding out", out, DType.F32, ids.dim(0), vd[1]);
        CudaException.check(NativeCudaKernels.dqw_cuda_embedding_forward(table.address(), ids.address(), out.address(),
                vd[0], vd[1], ids.dim(0), CudaStream.handleOf(stream)), "embedding " + table.describe());
    }

    /** dtable[ids[n]] += dout[n], summed in n order (deterministic). */
    public static void embeddingBackward(CudaBuffer dout, CudaBuffer ids, CudaBuffer dtable, CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] vd = matrix("embedding dtable", dtable);
        require("embedding ids", ids, DType.S32, -1);
        require("embedding dout", dout, DType.F32, ids.dim(0), vd[1]);
        CudaException.check(NativeCudaKernels.dqw_cuda_embedding_backward(dout.address(), ids.address(), dtable.address(),
                vd[0], vd[1], ids.dim(0), CudaStream.handleOf(stream)), "embedding backward " + dtable.describe());
    }

    /**
     * Cross-entropy per row of logits [N,V] with targets S32 [N] (ignoreIndex rows give 0), label
     * smoothing eps; losses F32 [N]; dlogits [N,V] (nullable, may be logits) = scale·(p - (1-eps)·onehot - eps/V).
     */
    public static void crossEntropy(CudaBuffer logits, CudaBuffer targets, CudaBuffer losses, CudaBuffer dlogits,
            int ignoreIndex, float labelSmoothing, float scale, CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] nv = matrix("crossEntropy logits", logits);
        require("crossEntropy targets", targets, DType.S32, nv[0]);
        require("crossEntropy losses", losses, DType.F32, nv[0]);
        long d = optional("crossEntropy dlogits", dlogits, DType.F32, nv[0], nv[1]);
        if (!(labelSmoothing >= 0f && labelSmoothing < 1f)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        CudaException.check(NativeCudaKernels.dqw_cuda_cross_entropy(logits.address(), targets.address(), losses.address(),
                d, nv[0], nv[1], ignoreIndex, labelSmoothing, scale, CudaStream.handleOf(stream)),
                "crossEntropy " + logits.describe());
    }

    /**
     * Distillation loss per row: T²·KL(softmax(teacher/T) ‖ softmax(student/T)); mask S32 [N] nullable
     * (0 = skip); dstudent (nullable, may be student) = scale·T·(p_s - p_t).
     */
    public static void klDivergence(CudaBuffer student, CudaBuffer teacher, CudaBuffer mask, CudaBuffer losses,
            CudaBuffer dstudent, float temperature, float scale, CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] nv = matrix("kl student", student);
        require("kl teacher", teacher, DType.F32, nv[0], nv[1]);
        long m = optional("kl mask", mask, DType.S32, nv[0]);
        require("kl losses", losses, DType.F32, nv[0]);
        long d = optional("kl dstudent", dstudent, DType.F32, nv[0], nv[1]);
        if (!(temperature > 0f)) throw new IllegalArgumentException("kl: temperature must be > 0, got " + temperature);
        CudaException.check(NativeCudaKernels.dqw_cuda_kl_divergence(student.address(), teacher.address(), m,
                losses.address(), d, nv[0], nv[1], temperature, scale, CudaStream.handleOf(stream)),
                "kl " + student.describe());
    }

    /** One AdamW step (PyTorch semantics) over param, grad, m, v (F32, same element count); step >= 1. */
    public static void adamwStep(CudaBuffer param, CudaBuffer grad, CudaBuffer m, CudaBuffer v, float lr, float beta1,
            float beta2, float eps, float weightDecay, float gradScale, long step, CudaStream stream) {
        CudaRuntime.requireAvailable();
        sameCount("adamw", param, grad);
        sameCount("adamw", param, m);
        sameCount("adamw", param, v);
        positive("adamw step", step);
        CudaException.check(NativeCudaKernels.dqw_cuda_adamw_step(param.address(), grad.address(), m.address(),
                v.address(), param.numel(), lr, beta1, beta2, eps, weightDecay, gradScale, step,
                CudaStream.handleOf(stream)), "adamw " + param.describe());
    }

    private static long[] matrix(String role, CudaBuffer b) {
        require(role, b, DType.F32, -1, -1);
        positive(role + " columns", b.dim(1));
        toInt(role + " rows", b.dim(0));
        return new long[] {b.dim(0), b.dim(1)};
    }

    private static void sameCount(String what, CudaBuffer a, CudaBuffer b) {
        if (a == null || b == null) throw new IllegalArgumentException(what + ": buffers are required");
        a.checkOpen();
        b.checkOpen();
        if (a.dtype() != DType.F32 || b.dtype() != DType.F32 || a.numel() != b.numel()) {
            throw new IllegalArgumentException(what + ": " + a.describe() + " and " + b.describe() + " must be F32 of equal size");
        }
    }
}
