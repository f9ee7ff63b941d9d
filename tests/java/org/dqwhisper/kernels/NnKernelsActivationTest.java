package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnTestSupport.assertClose;
import static org.dqwhisper.kernels.NnTestSupport.assertThreadInvariant;
import static org.dqwhisper.kernels.NnTestSupport.assertWithin;
import static org.dqwhisper.kernels.NnTestSupport.forEachIsa;
import static org.dqwhisper.kernels.NnTestSupport.gaussian;
import static org.dqwhisper.kernels.NnTestSupport.maxAbs;
import static org.dqwhisper.kernels.NnTestSupport.numericGradient;
import static org.dqwhisper.kernels.NnTestSupport.toDouble;
import static org.dqwhisper.kernels.NnTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dqwhisper.kernels.NnTestSupport.Tensors;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** erf, GELU and row-softmax kernels against the FP64 references, on every ISA path. */
class NnKernelsActivationTest {

    /** Dense grid plus tiny magnitudes (relative accuracy near 0) and the saturated tails. */
    private static float[] erfGrid() {
        List<Float> xs = new ArrayList<>();
        for (int i = -60000; i <= 60000; i++) xs.add(i / 5000f);  // [-12, 12] step 2e-4
        for (float v = 1e-30f; v < 1; v *= 1.05f) {
            xs.add(v);
            xs.add(-v);
        }
        for (float v : new float[] {0f, -0f, 15f, -15f, 100f, -100f, Float.MAX_VALUE, -Float.MAX_VALUE}) xs.add(v);
        float[] out = new float[xs.size()];
        for (int i = 0; i < out.length; i++) out[i] = xs.get(i);
        return out;
    }

    @Test
    void referenceErfMatchesHighPrecisionValues() {
        // erf / erfc / Phi at 20 digits from mpmath (mp.dps = 30); the reference switches from the
        // series to the continued fraction at 1, so both sides of the switch are covered.
        double[][] erfErfc = {
            {0.001, 0.0011283787909692363799, 0.99887162120903076362},
            {0.1, 0.1124629160182848922, 0.8875370839817151078},
            {0.5, 0.52049987781304653768, 0.47950012218695346232},
            {0.9999, 0.84265927804875947342, 0.15734072195124052658},
            {1, 0.84270079294971486934, 0.15729920705028513066},
            {1.5, 0.96610514647531072707, 0.033894853524689272933},
            {2.4999, 0.99959283009966654908, 0.0004071699003334509212},
            {2.5, 0.99959304798255504106, 0.00040695201744495893956},
            {3, 0.99997790950300141456, 0.000022090496998585441373},
            {4, 0.99999998458274209972, 1.5417257900280018852e-8},
            {6, 0.99999999999999997848, 2.1519736712498913117e-17},
            {10, 1.0, 2.088487583762544757e-45},
            {26, 1.0, 5.6631924088561428465e-296},
        };
        for (double[] row : erfErfc) {
            // 1e-14 relative: the series and the continued fraction are good to a few ulp of double
            assertEquals(row[1], NnReference.erf(row[0]), 1e-14 * row[1], "erf(" + row[0] + ")");
            assertEquals(-row[1], NnReference.erf(-row[0]), 1e-14 * row[1], "erf(-" + row[0] + ")");
            assertEquals(row[2], NnReference.erfc(row[0]), 1e-13 * row[2], "erfc(" + row[0] + ")");
        }
        assertEquals(7.619853024160526066e-24, NnReference.normalCdf(-10), 1e-13 * 7.6e-24);
        assertEquals(0.0013498980316300945267, NnReference.normalCdf(-3), 1e-14);
        assertEquals(0.84134474606854294859, NnReference.normalCdf(1), 1e-15);
    }

    @Test
    void erfMatchesReferenceOnEveryPath() throws Exception {
        float[] x = erfGrid();
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) expected[i] = NnReference.erf(x[i]);
        try (Tensors t = new Tensors()) {
            Tensor xt = t.of(x, x.length), y = t.zeros(x.length);
            forEachIsa(isa -> {
                NnKernels.erf(xt, y);
                // 2.5e-7 relative (about 2 float ulp): the vector polynomial paths measure 1.7e-7 at worst
                // (rounding of a*a and of the Horner steps), the scalar path is libm in double (6e-8)
                assertClose("erf " + isa, expected, y.toFloatArray(), 1e-45, 2.5e-7);
                Tensor nan = t.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}, 3);
                NnKernels.erf(nan, nan);
                float[] r = nan.toFloatArray();
                assertTrue(Float.isNaN(r[0]), "erf(NaN) " + isa);
                assertEquals(1f, r[1], "erf(inf) " + isa);
                assertEquals(-1f, r[2], "erf(-inf) " + isa);
            });
        }
    }

    @Test
    void geluForwardMatchesReferenceOnEveryPath() throws Exception {
        float[] x = erfGrid();
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) expected[i] = NnReference.gelu(x[i]);
        try (Tensors t = new Tensors()) {
            Tensor xt = t.of(x, x.length), y = t.zeros(x.length);
            forEachIsa(isa -> {
                NnKernels.gelu(xt, y);
                // 5e-7 relative (~4 ulp): measured 3.9e-7 in the far negative tail, where Phi(x) comes from
                // exp(-x^2/2) (x^2 split exactly into hi + lo) times the erfc polynomial; relative, not
                // absolute, because the lower tail keeps full relative accuracy (no 1 + erf cancellation).
                // 1e-38 absolute: below that the float result underflows.
                assertClose("gelu " + isa, expected, y.toFloatArray(), 1e-38, 5e-7);
                // in place, odd length (a vector tail on every path)
                Tensor inPlace = t.of(java.util.Arrays.copyOf(x, 1001), 1001);
                NnKernels.gelu(inPlace, inPlace);
                assertClose("gelu in place " + isa, java.util.Arrays.copyOf(expected, 1001), inPlace.toFloatArray(), 1e-38, 5e-7);
            });
        }
    }

    @Test
    void geluBackwardMatchesAnalyticAndFiniteDifferences() throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] x = uniform(rnd, 4099, -9, 9);
        float[] dy = gaussian(rnd, x.length, 1);
        double[] analytic = new double[x.length];
        double[] scale = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            analytic[i] = dy[i] * NnReference.geluGrad(x[i]);
            scale[i] = Math.abs(dy[i]) * (NnReference.normalCdf(x[i]) + Math.abs(x[i]) * NnReference.normalPdf(x[i]));
        }
        // FD in double of L(x) = sum dy * gelu_ref(x) on a small slice
        int nFd = 64;
        double[] xs = toDouble(java.util.Arrays.copyOf(x, nFd));
        double[] numeric = numericGradient(v -> {
            double s = 0;
            for (int i = 0; i < v.length; i++) s += dy[i] * NnReference.gelu(v[i]);
            return s;
        }, xs, 1e-5);
        // the reference itself: FD error h^2 f'''/6 ~ 1e-10, cancellation 1e-16 / 1e-5
        assertClose("analytic vs FD (reference)", numeric, java.util.Arrays.copyOf(analytic, nFd), 1e-8, 1e-8);
        try (Tensors t = new Tensors()) {
            Tensor xt = t.of(x, x.length), dyt = t.of(dy, dy.length), dx = t.zeros(x.length);
            forEachIsa(isa -> {
                NnKernels.geluBackward(xt, dyt, dx);
                float[] got = dx.toFloatArray();
                // 4e-7 of |dy| (|Phi| + |x phi|): Phi + x phi cancels near x = -0.75, so the error is
                // measured against the size of the two terms (measured 2.3e-7), not of their sum
                double[] allowed = new double[scale.length];
                for (int i = 0; i < allowed.length; i++) allowed[i] = 4e-7 * scale[i] + 1e-38;
                assertWithin("gelu' " + isa, analytic, got, allowed);
                // against central differences of the FP64 forward: the kernel error above, on O(1) values
                assertClose("gelu' vs FD " + isa, numeric, java.util.Arrays.copyOf(got, nFd), 2e-7, 2e-7);
                // dx aliasing dy
                Tensor inPlace = t.of(dy.clone(), dy.length);
                NnKernels.geluBackward(xt, inPlace, inPlace);
                assertClose("gelu' in place " + isa, toDouble(got), inPlace.toFloatArray(), 0, 0);
            });
        }
    }

    private static final int[][] SOFTMAX_SHAPES = {{1, 1}, {4, 7}, {7, 33}, {3, 1000}, {2, 4099}, {1, 51866}};

    @Test
    void softmaxRowsForwardAndBackward() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] s : SOFTMAX_SHAPES) {
            int m = s[0], n = s[1];
            float[] x = gaussian(rnd, m * n, 3);
            float[] dy = gaussian(rnd, m * n, 1);
            double[] y = NnReference.softmaxRows(toDouble(x), m, n);
            try (Tensors t = new Tensors()) {
                Tensor xt = t.of(x, m, n), yt = t.zeros(m, n), dyt = t.of(dy, m, n), dx = t.zeros(m, n);
                forEachIsa(isa -> {
                    String what = "softmax " + m + "x" + n + " " + isa;
                    NnKernels.softmaxRows(xt, yt);
                    // 4e-6 relative: exp is within 1 ulp, the row sum of n float terms adds up to ~sqrt(n) ulp
                    // (lane-parallel partial sums); 1e-30 absolute for entries that underflow
                    float[] yf = yt.toFloatArray();
                    assertClose(what, y, yf, 1e-30, 4e-6);
                    // backward, analytic FP64 formula on the float y the kernel is given
                    double[] ref = NnReference.softmaxRowsBackward(toDouble(yf), toDouble(dy), m, n);
                    NnKernels.softmaxRowsBackward(yt, dyt, dx);
                    // 2e-7 of max|dy| (y <= 1): one float product per element plus the rounding of the row dot
                    assertClose(what + " backward", ref, dx.toFloatArray(), 2e-7 * maxAbs(toDouble(dy)), 2e-7);
                    // in place y == x and dx == dy
                    Tensor inPlace = t.of(x, m, n);
                    NnKernels.softmaxRows(inPlace, inPlace);
                    assertClose(what + " in place", toDouble(yf), inPlace.toFloatArray(), 0, 0);
                    Tensor dInPlace = t.of(dy, m, n);
                    NnKernels.softmaxRowsBackward(yt, dInPlace, dInPlace);
                    assertClose(what + " backward in place", toDouble(dx.toFloatArray()), dInPlace.toFloatArray(), 0, 0);
                });
            }
        }
    }

    @Test
    void softmaxBackwardMatchesFiniteDifferences() throws Exception {
        SplittableRandom rnd = new SplittableRandom(8);
        int m = 3, n = 9;
        float[] x = gaussian(rnd, m * n, 2), dy = gaussian(rnd, m * n, 1);
        double[] numeric = numericGradient(v -> NnTestSupport.dot(toDouble(dy), NnReference.softmaxRows(v, m, n)), toDouble(x), 1e-5);
        double[] analytic = NnReference.softmaxRowsBackward(NnReference.softmaxRows(toDouble(x), m, n), toDouble(dy), m, n);
        assertClose("softmax analytic vs FD (reference)", numeric, analytic, 1e-9, 1e-8);
        try (Tensors t = new Tensors()) {
            Tensor xt = t.of(x, m, n), y = t.zeros(m, n), dyt = t.of(dy, m, n), dx = t.zeros(m, n);
            forEachIsa(isa -> {
                NnKernels.softmaxRows(xt, y);
                NnKernels.softmaxRowsBackward(y, dyt, dx);
                // float y and a float row dot: a few ulp on O(1) gradients (measured 2.5e-8)
                assertClose("softmax' vs FD " + isa, numeric, dx.toFloatArray(), 1e-7, 1e-7);
            });
        }
    }

    @Test
    void elementwiseKernelsTouchOnlyTheirElements() throws Exception {
        // Views of the first n elements of a larger buffer: masked tails must not write past n.
        try (Tensors t = new Tensors()) {
            for (int n : new int[] {1, 7, 8, 15, 16, 17, 31, 33}) {
                Tensor big = t.of(uniform(new SplittableRandom(n), n + 40, -3, 3), n + 40);
                Tensor out = t.zeros(n + 40);
                forEachIsa(isa -> {
                    out.fill(42f);
                    NnKernels.gelu(big.rows(0, n), out.rows(0, n));
                    NnKernels.erf(big.rows(0, n), out.rows(0, n));
                    NnKernels.geluBackward(big.rows(0, n), big.rows(0, n), out.rows(0, n));
                    NnKernels.softmaxRows(big.rows(0, n), out.rows(0, n));
                    float[] o = out.toFloatArray();
                    for (int i = n; i < o.length; i++) assertEquals(42f, o[i], isa + ": element " + i + " written for n=" + n);
                });
            }
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 100_003;  // several 16384-element tasks plus a tail
        float[] x = uniform(rnd, n, -8, 8), dy = gaussian(rnd, n, 1);
        try (Tensors t = new Tensors()) {
            Tensor xt = t.of(x, n), dyt = t.of(dy, n), y = t.zeros(n), s = t.zeros(97, 1031);
            Tensor sx = t.of(java.util.Arrays.copyOf(x, 97 * 1031), 97, 1031);
            assertThreadInvariant("gelu", () -> {
                NnKernels.gelu(xt, y);
                return y.toFloatArray();
            });
            assertThreadInvariant("geluBackward", () -> {
                NnKernels.geluBackward(xt, dyt, y);
                return y.toFloatArray();
            });
            assertThreadInvariant("erf", () -> {
                NnKernels.erf(xt, y);
                return y.toFloatArray();
            });
            assertThreadInvariant("softmaxRows", () -> {
                NnKernels.softmaxRows(sx, s);
                return s.toFloatArray();
            });
            assertThreadInvariant("softmaxRowsBackward", () -> {
                NnKernels.softmaxRows(sx, s);
                NnKernels.softmaxRowsBackward(s, sx, s);
                return s.toFloatArray();
            });
        }
    }
}
