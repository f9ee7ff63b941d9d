package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.KernelArguments.*;

import org.dqwhisper.nativelib.NativeCudaKernels;
import org.dqwhisper.tensor.DType;

/**
 * Multi-head attention on CUDA. q {@code [B,Tq,H·Dh]}, k and v {@code [Bk,Tk,H·Dh]} with
 * {@code Bk == B} or {@code Bk == 1} (one K/V shared by all rows); head h is the column slice
 * {@code h·Dh .. h·Dh+Dh-1}; scores {@code q·k/√Dh}. {@code causalOffset < 0}: no mask; otherwise
 * query i sees keys {@code j <= causalOffset + i} and {@code causalOffset + Tq <= Tk}. Inputs are F16 or
 * BF16 (F32 runs the generic kernel); F16/BF16 with Dh = 64 run the flash kernel on tensor cores.
 * lse {@code [B,H,Tq]} F32 holds each row's log-sum-exp for the backward.
 */
public final class CudaAttention {
    public static final int MAX_HEAD_DIM = 128;

    private CudaAttention() {}

    /** Fused (flash-style) forward; lse may be null. */
    public static void forward(CudaBuffer q, CudaBuffer k, CudaBuffer v, CudaBuffer out, CudaBuffer lse, int heads,
            long causalOffset, CudaStream stream) {
        CudaRuntime.requireAvailable();
        Dims d = dims(q, k, v, out, heads, causalOffset);
        long lseAddr = optional("attention lse", lse, DType.F32, d.b, heads, d.tq);
        CudaException.check(NativeCudaKernels.dqw_cuda_attention_forward(d.code, q.address(), k.address(), v.address(),
                out.address(), lseAddr, d.b, d.bk, d.tq, d.tk, heads, d.dh, causalOffset, CudaStream.handleOf(stream)),
                "attention forward " + q.describe());
    }

    /** The forward on the generic CUDA-core kernel (any Dh <= 128): a cross-check of the tensor-core path. */
    public static void forwardGeneric(CudaBuffer q, CudaBuffer k, CudaBuffer v, CudaBuffer out, CudaBuffer lse,
            int heads, long causalOffset, CudaStream stream) {
        CudaRuntime.requireAvailable();
        Dims d = dims(q, k, v, out, heads, causalOffset);
        long lseAddr = optional("attention lse", lse, DType.F32, d.b, heads, d.tq);
        CudaException.check(NativeCudaKernels.dqw_cuda_attention_forward_generic(d.code, q.address(), k.address(),
                v.address(), out.address(), lseAddr, d.b, d.bk, d.tq, d.tk, heads, d.dh, causalOffset,
                CudaStream.handleOf(stream)), "attention forward (generic) " + q.describe());
    }

    /** Naive materialized attention; scores F32 {@code [B,H,Tq,Tk]} is scratch. */
    public static void naive(CudaBuffer q, CudaBuffer k, CudaBuffer v, CudaBuffer out, CudaBuffer lse,
            CudaBuffer scores, int heads, long causalOffset, CudaStream stream) {
        CudaRuntime.requireAvailable();
        Dims d = dims(q, k, v, out, heads, causalOffset);
        long lseAddr = optional("attention lse", lse, DType.F32, d.b, heads, d.tq);
        require("attention scores", scores, DType.F32, d.b, heads, d.tq, d.tk);
        CudaException.check(NativeCudaKernels.dqw_cuda_attention_naive(d.code, q.address(), k.address(), v.address(),
                out.address(), lseAddr, scores.address(), d.b, d.bk, d.tq, d.tk, heads, d.dh, causalOffset,
                CudaStream.handleOf(stream)), "attention naive " + q.describe());
    }

    /**
     * Backward: from q, k, v, out, lse (of the forward) and dout (dtype of q) to F32 gradients dq
     * {@code [B,Tq,H·Dh]}, dk, dv {@code [Bk,Tk,H·Dh]} (overwritten; summed over B when Bk = 1);
     * work F32 {@code [B,H,Tq]} is scratch.
     */
    public static void backward(CudaBuffer q, CudaBuffer k, CudaBuffer v, CudaBuffer out, CudaBuffer lse,
            CudaBuffer dout, CudaBuffer dq, CudaBuffer dk, CudaBuffer dv, CudaBuffer work, int heads, long causalOffset,
            CudaStream stream) {
        CudaRuntime.requireAvailable();
        Dims d = dims(q, k, v, out, heads, causalOffset);
        long width = q.dim(2);
        require("attention lse", lse, DType.F32, d.b, heads, d.tq);
        require("attention dout", dout, q.dtype(), d.b, d.tq, width);
        require("attention dq", dq, DType.F32, d.b, d.tq, width);
        require("attention dk", dk, DType.F32, d.bk, d.tk, width);
        require("attention dv", dv, DType.F32, d.bk, d.tk, width);
        require("attention work", work, DType.F32, d.b, heads, d.tq);
        CudaException.check(NativeCudaKernels.dqw_cuda_attention_backward(d.code, q.address(), k.address(), v.address(),
                out.address(), lse.address(), dout.address(), dq.address(), dk.address(), dv.address(), work.address(),
                d.b, d.bk, d.tq, d.tk, heads, d.dh, causalOffset, CudaStream.handleOf(stream)),
                "attention backward " + q.describe());
    }

    private record Dims(int code, long b, long bk, long tq, long tk, long dh) {}

    private static Dims dims(CudaBuffer q, CudaBuffer k, CudaBuffer v, CudaBuffer out, int heads, long off) {
        requireRank("attention q", q, 3);
        int code = floatCode("attention q", q.dtype());
        long b = q.dim(0), tq = q.dim(1), width = q.dim(2);
        if (heads < 1 || width % heads != 0) {
            throw new IllegalArgumentException("attention: width " + width + " of " + q.describe() + " is not a multiple of heads = " + heads);
        }
        long dh = width / heads;
        if (dh < 1 || dh > MAX_HEAD_DIM) throw new IllegalArgumentException("attention: head dim " + dh + " outside 1.." + MAX_HEAD_DIM);
        positive("attention B", b);
        positive("attention Tq", tq);
        requireRank("attention k", k, 3);
        long bk = k.dim(0), tk = k.dim(1);
        if (bk != b && bk != 1) throw new IllegalArgumentException("attention: " + k.describe() + " batch must be " + b + " or 1");
        positive("attention Tk", tk);
        require("attention k", k, q.dtype(), bk, tk, width);
        require("attention v", v, q.dtype(), bk, tk, width);
        require("attention out", out, q.dtype(), b, tq, width);
        if (off >= 0 && off + tq > tk) {
            throw new IllegalArgumentException("attention: causal offset " + off + " + Tq " + tq + " exceeds Tk " + tk);
        }
        if (b > 65535 || heads > 65535) throw new IllegalArgumentException("attention: B and heads must be <= 65535");
        distinct("attention out", out, "q", q);
        distinct("attention out", out, "k", k);
        distinct("attention out", out, "v", v);
        return new Dims(code, b, bk, tq, tk, dh);
    }
}
