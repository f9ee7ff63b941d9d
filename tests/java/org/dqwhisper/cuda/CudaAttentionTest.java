package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.CudaTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.dqwhisper.tensor.DType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Attention on CUDA against a plain-Java double reference computed from the same rounded inputs:
 * the tensor-core flash forward (F16/BF16, Dh 64), the generic kernel (other Dh, F32), the naive
 * materialized kernel and the backward. Shapes: a single query and key, tails of the 64-wide tiles,
 * K/V shared by the batch, a causal prompt, and a decode step at a causal offset.
 */
@Tag("gpu")
class CudaAttentionTest {
    record Case(int b, int bk, int tq, int tk, int h, int d, long off) {
        int qIdx(int bb, int i, int hh) {
            return ((bb * tq + i) * h + hh) * d;
        }

        int kIdx(int bb, int j, int hh) {
            return (((bk == 1 ? 0 : bb) * tk + j) * h + hh) * d;
        }

        boolean visible(int i, int j) {
            return off < 0 || j <= off + i;
        }
    }

    private static final Case[] FORWARD = {new Case(1, 1, 1, 1, 1, 64, -1), new Case(2, 1, 65, 130, 2, 64, -1),
        new Case(1, 1, 100, 100, 2, 64, 0), new Case(3, 3, 1, 37, 2, 64, 36), new Case(2, 2, 9, 13, 3, 40, -1)};

    @BeforeEach
    void needsDevice() {
        assumeTrue(CudaRuntime.available(), NO_GPU + ": " + CudaRuntime.status().detail());
    }

    /** Softmax probabilities P[b][h][i][j] and lse[b][h][i] in double. */
    static double[][] softmax(Case c, float[] q, float[] k) {
        double scale = 1 / Math.sqrt(c.d);
        double[] p = new double[c.b * c.h * c.tq * c.tk], lse = new double[c.b * c.h * c.tq];
        double[] s = new double[c.tk];
        for (int b = 0; b < c.b; b++)
            for (int h = 0; h < c.h; h++)
                for (int i = 0; i < c.tq; i++) {
                    double m = Double.NEGATIVE_INFINITY, l = 0;
                    for (int j = 0; j < c.tk; j++) {
                        if (!c.visible(i, j)) continue;
                        double dot = 0;
                        for (int e = 0; e < c.d; e++) dot += (double) q[c.qIdx(b, i, h) + e] * k[c.kIdx(b, j, h) + e];
                        s[j] = dot * scale;
                        m = Math.max(m, s[j]);
                    }
                    for (int j = 0; j < c.tk; j++) if (c.visible(i, j)) l += Math.exp(s[j] - m);
                    int row = ((b * c.h + h) * c.tq + i) * c.tk;
                    for (int j = 0; j < c.tk; j++) p[row + j] = c.visible(i, j) ? Math.exp(s[j] - m) / l : 0;
                    lse[(b * c.h + h) * c.tq + i] = m + Math.log(l);
                }
        return new double[][] {p, lse};
    }

    static double[] output(Case c, double[] p, float[] v) {
        double[] out = new double[c.b * c.tq * c.h * c.d];
        for (int b = 0; b < c.b; b++)
            for (int h = 0; h < c.h; h++)
                for (int i = 0; i < c.tq; i++)
                    for (int j = 0; j < c.tk; j++) {
                        double pij = p[((b * c.h + h) * c.tq + i) * c.tk + j];
                        for (int e = 0; e < c.d; e++) out[c.qIdx(b, i, h) + e] += pij * v[c.kIdx(b, j, h) + e];
                    }
        return out;
    }

    private static CudaBuffer upload(DType dt, float[] v, long... shape) {
        return dt == DType.F32 ? CudaBuffer.of(v, shape) : CudaBuffer.of(dt, encode(dt, v), shape);
    }

    private static float[] download(CudaBuffer b) {
        return b.dtype() == DType.F32 ? b.toFloatArray() : decode(b.dtype(), b.toShortArray());
    }

    enum Path { FUSED, GENERIC, NAIVE }

    private void checkForward(Case c, DType dt, Path path, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int width = c.h * c.d;
        float[] q = floats(r, c.b * c.tq * width, -4, 4), k = floats(r, c.bk * c.tk * width, -1, 1),
                v = floats(r, c.bk * c.tk * width, -1, 1);
        try (CudaBuffer dq = upload(dt, q, c.b, c.tq, width); CudaBuffer dk = upload(dt, k, c.bk, c.tk, width);
                CudaBuffer dv = upload(dt, v, c.bk, c.tk, width); CudaBuffer out = CudaBuffer.allocate(dt, c.b, c.tq, width);
                CudaBuffer lse = CudaBuffer.allocate(DType.F32, c.b, c.h, c.tq);
                CudaBuffer scores = CudaBuffer.allocate(DType.F32, c.b, c.h, c.tq, c.tk)) {
            if (dt != DType.F32) { // the reference uses the rounded values the device sees
                q = decode(dt, encode(dt, q));
                k = decode(dt, encode(dt, k));
                v = decode(dt, encode(dt, v));
            }
            switch (path) {
                case FUSED -> CudaAttention.forward(dq, dk, dv, out, lse, c.h, c.off, null);
                case GENERIC -> CudaAttention.forwardGeneric(dq, dk, dv, out, lse, c.h, c.off, null);
                case NAIVE -> CudaAttention.naive(dq, dk, dv, out, lse, scores, c.h, c.off, null);
            }
            double[][] pl = softmax(c, q, k);
            double[] want = output(c, pl[0], v);
            boolean tensorCores = path == Path.FUSED && c.d == 64 && dt != DType.F32;
            double u = unitRoundoff(dt);
            double[] tol = new double[want.length];
            // tensor cores round P to the input type before P.V: <= u * sum p|v| <= u (x1.5 slack); every
            // path does FP32 math on scores of |q| <= 4 (5e-5) and rounds the output once (1.01 u |o|)
            for (int i = 0; i < want.length; i++) tol[i] = (tensorCores ? 1.5 * u : 0) + 1.01 * u * Math.abs(want[i]) + 5e-5;
            String tag = path + " " + dt + " " + c;
            assertWithin(tag + " out", download(out), want, tol);
            assertWithin(tag + " lse", lse.toFloatArray(), pl[1], relTol(pl[1], 5e-5, 5e-5));
        }
    }

    @Test
    void forwardPathsMatchTheReference() {
        long seed = 10;
        for (Case c : FORWARD) {
            checkForward(c, DType.F16, Path.FUSED, ++seed);
            checkForward(c, DType.BF16, Path.FUSED, ++seed);
            checkForward(c, DType.F32, Path.FUSED, ++seed);
            checkForward(c, DType.F16, Path.GENERIC, ++seed);
            checkForward(c, DType.F16, Path.NAIVE, ++seed);
        }
    }

    @Test
    void backwardMatchesTheReference() {
        Case[] cases = {new Case(2, 2, 9, 13, 2, 64, -1), new Case(1, 1, 33, 33, 1, 64, 0), new Case(2, 1, 7, 20, 2, 40, -1),
            new Case(2, 2, 3, 40, 2, 16, 37)};
        long seed = 100;
        for (Case c : cases)
            for (DType dt : new DType[] {DType.F32, DType.F16}) {
                SplittableRandom r = new SplittableRandom(++seed);
                int width = c.h * c.d;
                float[] q = floats(r, c.b * c.tq * width, -2, 2), k = floats(r, c.bk * c.tk * width, -1, 1),
                        v = floats(r, c.bk * c.tk * width, -1, 1), dout = floats(r, c.b * c.tq * width, -1, 1);
                try (CudaBuffer dq = upload(dt, q, c.b, c.tq, width); CudaBuffer dk = upload(dt, k, c.bk, c.tk, width);
                        CudaBuffer dv = upload(dt, v, c.bk, c.tk, width); CudaBuffer ddo = upload(dt, dout, c.b, c.tq, width);
                        CudaBuffer out = CudaBuffer.allocate(dt, c.b, c.tq, width);
                        CudaBuffer lse = CudaBuffer.allocate(DType.F32, c.b, c.h, c.tq);
                        CudaBuffer gq = CudaBuffer.allocate(DType.F32, c.b, c.tq, width);
                        CudaBuffer gk = CudaBuffer.allocate(DType.F32, c.bk, c.tk, width);
                        CudaBuffer gv = CudaBuffer.allocate(DType.F32, c.bk, c.tk, width);
                        CudaBuffer work = CudaBuffer.allocate(DType.F32, c.b, c.h, c.tq)) {
                    if (dt != DType.F32) {
                        q = decode(dt, encode(dt, q));
                        k = decode(dt, encode(dt, k));
                        v = decode(dt, encode(dt, v));
                        dout = decode(dt, encode(dt, dout));
                    }
                    CudaAttention.forward(dq, dk, dv, out, lse, c.h, c.off, null);
                    CudaAttention.backward(dq, dk, dv, out, lse, ddo, gq, gk, gv, work, c.h, c.off, null);
                    // reference from the device's forward outputs (rounded O, float lse), as the kernel sees them
                    float[] o = download(out), l = lse.toFloatArray();
                    double scale = 1 / Math.sqrt(c.d);
                    double[] wq = new double[q.length], wk = new double[k.length], wv = new double[v.length];
                    for (int b = 0; b < c.b; b++)
                        for (int h = 0; h < c.h; h++)
                            for (int i = 0; i < c.tq; i++) {
                                double di = 0;
                                for (int e = 0; e < c.d; e++) di += (double) dout[c.qIdx(b, i, h) + e] * o[c.qIdx(b, i, h) + e];
                                for (int j = 0; j < c.tk; j++) {
                                    if (!c.visible(i, j)) continue;
                                    double s = 0, dp = 0;
                                    for (int e = 0; e < c.d; e++) {
                                        s += (double) q[c.qIdx(b, i, h) + e] * k[c.kIdx(b, j, h) + e];
                                        dp += (double) dout[c.qIdx(b, i, h) + e] * v[c.kIdx(b, j, h) + e];
                                    }
                                    double p = Math.exp(s * scale - l[(b * c.h + h) * c.tq + i]), ds = p * (dp - di);
                                    for (int e = 0; e < c.d; e++) {
                                        wq[c.qIdx(b, i, h) + e] += scale * ds * k[c.kIdx(b, j, h) + e];
                                        wk[c.kIdx(b, j, h) + e] += scale * ds * q[c.qIdx(b, i, h) + e];
                                        wv[c.kIdx(b, j, h) + e] += p * dout[c.qIdx(b, i, h) + e];
                                    }
                                }
                            }
                    // FP32 math over <= 40 rows of <= 64 terms: 1e-4 of the largest gradient is ~100x the float
                    // error, far below what a wrong index or mask produces
                    String tag = "backward " + dt + " " + c;
                    assertWithin(tag + " dq", gq.toFloatArray(), wq, relTol(wq, 0, 1e-4 * maxAbs(wq) + 1e-7));
                    assertWithin(tag + " dk", gk.toFloatArray(), wk, relTol(wk, 0, 1e-4 * maxAbs(wk) + 1e-7));
                    assertWithin(tag + " dv", gv.toFloatArray(), wv, relTol(wv, 0, 1e-4 * maxAbs(wv) + 1e-7));
                }
            }
    }

    @Test
    void misuseIsRejectedBeforeTheKernel() {
        try (CudaBuffer q = CudaBuffer.allocate(DType.F16, 1, 4, 128); CudaBuffer k = CudaBuffer.allocate(DType.F16, 1, 6, 128);
                CudaBuffer kb = CudaBuffer.allocate(DType.BF16, 1, 6, 128); CudaBuffer out = CudaBuffer.allocate(DType.F16, 1, 4, 128)) {
            assertThrows(IllegalArgumentException.class, () -> CudaAttention.forward(q, k, k, out, null, 3, -1, null), "heads");
            assertThrows(IllegalArgumentException.class, () -> CudaAttention.forward(q, k, k, out, null, 0, -1, null), "heads 0");
            assertThrows(IllegalArgumentException.class, () -> CudaAttention.forward(q, kb, kb, out, null, 2, -1, null), "dtype");
            assertThrows(IllegalArgumentException.class, () -> CudaAttention.forward(q, k, k, out, null, 2, 3, null), "offset");
            assertThrows(IllegalArgumentException.class, () -> CudaAttention.forward(q, k, k, q, null, 2, -1, null), "out = q");
            CudaAttention.forward(q, k, k, out, null, 2, 2, null); // off 2 + Tq 4 <= Tk 6 is fine
            CudaDevice.synchronize();
        }
    }
}
