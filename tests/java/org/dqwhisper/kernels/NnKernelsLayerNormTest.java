package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnTestSupport.assertClose;
import static org.dqwhisper.kernels.NnTestSupport.assertThreadInvariant;
import static org.dqwhisper.kernels.NnTestSupport.dot;
import static org.dqwhisper.kernels.NnTestSupport.forEachIsa;
import static org.dqwhisper.kernels.NnTestSupport.gaussian;
import static org.dqwhisper.kernels.NnTestSupport.maxAbs;
import static org.dqwhisper.kernels.NnTestSupport.numericGradient;
import static org.dqwhisper.kernels.NnTestSupport.toDouble;
import static org.dqwhisper.kernels.NnTestSupport.uniform;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dqwhisper.kernels.NnTestSupport.Tensors;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** LayerNorm forward and backward against the FP64 reference and finite differences, on every ISA path. */
class NnKernelsLayerNormTest {
    private static final float EPS = 1e-5f;
    /** {rows, D}; D covers 1, odd sizes, tails and Whisper widths (384, 1280). */
    private static final int[][] SHAPES = {{1, 1}, {1, 2}, {3, 7}, {2, 16}, {5, 17}, {4, 384}, {3, 1000}, {2, 1280}};

    @Test
    void forwardMatchesReference() throws Exception {
        SplittableRandom rnd = new SplittableRandom(21);
        for (int[] s : SHAPES) {
            int m = s[0], d = s[1];
            // an offset mean and a spread of scales per row exercise the mean subtraction
            float[] x = gaussian(rnd, m * d, 2);
            for (int i = 0; i < x.length; i++) x[i] += 3 + (i / d);
            float[] gamma = uniform(rnd, d, 0.5, 1.5), beta = gaussian(rnd, d, 0.1);
            double[] mean = new double[m], rstd = new double[m];
            double[] y = NnReference.layerNorm(toDouble(x), toDouble(gamma), toDouble(beta), EPS, m, d, mean, rstd);
            try (Tensors t = new Tensors()) {
                Tensor xt = t.of(x, m, d), g = t.of(gamma, d), b = t.of(beta, d), yt = t.zeros(m, d);
                Tensor mt = t.zeros(m), rt = t.zeros(m);
                forEachIsa(isa -> {
                    String what = "layerNorm " + m + "x" + d + " " + isa;
                    NnKernels.layerNorm(xt, g, b, EPS, yt, mt, rt);
                    // y = xhat * gamma + beta, |y| <= ~5: the float mean (x ~ 10, so ~5e-7 absolute on x - mean)
                    // times rstd plus a few roundings; measured 4.4e-7
                    assertClose(what, y, yt.toFloatArray(), 1e-6, 1e-6);
                    // mean: blocked float sum of D terms, then the division (measured 1.2e-7 relative)
                    assertClose(what + " mean", mean, mt.toFloatArray(), 0, 3e-7);
                    // rstd: variance sum, sqrt and division, a few ulp (measured 1.4e-7 relative)
                    assertClose(what + " rstd", rstd, rt.toFloatArray(), 0, 3e-7);
                    // in place, without the statistics
                    Tensor inPlace = t.of(x, m, d);
                    NnKernels.layerNorm(inPlace, g, b, EPS, inPlace, null, null);
                    assertClose(what + " in place", toDouble(yt.toFloatArray()), inPlace.toFloatArray(), 0, 0);
                });
            }
        }
    }

    @Test
    void backwardMatchesAnalyticReference() throws Exception {
        SplittableRandom rnd = new SplittableRandom(22);
        for (int[] s : SHAPES) {
            int m = s[0], d = s[1];
            float[] x = gaussian(rnd, m * d, 1.5), dy = gaussian(rnd, m * d, 1);
            float[] gamma = uniform(rnd, d, 0.5, 1.5), beta = gaussian(rnd, d, 0.1);
            float[] dx0 = gaussian(rnd, m * d, 1), dg0 = gaussian(rnd, d, 1), db0 = gaussian(rnd, d, 1);
            double[][] ref = NnReference.layerNormBackward(toDouble(dy), toDouble(x), toDouble(gamma), EPS, m, d);
            try (Tensors t = new Tensors()) {
                Tensor xt = t.of(x, m, d), dyt = t.of(dy, m, d), g = t.of(gamma, d), b = t.of(beta, d), y = t.zeros(m, d);
                Tensor mean = t.zeros(m), rstd = t.zeros(m), dx = t.zeros(m, d), dg = t.zeros(d), db = t.zeros(d);
                forEachIsa(isa -> {
                    String what = "layerNormBackward " + m + "x" + d + " " + isa;
                    NnKernels.layerNorm(xt, g, b, EPS, y, mean, rstd);
                    // accumulate into non-zero gradients: dx, dgamma and dbeta all add onto what is there
                    dx.copyFrom(dx0);
                    dg.copyFrom(dg0);
                    db.copyFrom(db0);
                    NnKernels.layerNormBackward(dyt, xt, g, mean, rstd, dx, true, dg, db);
                    double dxScale = maxAbs(ref[0]) + 1, dgScale = maxAbs(ref[1]) + maxAbs(ref[2]) + 1;
                    // dx: two row sums of D float products and the float mean/rstd, 2e-6 of the gradient scale
                    // (measured 4e-7); dgamma/dbeta: float sums over the rows of float products, a few ulp of
                    // their scale (measured 7e-9 of it)
                    assertClose(what + " dx", plus(ref[0], dx0), dx.toFloatArray(), 2e-6 * dxScale, 1e-6);
                    assertClose(what + " dgamma", plus(ref[1], dg0), dg.toFloatArray(), 2e-7 * dgScale, 2e-7);
                    assertClose(what + " dbeta", plus(ref[2], db0), db.toFloatArray(), 2e-7 * dgScale, 2e-7);
                    // overwrite mode, dx aliasing dy, no parameter gradients
                    Tensor inPlace = t.of(dy, m, d);
                    NnKernels.layerNormBackward(inPlace, xt, g, mean, rstd, inPlace, false, null, null);
                    assertClose(what + " dx in place", ref[0], inPlace.toFloatArray(), 2e-6 * dxScale, 1e-6);
                });
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() throws Exception {
        SplittableRandom rnd = new SplittableRandom(23);
        int m = 3, d = 7;
        double[] x = toDouble(gaussian(rnd, m * d, 1.5)), gamma = toDouble(uniform(rnd, d, 0.5, 1.5));
        double[] beta = toDouble(gaussian(rnd, d, 0.1)), dy = toDouble(gaussian(rnd, m * d, 1));
        // L = sum dy * LayerNorm_ref(x; gamma, beta), differentiated numerically w.r.t. x, gamma and beta
        double[] nx = numericGradient(v -> dot(dy, NnReference.layerNorm(v, gamma, beta, EPS, m, d, null, null)), x, 1e-5);
        double[] ng = numericGradient(v -> dot(dy, NnReference.layerNorm(x, v, beta, EPS, m, d, null, null)), gamma, 1e-5);
        double[] nb = numericGradient(v -> dot(dy, NnReference.layerNorm(x, gamma, v, EPS, m, d, null, null)), beta, 1e-5);
        double[][] analytic = NnReference.layerNormBackward(dy, x, gamma, EPS, m, d);
        // the analytic reference itself: FD truncation ~h^2 = 1e-10, cancellation ~1e-16/h
        assertClose("dx analytic vs FD", nx, analytic[0], 1e-8, 1e-7);
        assertClose("dgamma analytic vs FD", ng, analytic[1], 1e-8, 1e-7);
        assertClose("dbeta analytic vs FD", nb, analytic[2], 1e-8, 1e-7);
        try (Tensors t = new Tensors()) {
            Tensor xt = t.of(toFloat(x), m, d), g = t.of(toFloat(gamma), d), b = t.of(toFloat(beta), d), dyt = t.of(toFloat(dy), m, d);
            Tensor y = t.zeros(m, d), mean = t.zeros(m), rstd = t.zeros(m), dx = t.zeros(m, d), dg = t.zeros(d), db = t.zeros(d);
            forEachIsa(isa -> {
                NnKernels.layerNorm(xt, g, b, EPS, y, mean, rstd);
                dg.fill(0);
                db.fill(0);
                NnKernels.layerNormBackward(dyt, xt, g, mean, rstd, dx, false, dg, db);
                // float kernels against exact derivatives of the FP64 forward: float rounding of O(1) values
                // only (measured 1.7e-7 at most)
                assertClose("dx vs FD " + isa, nx, dx.toFloatArray(), 3e-7, 3e-7);
                assertClose("dgamma vs FD " + isa, ng, dg.toFloatArray(), 3e-7, 3e-7);
                assertClose("dbeta vs FD " + isa, nb, db.toFloatArray(), 3e-7, 3e-7);
            });
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() throws Exception {
        SplittableRandom rnd = new SplittableRandom(24);
        int m = 67, d = 389;  // several row tasks and several 64-column parameter-gradient tasks, odd tails
        try (Tensors t = new Tensors()) {
            Tensor x = t.of(gaussian(rnd, m * d, 1), m, d), dy = t.of(gaussian(rnd, m * d, 1), m, d);
            Tensor g = t.of(uniform(rnd, d, 0.5, 1.5), d), b = t.of(gaussian(rnd, d, 0.1), d);
            Tensor y = t.zeros(m, d), mean = t.zeros(m), rstd = t.zeros(m), dx = t.zeros(m, d), dg = t.zeros(d), db = t.zeros(d);
            assertThreadInvariant("layerNorm", () -> {
                NnKernels.layerNorm(x, g, b, EPS, y, mean, rstd);
                return concat(y.toFloatArray(), mean.toFloatArray(), rstd.toFloatArray());
            });
            assertThreadInvariant("layerNormBackward", () -> {
                NnKernels.layerNorm(x, g, b, EPS, y, mean, rstd);
                dg.fill(0);
                db.fill(0);
                NnKernels.layerNormBackward(dy, x, g, mean, rstd, dx, false, dg, db);
                return concat(dx.toFloatArray(), dg.toFloatArray(), db.toFloatArray());
            });
        }
    }

    static double[] plus(double[] a, float[] b) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) out[i] += b[i];
        return out;
    }

    static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return Arrays.copyOf(out, n);
    }
}
