package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.CudaTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.dqwhisper.tensor.DType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** LayerNorm, GELU, softmax, embeddings, losses, AdamW and conversions on CUDA vs plain-Java double references. */
@Tag("gpu")
class CudaNnKernelsTest {
    @BeforeEach
    void needsDevice() {
        assumeTrue(CudaRuntime.available(), NO_GPU + ": " + CudaRuntime.status().detail());
    }

    @Test
    void layerNormForwardAndBackward() {
        SplittableRandom r = new SplittableRandom(1);
        for (int[] md : new int[][] {{1, 1}, {3, 7}, {5, 1283}}) {
            int m = md[0], d = md[1];
            float[] x = floats(r, m * d, -3, 5), g = floats(r, d, 0.5, 1.5), b = floats(r, d, -1, 1), dy = floats(r, m * d, -1, 1);
            double[] y = new double[m * d], dx = new double[m * d], dg = new double[d], db = new double[d];
            for (int row = 0; row < m; row++) {
                double mu = 0, var = 0, sg = 0, sgx = 0;
                for (int i = 0; i < d; i++) mu += x[row * d + i];
                mu /= d;
                for (int i = 0; i < d; i++) var += (x[row * d + i] - mu) * (x[row * d + i] - mu);
                double rs = 1 / Math.sqrt(var / d + 1e-5f);
                for (int i = 0; i < d; i++) {
                    double xh = (x[row * d + i] - mu) * rs;
                    y[row * d + i] = xh * g[i] + b[i];
                    sg += dy[row * d + i] * g[i];
                    sgx += dy[row * d + i] * g[i] * xh;
                    dg[i] += dy[row * d + i] * xh;
                    db[i] += dy[row * d + i];
                }
                for (int i = 0; i < d; i++) {
                    double xh = (x[row * d + i] - mu) * rs;
                    dx[row * d + i] = rs * (dy[row * d + i] * g[i] - sg / d - xh * sgx / d);
                }
            }
            try (CudaBuffer dX = CudaBuffer.of(x, m, d); CudaBuffer dG = CudaBuffer.of(g, d); CudaBuffer dB = CudaBuffer.of(b, d);
                    CudaBuffer dY = CudaBuffer.allocate(DType.F32, m, d); CudaBuffer mean = CudaBuffer.allocate(DType.F32, m);
                    CudaBuffer rstd = CudaBuffer.allocate(DType.F32, m); CudaBuffer dDy = CudaBuffer.of(dy, m, d);
                    CudaBuffer dDx = CudaBuffer.allocate(DType.F32, m, d); CudaBuffer dDg = CudaBuffer.of(new float[d], d);
                    CudaBuffer dDb = CudaBuffer.of(new float[d], d)) {
                CudaNnKernels.layerNormForward(dX, dG, dB, dY, mean, rstd, 1e-5f, null);
                CudaNnKernels.layerNormBackward(dDy, dX, dG, mean, rstd, dDx, dDg, dDb, false, null);
                // float two-pass statistics (~1e-6 relative), |xhat| <~ 4: 1e-5; gradients 1e-4 / M-row sums
                assertWithin("layerNorm y " + m + "x" + d, dY.toFloatArray(), y, relTol(y, 1e-5, 1e-5));
                assertWithin("layerNorm dx", dDx.toFloatArray(), dx, relTol(dx, 1e-4, 1e-5));
                assertWithin("layerNorm dgamma", dDg.toFloatArray(), dg, relTol(dg, 1e-5, 1e-5 * m));
                assertWithin("layerNorm dbeta", dDb.toFloatArray(), db, relTol(db, 1e-5, 1e-5 * m));
                assertThrows(IllegalArgumentException.class,
                        () -> CudaNnKernels.layerNormBackward(dDy, dX, dG, mean, rstd, dDy, null, null, true, null));
            }
        }
    }

    @Test
    void geluAndSoftmax() {
        SplittableRandom r = new SplittableRandom(2);
        float[] x = floats(r, 10_001, -6, 6), dy = floats(r, 10_001, -1, 1);
        double[] y = new double[x.length], dx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = gelu(x[i]);
            dx[i] = dy[i] * geluGrad(x[i]);
        }
        try (CudaBuffer dX = CudaBuffer.of(x, x.length); CudaBuffer dY = CudaBuffer.allocate(DType.F32, x.length);
                CudaBuffer dDy = CudaBuffer.of(dy, dy.length)) {
            CudaNnKernels.geluForward(dX, dY, null);
            CudaNnKernels.geluBackward(dX, dDy, dDy, null);
            // erff / expf within 2 ulp: 1e-6 relative, 1e-7 absolute near GELU's zero
            assertWithin("gelu", dY.toFloatArray(), y, relTol(y, 1e-6, 1e-7));
            assertWithin("gelu backward", dDy.toFloatArray(), dx, relTol(dx, 1e-6, 1e-7));
        }
        for (int[] mn : new int[][] {{1, 1}, {4, 33}, {2, 51866}}) {
            int m = mn[0], n = mn[1];
            float[] s = floats(r, m * n, -8, 8), g = floats(r, m * n, -1, 1);
            double[] p = new double[m * n], gp = new double[m * n];
            for (int row = 0; row < m; row++) {
                double mx = Double.NEGATIVE_INFINITY, sum = 0, dot = 0;
                for (int j = 0; j < n; j++) mx = Math.max(mx, s[row * n + j]);
                for (int j = 0; j < n; j++) sum += Math.exp(s[row * n + j] - mx);
                for (int j = 0; j < n; j++) p[row * n + j] = Math.exp(s[row * n + j] - mx) / sum;
                for (int j = 0; j < n; j++) dot += g[row * n + j] * p[row * n + j];
                for (int j = 0; j < n; j++) gp[row * n + j] = p[row * n + j] * (g[row * n + j] - dot);
            }
            try (CudaBuffer dS = CudaBuffer.of(s, m, n); CudaBuffer dG = CudaBuffer.of(g, m, n)) {
                CudaNnKernels.softmaxForward(dS, dS, null); // in place
                CudaNnKernels.softmaxBackward(dS, dG, dG, null);
                // expf 2 ulp + float sums of up to 51866 positive terms (~200 per thread, then a tree):
                // 3e-5 (forward), 1e-4 (backward's difference)
                assertWithin("softmax " + m + "x" + n, dS.toFloatArray(), p, relTol(p, 3e-5, 1e-9));
                assertWithin("softmax backward " + m + "x" + n, dG.toFloatArray(), gp, relTol(gp, 1e-4, 1e-8));
            }
        }
    }

    @Test
    void embeddingsSumRepeatedIdsInOrder() {
        SplittableRandom r = new SplittableRandom(3);
        int v = 37, d = 300, n = 50;
        float[] table = floats(r, v * d, -1, 1), dout = floats(r, n * d, -1, 1), dtab = floats(r, v * d, -1, 1);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(v);
        ids[3] = ids[7] = ids[9] = 5;
        float[] out = new float[n * d], want = dtab.clone();
        for (int i = 0; i < n; i++)
            for (int e = 0; e < d; e++) {
                out[i * d + e] = table[ids[i] * d + e];
                want[ids[i] * d + e] += dout[i * d + e]; // the kernel's float additions, in n order
            }
        try (CudaBuffer dT = CudaBuffer.of(table, v, d); CudaBuffer dI = CudaBuffer.of(ids, n);
                CudaBuffer dO = CudaBuffer.allocate(DType.F32, n, d); CudaBuffer dDo = CudaBuffer.of(dout, n, d);
                CudaBuffer dDt = CudaBuffer.of(dtab, v, d)) {
            CudaNnKernels.embeddingForward(dT, dI, dO, null);
            CudaNnKernels.embeddingBackward(dDo, dI, dDt, null);
            assertArrayEquals(out, dO.toFloatArray());
            assertArrayEquals(want, dDt.toFloatArray(), "bit-exact: sums in n order");
        }
    }

    @Test
    void crossEntropyAndKl() {
        SplittableRandom r = new SplittableRandom(4);
        int n = 4, v = 51866;
        float[] x = floats(r, n * v, -5, 5), t = floats(r, n * v, -4, 4);
        int[] tgt = {7, -100, v - 1, 0};
        float eps = 0.1f, scale = 0.25f, temp = 2f;
        double[] loss = new double[n], dl = new double[n * v], kl = new double[n], dk = new double[n * v];
        for (int row = 0; row < n; row++) {
            double mx = Double.NEGATIVE_INFINITY, se = 0, mean = 0;
            for (int j = 0; j < v; j++) {
                mx = Math.max(mx, x[row * v + j]);
                mean += x[row * v + j];
            }
            mean /= v;
            for (int j = 0; j < v; j++) se += Math.exp(x[row * v + j] - mx);
            double lse = mx + Math.log(se);
            if (tgt[row] != -100) {
                loss[row] = (1 - eps) * (lse - x[row * v + tgt[row]]) + eps * (lse - mean);
                for (int j = 0; j < v; j++)
                    dl[row * v + j] = scale * (Math.exp(x[row * v + j] - lse) - (j == tgt[row] ? 1 - eps : 0) - eps / v);
            }
            // KL(softmax(t/T) || softmax(x/T)) * T^2
            double ms = Double.NEGATIVE_INFINITY, mt = Double.NEGATIVE_INFINITY, es = 0, et = 0;
            for (int j = 0; j < v; j++) {
                ms = Math.max(ms, x[row * v + j] / temp);
                mt = Math.max(mt, t[row * v + j] / temp);
            }
            for (int j = 0; j < v; j++) {
                es += Math.exp(x[row * v + j] / temp - ms);
                et += Math.exp(t[row * v + j] / temp - mt);
            }
            double ls = ms + Math.log(es), lt = mt + Math.log(et), sum = 0;
            for (int j = 0; j < v; j++) {
                double a = x[row * v + j] / temp - ls, b = t[row * v + j] / temp - lt;
                sum += Math.exp(b) * (b - a);
                dk[row * v + j] = scale * temp * (Math.exp(a) - Math.exp(b));
            }
            kl[row] = temp * temp * sum;
        }
        try (CudaBuffer dX = CudaBuffer.of(x, n, v); CudaBuffer dT = CudaBuffer.of(t, n, v); CudaBuffer dTg = CudaBuffer.of(tgt, n);
                CudaBuffer losses = CudaBuffer.allocate(DType.F32, n); CudaBuffer grad = CudaBuffer.allocate(DType.F32, n, v)) {
            CudaNnKernels.crossEntropy(dX, dTg, losses, grad, -100, eps, scale, null);
            // lse of 51866 float terms: ~1e-6 relative of |lse| <~ 16 -> 1e-5 absolute; gradients 1e-4 relative
            assertWithin("cross entropy loss", losses.toFloatArray(), loss, relTol(loss, 1e-6, 1e-5));
            assertWithin("cross entropy dlogits", grad.toFloatArray(), dl, relTol(dl, 1e-4, 1e-8));
            CudaNnKernels.klDivergence(dX, dT, null, losses, grad, temp, scale, null);
            // a small difference of float log-probabilities (~1e-6 of |log p| <~ 20 each)
            assertWithin("kl loss", losses.toFloatArray(), kl, relTol(kl, 1e-4, 2e-5 * temp * temp));
            assertWithin("kl dstudent", grad.toFloatArray(), dk, relTol(dk, 1e-4, 1e-8));
        }
    }

    @Test
    void adamwAndConversions() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 1001;
        float[] p = floats(r, n, -1, 1), g = floats(r, n, -3, 3), m = floats(r, n, -0.1, 0.1), v = floats(r, n, 0, 0.01);
        float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.01f, gs = 0.5f;
        long step = 7;
        double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
        double[] wp = new double[n], wm = new double[n], wv = new double[n], tm = new double[n], tp = new double[n];
        for (int i = 0; i < n; i++) {
            double gg = (double) g[i] * gs;
            wm[i] = b1 * (double) m[i] + (1 - b1) * gg;
            wv[i] = b2 * (double) v[i] + (1 - b2) * gg * gg;
            double decayed = p[i] * (1 - (double) lr * wd), update = lr * (wm[i] / bc1) / (Math.sqrt(wv[i] / bc2) + eps);
            wp[i] = decayed - update;
            // m and p are differences of two terms that can nearly cancel: a float rounding is relative to the
            // terms (each ~6e-8 of it, a handful of them), not to the small result, so 1e-6 of the terms' sizes
            tm[i] = 1e-6 * (Math.abs(b1 * (double) m[i]) + Math.abs((1 - b1) * gg)) + 1e-12;
            tp[i] = 1e-6 * (Math.abs(decayed) + Math.abs(update)) + 1e-12;
        }
        try (CudaBuffer dp = CudaBuffer.of(p, n); CudaBuffer dg = CudaBuffer.of(g, n); CudaBuffer dm = CudaBuffer.of(m, n);
                CudaBuffer dv = CudaBuffer.of(v, n)) {
            CudaNnKernels.adamwStep(dp, dg, dm, dv, lr, b1, b2, eps, wd, gs, step, null);
            // v sums two non-negative terms: a handful of float roundings is 1e-6 of the value itself
            assertWithin("adamw m", dm.toFloatArray(), wm, tm);
            assertWithin("adamw v", dv.toFloatArray(), wv, relTol(wv, 1e-6, 1e-12));
            assertWithin("adamw param", dp.toFloatArray(), wp, tp);
        }
        float[] x = floats(r, 777, -70000, 70000);
        x[0] = 65520f;
        x[1] = 1e-8f;
        for (DType dt : new DType[] {DType.F16, DType.BF16}) {
            short[] want = new short[x.length];
            for (int i = 0; i < x.length; i++) want[i] = toHalf(dt, x[i]);
            try (CudaBuffer src = CudaBuffer.of(x, x.length); CudaBuffer h = CudaBuffer.allocate(dt, x.length);
                    CudaBuffer back = CudaBuffer.allocate(DType.F32, x.length)) {
                CudaGemm.convert(src, h, null);
                assertArrayEquals(want, h.toShortArray(), "F32 -> " + dt + " rounds to nearest even");
                CudaGemm.convert(h, back, null);
                assertArrayEquals(decode(dt, want), back.toFloatArray(), dt + " -> F32 is exact");
            }
        }
    }
}
