package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnTestSupport.assertClose;
import static org.dqwhisper.kernels.NnTestSupport.assertThreadInvariant;
import static org.dqwhisper.kernels.NnTestSupport.assertWithin;
import static org.dqwhisper.kernels.NnTestSupport.forEachIsa;
import static org.dqwhisper.kernels.NnTestSupport.gaussian;
import static org.dqwhisper.kernels.NnTestSupport.numericGradient;
import static org.dqwhisper.kernels.NnTestSupport.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.dqwhisper.kernels.NnTestSupport.Tensors;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Cross-entropy (PyTorch label smoothing, ignore_index) and distillation KL against the FP64
 * references and finite differences, on every ISA path.
 *
 * <p>Tolerances: logits ~ N(0, 4^2), so losses ~ 10-20. The float kernel's loss is
 * (max - x[t]) + log(sum), each term good to about an ulp of its size (ulp(16) = 1.9e-6), so 1e-6
 * absolute + 3e-7 relative; gradients are probabilities times scale, good to a few ulp of the largest
 * (1e-7 of |scale| absolute + 1e-6 relative). The smoothing term adds mean(x) over V terms (blocked
 * sum). KL is a sum over V of p (log p - log q), cancelling between terms, so its bound is
 * relative to T^2 * sum |p (log p - log q)|, the size of the terms.
 */
class NnKernelsLossTest {
    private static final int IGNORE = -100;

    @Test
    void crossEntropyMatchesReference() throws Exception {
        SplittableRandom rnd = new SplittableRandom(51);
        for (int v : new int[] {1, 5, 17, 1000, 51866}) {
            for (float eps : new float[] {0f, 0.1f}) {
                int n = 6;
                float[] logits = gaussian(rnd, n * v, 4);
                int[] targets = new int[n];
                for (int i = 0; i < n; i++) targets[i] = rnd.nextInt(v);
                targets[2] = IGNORE;
                float scale = 0.25f;
                double[] loss = NnReference.crossEntropy(toDouble(logits), targets, n, v, IGNORE, eps);
                double[] grad = NnReference.crossEntropyGrad(toDouble(logits), targets, n, v, IGNORE, eps, scale);
                try (Tensors t = new Tensors()) {
                    Tensor lt = t.of(logits, n, v), tt = t.ints(targets, n), losses = t.zeros(n), dl = t.zeros(n, v);
                    forEachIsa(isa -> {
                        String what = "crossEntropy V=" + v + " eps=" + eps + " " + isa;
                        losses.fill(5f);
                        dl.fill(5f);
                        NnKernels.crossEntropy(lt, tt, IGNORE, eps, losses, dl, scale);
                        assertClose(what + " loss", loss, losses.toFloatArray(), 1e-6, 3e-7);
                        assertClose(what + " grad", grad, dl.toFloatArray(), 1e-7 * scale, 1e-6);
                        // without gradient, and with the gradient written over the logits
                        NnKernels.crossEntropy(lt, tt, IGNORE, eps, losses, null, scale);
                        assertClose(what + " loss only", loss, losses.toFloatArray(), 1e-6, 3e-7);
                        Tensor inPlace = t.of(logits, n, v);
                        NnKernels.crossEntropy(inPlace, tt, IGNORE, eps, losses, inPlace, scale);
                        assertArrayEquals(dl.toFloatArray(), inPlace.toFloatArray(), what + " in place");
                    });
                }
            }
        }
    }

    @Test
    void crossEntropyIgnoreIndexMayBeAClass() throws Exception {
        // a pad token id used as ignore_index: rows with it are skipped, other rows are normal
        int n = 4, v = 9;
        float[] logits = gaussian(new SplittableRandom(52), n * v, 2);
        int[] targets = {3, 0, 3, 8};
        double[] loss = NnReference.crossEntropy(toDouble(logits), targets, n, v, 3, 0);
        double[] grad = NnReference.crossEntropyGrad(toDouble(logits), targets, n, v, 3, 0, 1);
        try (Tensors t = new Tensors()) {
            Tensor lt = t.of(logits, n, v), tt = t.ints(targets, n), losses = t.zeros(n), dl = t.zeros(n, v);
            forEachIsa(isa -> {
                NnKernels.crossEntropy(lt, tt, 3, 0f, losses, dl, 1f);
                assertClose("ignore class 3 loss " + isa, loss, losses.toFloatArray(), 2e-6, 1e-6);
                assertClose("ignore class 3 grad " + isa, grad, dl.toFloatArray(), 1e-7, 1e-6);
            });
        }
    }

    @Test
    void crossEntropyGradientMatchesFiniteDifferences() throws Exception {
        int n = 3, v = 7;
        float[] logits = gaussian(new SplittableRandom(53), n * v, 2);
        int[] targets = {4, IGNORE, 0};
        float eps = 0.2f, scale = 0.5f;
        // L = scale * sum_r loss_r, numerically in double
        double[] numeric = numericGradient(x -> {
            double s = 0;
            for (double l : NnReference.crossEntropy(x, targets, n, v, IGNORE, eps)) s += scale * l;
            return s;
        }, toDouble(logits), 1e-5);
        assertClose("CE analytic vs FD", numeric, NnReference.crossEntropyGrad(toDouble(logits), targets, n, v, IGNORE, eps, scale), 1e-9,
                1e-7);
        try (Tensors t = new Tensors()) {
            Tensor lt = t.of(logits, n, v), tt = t.ints(targets, n), losses = t.zeros(n), dl = t.zeros(n, v);
            forEachIsa(isa -> {
                NnKernels.crossEntropy(lt, tt, IGNORE, eps, losses, dl, scale);
                assertClose("CE grad vs FD " + isa, numeric, dl.toFloatArray(), 1e-7, 1e-6);  // float probabilities
            });
        }
    }

    @Test
    void klDivergenceMatchesReference() throws Exception {
        SplittableRandom rnd = new SplittableRandom(54);
        for (int v : new int[] {1, 9, 1000, 51866}) {
            for (float temp : new float[] {1f, 2f, 0.5f}) {
                int n = 5;
                float[] teacher = gaussian(rnd, n * v, 3), student = gaussian(rnd, n * v, 3);
                for (int i = 0; i < student.length; i++) {
                    if (i / v % 2 == 0) student[i] = teacher[i] + student[i] * 0.05f;  // near rows: small KL, much cancellation
                }
                int[] mask = {1, 0, 1, 1, 1};
                float scale = 0.3f;
                for (int[] m : new int[][] {mask, null}) {
                    double[] loss = NnReference.klDivergence(toDouble(student), toDouble(teacher), m, n, v, temp);
                    double[] grad = NnReference.klDivergenceGrad(toDouble(student), toDouble(teacher), m, n, v, temp, scale);
                    double[] termScale = klTermScale(toDouble(student), toDouble(teacher), m, n, v, temp);
                    double[] probScale = klProbScale(toDouble(student), toDouble(teacher), n, v, temp, scale);
                    try (Tensors t = new Tensors()) {
                        Tensor st = t.of(student, n, v), te = t.of(teacher, n, v), losses = t.zeros(n), ds = t.zeros(n, v);
                        Tensor mt = m == null ? null : t.ints(m, n);
                        forEachIsa(isa -> {
                            String what = "KL V=" + v + " T=" + temp + (m == null ? " unmasked " : " masked ") + isa;
                            ds.fill(5f);
                            NnKernels.klDivergence(st, te, temp, mt, losses, ds, scale);
                            // log p - log q are float differences of O(10) values (~1e-6 each), weighted by p: bound
                            // relative to the size of the terms the sum cancels
                            double[] allowed = new double[n];
                            for (int r = 0; r < n; r++) allowed[r] = 2e-6 * termScale[r] + 1e-7 * Math.abs(loss[r]) + 1e-12;
                            assertWithin(what + " loss", loss, losses.toFloatArray(), allowed);
                            // scale * T * (q - p): q = exp(lq) where lq is a float difference of O(10) values, good
                            // to ~ulp(|lq|) ~ 1.2e-7 |lq|, so q is good to ~1.2e-7 (1 + |lq|) of itself (same for
                            // p), and q - p cancels on the near rows
                            double[] gradAllowed = new double[grad.length];
                            for (int i = 0; i < grad.length; i++) gradAllowed[i] = 3e-7 * probScale[i] + 1e-35;
                            assertWithin(what + " grad", grad, ds.toFloatArray(), gradAllowed);
                            Tensor inPlace = t.of(student, n, v);
                            NnKernels.klDivergence(inPlace, te, temp, mt, losses, inPlace, scale);
                            assertArrayEquals(ds.toFloatArray(), inPlace.toFloatArray(), what + " in place");
                        });
                    }
                }
            }
        }
    }

    /** T^2 * sum_v |p_v (log p_v - log q_v)| per row: the size of the terms the KL sum cancels. */
    private static double[] klTermScale(double[] s, double[] t, int[] mask, int n, int v, double temp) {
        double[] out = new double[n];
        for (int r = 0; r < n; r++) {
            if (mask != null && mask[r] == 0) continue;
            double[] lq = NnReference.logSoftmaxRow(s, r, v, temp), lp = NnReference.logSoftmaxRow(t, r, v, temp);
            for (int j = 0; j < v; j++) out[r] += Math.exp(lp[j]) * (Math.abs(lp[j]) + Math.abs(lq[j]));
            out[r] *= temp * temp;
        }
        return out;
    }

    /** scale * T * (q (1 + |log q|) + p (1 + |log p|)): the error scale of a KL gradient entry (see its use). */
    private static double[] klProbScale(double[] s, double[] t, int n, int v, double temp, double scale) {
        double[] out = new double[n * v];
        for (int r = 0; r < n; r++) {
            double[] lq = NnReference.logSoftmaxRow(s, r, v, temp), lp = NnReference.logSoftmaxRow(t, r, v, temp);
            for (int j = 0; j < v; j++) {
                out[r * v + j] = Math.abs(scale) * temp * (Math.exp(lq[j]) * (1 + Math.abs(lq[j])) + Math.exp(lp[j]) * (1 + Math.abs(lp[j])));
            }
        }
        return out;
    }

    @Test
    void klGradientMatchesFiniteDifferences() throws Exception {
        int n = 3, v = 6;
        SplittableRandom rnd = new SplittableRandom(55);
        float[] student = gaussian(rnd, n * v, 2), teacher = gaussian(rnd, n * v, 2);
        int[] mask = {1, 1, 0};
        float temp = 1.5f, scale = 0.7f;
        double[] numeric = numericGradient(x -> {
            double s = 0;
            for (double l : NnReference.klDivergence(x, toDouble(teacher), mask, n, v, temp)) s += scale * l;
            return s;
        }, toDouble(student), 1e-5);
        assertClose("KL analytic vs FD", numeric,
                NnReference.klDivergenceGrad(toDouble(student), toDouble(teacher), mask, n, v, temp, scale), 1e-9, 1e-7);
        try (Tensors t = new Tensors()) {
            Tensor st = t.of(student, n, v), te = t.of(teacher, n, v), mt = t.ints(mask, n), losses = t.zeros(n), ds = t.zeros(n, v);
            forEachIsa(isa -> {
                NnKernels.klDivergence(st, te, temp, mt, losses, ds, scale);
                assertClose("KL grad vs FD " + isa, numeric, ds.toFloatArray(), 1e-7, 1e-6);
            });
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() throws Exception {
        SplittableRandom rnd = new SplittableRandom(56);
        int n = 9, v = 5003;
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) targets[i] = rnd.nextInt(v);
        try (Tensors t = new Tensors()) {
            Tensor a = t.of(gaussian(rnd, n * v, 3), n, v), b = t.of(gaussian(rnd, n * v, 3), n, v), tt = t.ints(targets, n);
            Tensor losses = t.zeros(n), grad = t.zeros(n, v);
            assertThreadInvariant("crossEntropy", () -> {
                NnKernels.crossEntropy(a, tt, IGNORE, 0.1f, losses, grad, 1f);
                return NnKernelsLayerNormTest.concat(losses.toFloatArray(), grad.toFloatArray());
            });
            assertThreadInvariant("klDivergence", () -> {
                NnKernels.klDivergence(a, b, 2f, null, losses, grad, 1f);
                return NnKernelsLayerNormTest.concat(losses.toFloatArray(), grad.toFloatArray());
            });
        }
    }
}
