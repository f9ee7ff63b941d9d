package org.dqwhisper.distill;

import static org.dqwhisper.distill.DistillReference.sum;
import static org.dqwhisper.distill.DistillReference.toDouble;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dqwhisper.distill.DistillationLosses.LossScales;
import org.dqwhisper.distill.DistillationLosses.Reduction;
import org.dqwhisper.distill.DistillationLosses.Terms;
import org.dqwhisper.distill.DynamicLayerMatcher.Mode;
import org.dqwhisper.quant.QuantTestSupport;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Each loss term and its gradient against double-precision references and finite differences. */
class DistillationLossesTest {
    private static final double U = 0x1p-24;

    static float[] gaussian(Random r, int n, double sigma) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (r.nextGaussian() * sigma);
        return f;
    }

    static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (error " + err + ")");
            }
        }
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    @Test
    void featureSoftmaxMatchesFp64() throws Exception {
        Random r = new Random(1);
        int[][] shapes = {{1, 1}, {3, 7}, {6, 300}, {2, 2049}};
        QuantTestSupport.forEachIsa(isa -> {
            for (int[] s : shapes) {
                for (float t : new float[] {1f, 2f, 3f}) {
                    float[] h = gaussian(r, s[0] * s[1], 2.5);
                    double[] ref = DistillReference.softmaxT(toDouble(h), s[0], s[1], t);
                    try (Tensor ht = Tensor.of(h, s[0], s[1]); Tensor p = Tensor.allocate(DType.F32, s[0], s[1])) {
                        DistillationLosses.featureSoftmax(ht, t, p);
                        // the softmax kernel's 4e-6 relative, plus h * (1/T) rounded in float: 2^-24 relative of |h/T| <= 12
                        assertClose(isa + " softmax T=" + t, ref, p.toFloatArray(), 1e-30, 4e-6 + 12 * 2 * U);
                        DistillationLosses.featureSoftmax(ht, t, ht); // in place
                        QuantTestSupport.assertBitsEqual("in place", p.toFloatArray(), ht.toFloatArray());
                    }
                }
            }
        });
    }

    /** From the same float probabilities the row distances are exact up to the final rounding to float. */
    @Test
    void hiddenDistancesMatchFp64AndReduceAsDocumented() {
        Random r = new Random(2);
        int rows = 9, f = 37;
        float t = 2f;
        try (Tensor hs = Tensor.of(gaussian(r, rows * f, 2), 3, 3, f); Tensor ha = Tensor.of(gaussian(r, rows * f, 2), 3, 3, f);
                Tensor ps = Tensor.allocate(DType.F32, 3, 3, f); Tensor pt = Tensor.allocate(DType.F32, 3, 3, f);
                Tensor rowD = Tensor.allocate(DType.F32, rows); Tensor mask = Tensor.of(new int[] {1, 1, 0, 1, 0, 1, 1, 1, 0}, rows)) {
            DistillationLosses.featureSoftmax(hs, t, ps);
            DistillationLosses.featureSoftmax(ha, t, pt);
            double[] dps = toDouble(ps.toFloatArray()), dpt = toDouble(pt.toFloatArray());
            int[] m = mask.toIntArray();
            double[] ref = DistillReference.hiddenRows(dps, dpt, rows, f, t, null);
            DistillationLosses.hiddenRowDistances(ps, pt, t, null, rowD);
            assertClose("rows", ref, rowD.toFloatArray(), 0, 2 * U);
            double[] refMasked = DistillReference.hiddenRows(dps, dpt, rows, f, t, m);
            DistillationLosses.hiddenRowDistances(ps, pt, t, mask, rowD);
            assertClose("masked rows", refMasked, rowD.toFloatArray(), 0, 2 * U);
            // reductions: sum (the authors), mean over the counted rows (default)
            assertEquals(sum(ref), DistillationLosses.hiddenDistance(ps, pt, t, null, Reduction.SUM), sum(ref) * 4 * U);
            assertEquals(sum(ref) / rows, DistillationLosses.hiddenDistance(ps, pt, t, null, Reduction.MEAN_PER_TOKEN), sum(ref) * 4 * U);
            assertEquals(sum(refMasked) / 6, DistillationLosses.hiddenDistance(ps, pt, t, mask, Reduction.MEAN_PER_TOKEN),
                    sum(refMasked) * 4 * U);
            // end to end from the activations: the float softmax is within 4e-6 of itself, which moves each
            // row by at most 2 T^2 sum |ps - pt| 4e-6 (ps + pt) (first order; 1.5x for the rest)
            double[] e2e = DistillReference.hiddenRows(DistillReference.softmaxT(toDouble(hs.toFloatArray()), rows, f, t),
                    DistillReference.softmaxT(toDouble(ha.toFloatArray()), rows, f, t), rows, f, t, null);
            DistillationLosses.hiddenRowDistances(ps, pt, t, null, rowD);
            float[] got = rowD.toFloatArray();
            for (int i = 0; i < rows; i++) {
                double bound = 0;
                for (int k = 0; k < f; k++) bound += 2 * t * t * Math.abs(dps[i * f + k] - dpt[i * f + k]) * 4e-6 * (dps[i * f + k] + dpt[i * f + k]);
                assertEquals(e2e[i], got[i], 1.5 * bound + 2 * U * e2e[i], "end to end row " + i);
            }
        }
    }

    @Test
    void hiddenBackwardMatchesTheFormula() {
        Random r = new Random(3);
        int rows = 7, f = 29;
        float t = 1.5f, scale = 0.37f;
        try (Tensor ps = Tensor.allocate(DType.F32, rows, f); Tensor pt = Tensor.allocate(DType.F32, rows, f);
                Tensor dh = Tensor.allocate(DType.F32, rows, f); Tensor da = Tensor.allocate(DType.F32, rows, f);
                Tensor mask = Tensor.of(new int[] {1, 0, 1, 1, 1, 0, 1}, rows)) {
            try (Tensor hs = Tensor.of(gaussian(r, rows * f, 1.5), rows, f); Tensor ha = Tensor.of(gaussian(r, rows * f, 1.5), rows, f)) {
                DistillationLosses.featureSoftmax(hs, t, ps);
                DistillationLosses.featureSoftmax(ha, t, pt);
            }
            double[] dps = toDouble(ps.toFloatArray()), dpt = toDouble(pt.toFloatArray());
            for (int[] m : new int[][] {null, mask.toIntArray()}) {
                Tensor mt = m == null ? null : mask;
                double[] gh = DistillReference.hiddenGrad(dps, dpt, rows, f, t, scale, m, 0);
                double[] ga = DistillReference.hiddenGrad(dps, dpt, rows, f, t, scale, m, 1);
                DistillationLosses.hiddenDistanceBackward(ps, pt, t, mt, scale, dh, da, false);
                // double arithmetic on the float probabilities, one rounding to float
                assertClose("dh", gh, dh.toFloatArray(), 1e-12 * maxAbs(gh), 2 * U);
                assertClose("da", ga, da.toFloatArray(), 1e-12 * maxAbs(ga), 2 * U);
                DistillationLosses.hiddenDistanceBackward(ps, pt, t, mt, scale, dh, null, true);
                double[] twice = gh.clone();
                for (int i = 0; i < twice.length; i++) twice[i] *= 2;
                assertClose("dh accumulated", twice, dh.toFloatArray(), 1e-12 * maxAbs(gh), 4 * U);
                assertClose("da untouched without an output", ga, da.toFloatArray(), 1e-12 * maxAbs(ga), 2 * U);
            }
        }
    }

    /**
     * The whole hidden path against central differences of the double pipeline
     * L = sum_r T^2 sum_k (softmax(h_S/T) - softmax((h_T W^T + b)/T))^2, with respect to h_S, W and b.
     */
    @Test
    void hiddenPathGradientsMatchFiniteDifferences() {
        Random r = new Random(4);
        int rows = 3, fs = 5, ft = 4;
        float t = 2f, scale = 1f;
        float[] hs = gaussian(r, rows * fs, 1.5), ht = gaussian(r, rows * ft, 1.5);
        try (LinearAdapter adapter = new LinearAdapter(ft, fs, 9); Tensor hsT = Tensor.of(hs, rows, fs); Tensor htT = Tensor.of(ht, rows, ft);
                Tensor a = Tensor.allocate(DType.F32, rows, fs); Tensor ps = Tensor.allocate(DType.F32, rows, fs);
                Tensor pt = Tensor.allocate(DType.F32, rows, fs); Tensor dh = Tensor.allocate(DType.F32, rows, fs);
                Tensor da = Tensor.allocate(DType.F32, rows, fs); Tensor dw = Tensor.allocate(DType.F32, fs, ft);
                Tensor db = Tensor.allocate(DType.F32, fs)) {
            adapter.forward(htT, a);
            DistillationLosses.featureSoftmax(hsT, t, ps);
            DistillationLosses.featureSoftmax(a, t, pt);
            DistillationLosses.hiddenDistanceBackward(ps, pt, t, null, scale, dh, da, false);
            adapter.backward(htT, da, dw, db, false);
            double[] w = toDouble(adapter.weight().toFloatArray()), b = toDouble(adapter.bias().toFloatArray());
            double[] x = toDouble(hs), xt = toDouble(ht);
            java.util.function.Supplier<Double> loss = () -> sum(DistillReference.hiddenRows(DistillReference.softmaxT(x, rows, fs, t),
                    DistillReference.softmaxT(DistillReference.linear(xt, w, b, rows, ft, fs), rows, fs, t), rows, fs, t, null));
            double[] numH = fd(x, loss), numW = fd(w, loss), numB = fd(b, loss);
            // float probabilities and float GEMMs against double differences (step 1e-5, error ~1e-10)
            assertClose("dL/dh_S vs FD", numH, dh.toFloatArray(), 2e-6 * maxAbs(numH) + 1e-9, 1e-4);
            assertClose("dL/dW vs FD", numW, dw.toFloatArray(), 2e-6 * maxAbs(numW) + 1e-9, 1e-4);
            assertClose("dL/db vs FD", numB, db.toFloatArray(), 2e-6 * maxAbs(numB) + 1e-9, 1e-4);
        }
    }

    /** Central differences, step 1e-5, of loss() with respect to every entry of v (modified in place and restored). */
    static double[] fd(double[] v, java.util.function.Supplier<Double> loss) {
        double[] g = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double keep = v[i];
            v[i] = keep + 1e-5;
            double up = loss.get();
            v[i] = keep - 1e-5;
            double down = loss.get();
            v[i] = keep;
            g[i] = (up - down) / 2e-5;
        }
        return g;
    }

    /** Requires |got - ref| <= (terms + 1) u mag elementwise: float accumulation of `terms` products. */
    static void assertWithinSumBound(String what, double[] ref, double[] mag, int terms, float[] got) {
        for (int i = 0; i < ref.length; i++) {
            double tol = (terms + 1) * U * mag[i];
            if (!(Math.abs(got[i] - ref[i]) <= tol)) fail(what + ": element " + i + " is " + got[i] + ", expected " + ref[i] + " +- " + tol);
        }
    }

    @Test
    void adapterMatchesFp64() {
        Random r = new Random(5);
        int rows = 7, in = 33, out = 20;
        float[] x = gaussian(r, rows * in, 1), dy = gaussian(r, rows * out, 1);
        try (LinearAdapter ad = new LinearAdapter(in, out, 3); Tensor xt = Tensor.of(x, 1, rows, in); Tensor y = Tensor.allocate(DType.F32, 1, rows, out);
                Tensor dyt = Tensor.of(dy, 1, rows, out); Tensor dw = Tensor.allocate(DType.F32, out, in); Tensor db = Tensor.allocate(DType.F32, out);
                Tensor dx = Tensor.allocate(DType.F32, 1, rows, in)) {
            double bound = 1 / Math.sqrt(in);
            for (float v : ad.weight().toFloatArray()) assertTrue(Math.abs(v) <= bound, "nn.Linear init range");
            double[] w = toDouble(ad.weight().toFloatArray()), b = toDouble(ad.bias().toFloatArray());
            double[] yRef = new double[rows * out], yMag = new double[rows * out];
            double[] gw = new double[out * in], gwMag = new double[out * in], gb = new double[out], gbMag = new double[out];
            double[] gx = new double[rows * in], gxMag = new double[rows * in];
            for (int i = 0; i < rows; i++)
                for (int o = 0; o < out; o++) {
                    yRef[i * out + o] += b[o];
                    yMag[i * out + o] += Math.abs(b[o]);
                    gb[o] += dy[i * out + o];
                    gbMag[o] += Math.abs(dy[i * out + o]);
                    for (int k = 0; k < in; k++) {
                        double fw = x[i * in + k] * w[o * in + k], bw = (double) dy[i * out + o] * x[i * in + k], bx = dy[i * out + o] * w[o * in + k];
                        yRef[i * out + o] += fw;
                        yMag[i * out + o] += Math.abs(fw);
                        gw[o * in + k] += bw;
                        gwMag[o * in + k] += Math.abs(bw);
                        gx[i * in + k] += bx;
                        gxMag[i * in + k] += Math.abs(bx);
                    }
                }
            ad.forward(xt, y);
            assertWithinSumBound("forward", yRef, yMag, in + 1, y.toFloatArray());
            ad.backward(xt, dyt, dw, db, false);
            assertWithinSumBound("dW", gw, gwMag, rows, dw.toFloatArray());
            assertWithinSumBound("db", gb, gbMag, rows, db.toFloatArray());
            ad.backward(xt, dyt, dw, db, true);
            double[] gw2 = gw.clone(), gb2 = gb.clone(), gwMag2 = gwMag.clone(), gbMag2 = gbMag.clone();
            for (int i = 0; i < gw2.length; i++) { gw2[i] *= 2; gwMag2[i] *= 2; }
            for (int i = 0; i < gb2.length; i++) { gb2[i] *= 2; gbMag2[i] *= 2; }
            assertWithinSumBound("dW accumulated", gw2, gwMag2, rows + 1, dw.toFloatArray());
            assertWithinSumBound("db accumulated", gb2, gbMag2, rows + 1, db.toFloatArray());
            ad.backwardInput(dyt, dx, false);
            assertWithinSumBound("dX", gx, gxMag, out, dx.toFloatArray());
        }
    }

    /**
     * CE and KL sums (ignore index, mask) and the total L = (1-a) CE + a (KL + L_hid) under both reductions,
     * against the double reference; then the gradient of the total with respect to the student logits and
     * the student activations of two matched layers against central differences of the reference total.
     */
    @Test
    void totalLossAndItsGradientMatchTheReference() {
        Random r = new Random(6);
        int n = 6, v = 11, f = 7, ignore = -100;
        float t = 2f, alpha = 0.9f;
        float[] zs = gaussian(r, n * v, 2), zt = gaussian(r, n * v, 2);
        int[] targets = {3, 0, ignore, 10, 5, ignore};
        int[] mask = {1, 1, 0, 1, 1, 0};
        float[][] hs = {gaussian(r, n * f, 1.5), gaussian(r, n * f, 1.5)};
        float[][] pt = new float[2][];
        for (Reduction red : Reduction.values()) {
            for (Mode mode : new Mode[] {Mode.DYNAMIC, Mode.LOGITS, Mode.NONE}) {
                int layers = mode.usesHiddenLoss() ? 2 : 0;
                LossScales sc = LossScales.of(mode, alpha, red, 4, n, 2);
                try (Tensor s = Tensor.of(zs, n, v); Tensor te = Tensor.of(zt, n, v); Tensor tg = Tensor.of(targets, n); Tensor mk = Tensor.of(mask, n);
                        Tensor ds = Tensor.allocate(DType.F32, n, v); Tensor dk = Tensor.allocate(DType.F32, n, v)) {
                    assertEquals(4, DistillationLosses.countTokens(tg, ignore));
                    assertEquals(4, DistillationLosses.countRows(mk, n));
                    double ceSum = DistillationLosses.crossEntropySum(s, tg, ignore, (float) sc.ce(), ds);
                    double klSum = mode.usesKl() ? DistillationLosses.klSum(s, te, t, mk, (float) sc.kl(), dk) : 0;
                    double[] hid = new double[layers];
                    List<float[]> dhs = new ArrayList<>();
                    for (int l = 0; l < layers; l++) {
                        try (Tensor h = Tensor.of(hs[l], n, f); Tensor ps = Tensor.allocate(DType.F32, n, f); Tensor ha = Tensor.of(gaussian(new Random(l), n * f, 1.5), n, f);
                                Tensor ptt = Tensor.allocate(DType.F32, n, f); Tensor dh = Tensor.allocate(DType.F32, n, f)) {
                            DistillationLosses.featureSoftmax(h, t, ps);
                            DistillationLosses.featureSoftmax(ha, t, ptt);
                            pt[l] = ptt.toFloatArray();
                            hid[l] = DistillationLosses.hiddenDistanceSum(ps, ptt, t, null);
                            DistillationLosses.hiddenDistanceBackward(ps, ptt, t, null, (float) sc.hiddenPerLayer(), dh, null, false);
                            dhs.add(dh.toFloatArray());
                        }
                    }
                    Terms terms = sc.terms(ceSum, klSum, hid);
                    // the reference total, from the definitions
                    double[] dzs = toDouble(zs);
                    double[][] dh2 = {toDouble(hs[0]), toDouble(hs[1])};
                    java.util.function.Supplier<Double> total = () -> {
                        double ce = sum(DistillReference.ce(dzs, targets, n, v, ignore));
                        double kl = sum(DistillReference.kl(dzs, toDouble(zt), n, v, t, mask));
                        double h = 0;
                        for (int l = 0; l < layers; l++) {
                            h += sum(DistillReference.hiddenRows(DistillReference.softmaxT(dh2[l], n, f, t), toDouble(pt[l]), n, f, t, null));
                        }
                        double norm = red == Reduction.SUM ? 1 : 1.0 / 4, hnorm = red == Reduction.SUM ? 1 : 1.0 / n;
                        if (mode == Mode.NONE) return ce * norm;
                        if (mode == Mode.LOGITS) return (1 - alpha) * ce * norm + alpha * kl * norm;
                        return (1 - alpha) * ce * norm + alpha * (kl * norm + h * hnorm / 2);
                    };
                    String ctx = red + " " + mode;
                    // per-token CE / KL from float logsumexps (~1e-6 relative), the hidden term as above
                    assertEquals(total.get(), terms.total(), 2e-6 * Math.abs(total.get()) + 1e-7, ctx + " total");
                    double[] numZ = fd(dzs, total);
                    float[] gz = ds.toFloatArray();
                    if (mode.usesKl()) {
                        float[] k = dk.toFloatArray();
                        for (int i = 0; i < gz.length; i++) gz[i] += k[i];
                    }
                    assertClose(ctx + " dL/dz_S vs FD", numZ, gz, 1e-6 * maxAbs(numZ) + 1e-9, 1e-4);
                    for (int l = 0; l < layers; l++) {
                        double[] numH = fd(dh2[l], total);
                        assertClose(ctx + " dL/dh_S layer " + l + " vs FD", numH, dhs.get(l), 1e-6 * maxAbs(numH) + 1e-9, 1e-4);
                    }
                }
            }
        }
    }

    @Test
    void lossScalesFollowTheDocumentedFormula() {
        LossScales mean = LossScales.of(Mode.DYNAMIC, 0.9, Reduction.MEAN_PER_TOKEN, 40, 50, 6);
        assertEquals(0.1 / 40, mean.ce(), 1e-15);
        assertEquals(0.9 / 40, mean.kl(), 1e-15);
        assertEquals(0.9 / 50 / 6, mean.hiddenPerLayer(), 1e-15);
        Terms terms = mean.terms(80, 20, new double[] {10, 20, 30, 40, 50, 60});
        assertEquals(2.0, terms.ce(), 1e-12);
        assertEquals(0.5, terms.kl(), 1e-12);
        assertEquals(210.0 / 50 / 6, terms.hidden(), 1e-12);
        assertEquals(0.1 * 2.0 + 0.9 * (0.5 + 0.7), terms.total(), 1e-12);
        LossScales sum = LossScales.of(Mode.STATIC, 0.3, Reduction.SUM, 40, 50, 6);
        assertEquals(0.7 * 80 + 0.3 * (20 + 210.0 / 6), sum.terms(80, 20, new double[] {10, 20, 30, 40, 50, 60}).total(), 1e-9);
        assertEquals(80.0 / 40, LossScales.of(Mode.NONE, 0.9, Reduction.MEAN_PER_TOKEN, 40, 50, 6).terms(80, 0, null).total(), 1e-12);
        assertEquals(0, LossScales.of(Mode.LOGITS, 0.9, Reduction.SUM, 40, 50, 6).hiddenPerLayer());
        assertThrows(IllegalArgumentException.class, () -> LossScales.of(Mode.DYNAMIC, 1.5, Reduction.SUM, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> LossScales.of(Mode.DYNAMIC, 0.5, Reduction.SUM, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> mean.terms(1, 1, new double[] {1, 2}));
        assertEquals(Reduction.MEAN_PER_TOKEN, Reduction.parse("mean-per-token"));
        assertEquals(Reduction.SUM, Reduction.parse(" SUM "));
        assertThrows(IllegalArgumentException.class, () -> Reduction.parse("mean"));
    }

    /** Student layer i made close to teacher layer 2i+1: the distance matrix drives the matcher there. */
    @Test
    void distanceMatrixDrivesTheMatcher() {
        Random r = new Random(7);
        int rows = 5, f = 16, ns = 3, nt = 6;
        List<Tensor> student = new ArrayList<>(), teacher = new ArrayList<>();
        try {
            float[][] base = new float[nt][];
            for (int j = 0; j < nt; j++) {
                base[j] = gaussian(r, rows * f, 2);
                Tensor h = Tensor.of(base[j], rows, f);
                DistillationLosses.featureSoftmax(h, 1f, h);
                teacher.add(h);
            }
            for (int i = 0; i < ns; i++) {
                float[] h = base[2 * i + 1].clone();
                for (int k = 0; k < h.length; k++) h[k] += (float) (0.05 * r.nextGaussian());
                Tensor t = Tensor.of(h, rows, f);
                DistillationLosses.featureSoftmax(t, 1f, t);
                student.add(t);
            }
            double[][] d = DistillationLosses.distanceMatrix(student, teacher, 1f, null, Reduction.MEAN_PER_TOKEN);
            assertEquals(DistillationLosses.hiddenDistance(student.get(1), teacher.get(4), 1f, null, Reduction.MEAN_PER_TOKEN), d[1][4]);
            assertArrayEquals(new int[] {1, 3, 5}, new DynamicLayerMatcher(Mode.DYNAMIC, ns, nt).match(d));
            assertArrayEquals(new int[] {1, 3, 5}, new DynamicLayerMatcher(Mode.DYNAMIC_FREE, ns, nt).match(d));
        } finally {
            student.forEach(Tensor::close);
            teacher.forEach(Tensor::close);
        }
    }

    @Test
    void hiddenKernelsAreThreadInvariant() {
        Random r = new Random(8);
        int rows = 61, f = 45;
        try (Tensor ps = Tensor.of(gaussian(r, rows * f, 1), rows, f); Tensor pt = Tensor.of(gaussian(r, rows * f, 1), rows, f);
                Tensor rowD = Tensor.allocate(DType.F32, rows); Tensor dh = Tensor.allocate(DType.F32, rows, f); Tensor da = Tensor.allocate(DType.F32, rows, f)) {
            DistillationLosses.featureSoftmax(ps, 1.3f, ps);
            DistillationLosses.featureSoftmax(pt, 1.3f, pt);
            QuantTestSupport.assertThreadInvariant("hidden distance and gradients", () -> {
                DistillationLosses.hiddenRowDistances(ps, pt, 1.3f, null, rowD);
                DistillationLosses.hiddenDistanceBackward(ps, pt, 1.3f, null, 0.5f, dh, da, false);
                float[] a = rowD.toFloatArray(), b = dh.toFloatArray(), c = da.toFloatArray();
                float[] all = java.util.Arrays.copyOf(a, a.length + b.length + c.length);
                System.arraycopy(b, 0, all, a.length, b.length);
                System.arraycopy(c, 0, all, a.length + b.length, c.length);
                return all;
            });
        }
    }

    @Test
    void misuseIsRejected() {
        try (Tensor ps = Tensor.allocate("ps", DType.F32, 4, 8); Tensor pt = Tensor.allocate("pt", DType.F32, 4, 8);
                Tensor narrow = Tensor.allocate("narrow", DType.F32, 4, 6); Tensor rows = Tensor.allocate("rows", DType.F32, 4);
                Tensor badMask = Tensor.of(new int[] {1, 2, 0, 1}, 4); Tensor shortMask = Tensor.of(new int[] {1, 1}, 2);
                Tensor logits3 = Tensor.allocate("logits3", DType.F32, 2, 2, 5); Tensor s8 = Tensor.allocate("s8", DType.S8, 4, 8)) {
            ps.fill(0.125f);
            pt.fill(0.125f);
            assertMessage(() -> DistillationLosses.hiddenRowDistances(ps, narrow, 1f, null, rows), "adapt the teacher");
            assertMessage(() -> DistillationLosses.hiddenRowDistances(ps, pt, 1f, badMask, rows), "mask value 2 at row 1");
            assertMessage(() -> DistillationLosses.hiddenRowDistances(ps, pt, 1f, shortMask, rows), "one entry per row (4)");
            assertMessage(() -> DistillationLosses.hiddenRowDistances(ps, pt, 0f, null, rows), "temperature");
            assertMessage(() -> DistillationLosses.hiddenRowDistances(ps, pt, Float.NaN, null, rows), "temperature");
            assertMessage(() -> DistillationLosses.hiddenRowDistances(ps, pt, 1f, null, narrow), "must have 4 elements");
            assertMessage(() -> DistillationLosses.hiddenDistanceBackward(ps, pt, 1f, null, 1f, ps, null, false), "overlaps");
            assertMessage(() -> DistillationLosses.hiddenDistanceBackward(ps, pt, 1f, null, 1f, narrow, null, false), "must have the shape");
            assertMessage(() -> DistillationLosses.hiddenDistanceBackward(ps, pt, 1f, null, Float.POSITIVE_INFINITY, null, null, false), "finite");
            assertMessage(() -> DistillationLosses.featureSoftmax(s8, 1f, ps), "expected dtype F32");
            assertMessage(() -> DistillationLosses.crossEntropySum(logits3, badMask, -1, 1f, null), "must be [N, V]");
            assertMessage(() -> DistillationLosses.klSum(logits3, logits3, 1f, null, 1f, null), "must be [N, V]");
            assertMessage(() -> DistillationLosses.distanceMatrix(List.of(), List.of(pt), 1f, null, Reduction.SUM), "at least one");
            assertThrows(IllegalArgumentException.class, () -> new LinearAdapter(0, 3, 1));
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
