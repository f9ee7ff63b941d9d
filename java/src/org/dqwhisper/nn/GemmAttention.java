package org.dqwhisper.nn;

import org.dqwhisper.kernels.Fp32Gemm;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.Tensor;

/**
 * Multi-head attention for training, written as GEMMs over explicit score matrices (the issue's
 * "may keep the T×T probabilities"): per sequence the inputs are transposed to head-major
 * {@code [H·dh, T]} so that every head is a contiguous row block, then per head
 * {@code S = (scale·Q)·Kᵀ}, {@code P = softmax(S + mask)}, {@code O = P·V}; the backward recomputes P
 * (nothing T×T is stored between forward and backward) and runs {@code dP = dO·Vᵀ},
 * {@code dV = Pᵀ·dO}, {@code dS = softmax'(P, dP)}, {@code dQ = scale·dS·K}, {@code dK = dSᵀ·(scale·Q)}.
 * All products run on the FP32 GEMM, which is several times faster than the fused streaming kernel
 * for the long encoder sequences; the fused kernel stays the inference path (KV cache, no T×T memory).
 *
 * <p>Shapes: q [B, Tq, D], k and v [B, Tk, D], D = heads · dh, head h the columns [h·dh, (h+1)·dh);
 * causal means query i sees keys j ≤ i (Tq = Tk).
 */
final class GemmAttention {
    private GemmAttention() {}

    /** out [B, Tq, D] = attention(q, k, v). */
    static void forward(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor out) {
        long b = q.dim(0), tq = q.dim(1), tk = k.dim(1), d = q.dim(2), dh = d / heads;
        float scale = (float) (1 / Math.sqrt(dh));
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor qT = s.take("attn.qT", d, tq), kT = s.take("attn.kT", d, tk), vT = s.take("attn.vT", d, tk), oT = s.take("attn.oT", d, tq);
            Tensor p = s.take("attn.p", tq, tk);
            Tensor mask = causal ? causalMask(s, tq, tk) : null;
            for (long i = 0; i < b; i++) {
                headMajor(q, i, qT, scale);
                headMajor(k, i, kT, 1f);
                headMajor(v, i, vT, 1f);
                for (long h = 0; h < heads; h++) {
                    probabilities(qT.rows(h * dh, (h + 1) * dh), kT.rows(h * dh, (h + 1) * dh), mask, p);
                    gemm(false, true, vT.rows(h * dh, (h + 1) * dh), p, oT.rows(h * dh, (h + 1) * dh), false); // (P·V_h)ᵀ = V_hᵀ·Pᵀ
                }
                NnKernels.transpose2d(oT, slice(out, i));
            }
        }
    }

    /** Writes (overwrites) dq, dk, dv from dOut [B, Tq, D]. */
    static void backward(Tensor q, Tensor k, Tensor v, Tensor dOut, int heads, boolean causal, Tensor dq, Tensor dk, Tensor dv) {
        long b = q.dim(0), tq = q.dim(1), tk = k.dim(1), d = q.dim(2), dh = d / heads;
        float scale = (float) (1 / Math.sqrt(dh));
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor qT = s.take("attn.qT", d, tq), kT = s.take("attn.kT", d, tk), vT = s.take("attn.vT", d, tk), dOT = s.take("attn.dOT", d, tq);
            Tensor dQT = s.take("attn.dQT", d, tq), dKT = s.take("attn.dKT", d, tk), dVT = s.take("attn.dVT", d, tk);
            Tensor p = s.take("attn.p", tq, tk), dp = s.take("attn.dp", tq, tk);
            Tensor mask = causal ? causalMask(s, tq, tk) : null;
            for (long i = 0; i < b; i++) {
                headMajor(q, i, qT, scale);
                headMajor(k, i, kT, 1f);
                headMajor(v, i, vT, 1f);
                headMajor(dOut, i, dOT, 1f);
                for (long h = 0; h < heads; h++) {
                    Tensor qh = qT.rows(h * dh, (h + 1) * dh), kh = kT.rows(h * dh, (h + 1) * dh), vh = vT.rows(h * dh, (h + 1) * dh);
                    Tensor doh = dOT.rows(h * dh, (h + 1) * dh);
                    probabilities(qh, kh, mask, p);
                    gemm(true, false, doh, vh, dp, false); // dP = dO_h·V_hᵀ
                    gemm(false, false, doh, p, dVT.rows(h * dh, (h + 1) * dh), false); // dV_hᵀ = dO_hᵀ·P
                    NnKernels.softmaxRowsBackward(p, dp, dp); // dS
                    gemm(false, true, kh, dp, dQT.rows(h * dh, (h + 1) * dh), false); // (dS·K_h)ᵀ = K_hᵀ·dSᵀ
                    gemm(false, false, qh, dp, dKT.rows(h * dh, (h + 1) * dh), false); // (dSᵀ·Q'_h)ᵀ = Q'_hᵀ·dS
                }
                NnKernels.scaleInto(dQT, scale);
                NnKernels.transpose2d(dQT, slice(dq, i));
                NnKernels.transpose2d(dKT, slice(dk, i));
                NnKernels.transpose2d(dVT, slice(dv, i));
            }
        }
    }

    /** p [Tq, Tk] = softmax(qhᵀ·kh + mask) for one head, qh [dh, Tq] already scaled, kh [dh, Tk]. */
    private static void probabilities(Tensor qh, Tensor kh, Tensor mask, Tensor p) {
        gemm(true, false, qh, kh, p, false);
        if (mask != null) NnKernels.addInto(p, mask);
        NnKernels.softmaxRows(p, p);
    }

    /** -∞ above the diagonal (key j > query i), 0 elsewhere. */
    private static Tensor causalMask(Workspace.Scope s, long tq, long tk) {
        Tensor m = s.take("attn.mask", tq, tk);
        float[] v = new float[Math.toIntExact(tq * tk)];
        for (int i = 0; i < tq; i++) java.util.Arrays.fill(v, (int) (i * tk + i + 1), (int) ((i + 1) * tk), Float.NEGATIVE_INFINITY);
        m.copyFrom(v);
        return m;
    }

    /** dst [D, T] = scale · (sequence i of x [B, T, D])ᵀ. */
    private static void headMajor(Tensor x, long i, Tensor dst, float scale) {
        NnKernels.transpose2d(slice(x, i), dst);
        if (scale != 1f) NnKernels.scaleInto(dst, scale);
    }

    private static Tensor slice(Tensor t, long i) {
        return t.rows(i, i + 1).reshape(t.dim(1), t.dim(2));
    }

    private static void gemm(boolean ta, boolean tb, Tensor a, Tensor b, Tensor c, boolean acc) {
        long t0 = GemmStopwatch.start();
        Fp32Gemm.sgemm(ta, tb, a, b, c, acc);
        GemmStopwatch.stop(t0);
    }
}
