package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnTestSupport.assertClose;
import static org.dqwhisper.kernels.NnTestSupport.assertThreadInvariant;
import static org.dqwhisper.kernels.NnTestSupport.dot;
import static org.dqwhisper.kernels.NnTestSupport.forEachIsa;
import static org.dqwhisper.kernels.NnTestSupport.gaussian;
import static org.dqwhisper.kernels.NnTestSupport.numericGradient;
import static org.dqwhisper.kernels.NnTestSupport.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.dqwhisper.kernels.NnTestSupport.Tensors;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Element-wise, bias, conv1d-im2col, transpose, embedding and positional kernels. Most of these are
 * exact in float (copies, single additions), so they are compared bit for bit with a float
 * computation; sums over rows get a stated tolerance.
 */
class NnKernelsLayoutTest {

    @Test
    void elementwiseAndBias() throws Exception {
        SplittableRandom rnd = new SplittableRandom(31);
        for (int[] s : new int[][] {{1, 1}, {3, 5}, {7, 33}, {40, 1031}}) {
            int m = s[0], n = s[1];
            float[] a = gaussian(rnd, m * n, 1), b = gaussian(rnd, m * n, 1), bias = gaussian(rnd, n, 1);
            float[] sum = new float[m * n], scaled = new float[m * n], biased = new float[m * n];
            double[] colSum = new double[n];
            for (int i = 0; i < m * n; i++) {
                sum[i] = a[i] + b[i];  // one float rounding, as the kernel does it
                scaled[i] = a[i] * 0.37f;
                biased[i] = a[i] + bias[i % n];
                colSum[i % n] += a[i];
            }
            try (Tensors t = new Tensors()) {
                Tensor at = t.of(a, m, n), bt = t.of(b, m, n), y = t.zeros(m, n), bi = t.of(bias, n), db = t.zeros(n);
                forEachIsa(isa -> {
                    NnKernels.add(at, bt, y);
                    assertArrayEquals(sum, y.toFloatArray(), "add " + isa);
                    y.copyFrom(a);
                    NnKernels.addInto(y, bt);
                    assertArrayEquals(sum, y.toFloatArray(), "addInto " + isa);
                    y.copyFrom(a);
                    NnKernels.add(y, bt, y);  // y aliasing a
                    assertArrayEquals(sum, y.toFloatArray(), "add in place " + isa);
                    y.copyFrom(a);
                    NnKernels.scaleInto(y, 0.37f);
                    assertArrayEquals(scaled, y.toFloatArray(), "scaleInto " + isa);
                    y.copyFrom(a);
                    NnKernels.biasAdd(y, bi);
                    assertArrayEquals(biased, y.toFloatArray(), "biasAdd " + isa);
                    db.fill(0.5f);
                    NnKernels.biasGrad(at, db);
                    double[] expected = colSum.clone();
                    for (int i = 0; i < n; i++) expected[i] += 0.5;
                    // a float sum of m terms of size ~1: at most about m ulp of the running sum (measured 9e-8 m)
                    assertClose("biasGrad " + isa, expected, db.toFloatArray(), 2e-7 * m, 0);
                });
            }
        }
    }

    @Test
    void im2colMatchesReferenceAndGivesTheConvolution() throws Exception {
        SplittableRandom rnd = new SplittableRandom(32);
        // {T, Cin, kernel, stride, pad}: Whisper's two stems (k3 p1 s1 / s2), odd lengths, no padding, wide kernels
        int[][] cases = {{1, 1, 1, 1, 0}, {9, 3, 3, 1, 1}, {10, 4, 3, 2, 1}, {11, 5, 3, 2, 1}, {3000, 8, 3, 1, 1}, {7, 2, 5, 3, 2},
            {6, 3, 6, 1, 0}};
        for (int[] c : cases) {
            int tl = c[0], cin = c[1], k = c[2], stride = c[3], pad = c[4];
            int tout = (int) NnKernels.conv1dOutputLength(tl, k, stride, pad);
            assertEquals((tl + 2 * pad - k) / stride + 1, tout);
            float[] x = gaussian(rnd, tl * cin, 1);
            double[] cols = NnReference.im2col1d(toDouble(x), tl, cin, k, stride, pad);
            int cout = 3;
            float[] w = gaussian(rnd, cout * cin * k, 1);
            double[] conv = NnReference.conv1d(toDouble(x), toDouble(w), tl, cin, cout, k, stride, pad);
            try (Tensors t = new Tensors()) {
                Tensor xt = t.of(x, tl, cin), colt = t.zeros(tout, (long) cin * k);
                forEachIsa(isa -> {
                    colt.fill(7f);
                    NnKernels.im2col1d(xt, k, stride, pad, colt);
                    float[] got = colt.toFloatArray();
                    assertClose("im2col " + java.util.Arrays.toString(c) + " " + isa, cols, got, 0, 0);  // pure copies
                    // cols . W_flat^T with PyTorch's [Cout, Cin, kernel] weight is the convolution
                    double[] viaCols = new double[tout * cout];
                    for (int o = 0; o < tout; o++)
                        for (int co = 0; co < cout; co++)
                            for (int q = 0; q < cin * k; q++) viaCols[o * cout + co] += (double) got[o * cin * k + q] * w[co * cin * k + q];
                    // summed in double here, so only the final rounding to float: one ulp (2^-23 relative) covers
                    // it together with the different summation order of the two double sums
                    assertClose("conv via im2col " + isa, conv, toFloat(viaCols), 1e-12, 1.2e-7);
                });
            }
        }
    }

    @Test
    void col2imIsTheAdjointOfIm2col() throws Exception {
        SplittableRandom rnd = new SplittableRandom(33);
        int[][] cases = {{9, 3, 3, 1, 1}, {10, 4, 3, 2, 1}, {11, 5, 3, 2, 1}, {7, 2, 5, 3, 2}, {1, 1, 1, 1, 0}, {8, 2, 4, 1, 3}};
        for (int[] c : cases) {
            int tl = c[0], cin = c[1], k = c[2], stride = c[3], pad = c[4];
            int tout = (int) NnKernels.conv1dOutputLength(tl, k, stride, pad);
            float[] dcols = gaussian(rnd, tout * cin * k, 1), dx0 = gaussian(rnd, tl * cin, 1);
            double[] x = toDouble(gaussian(rnd, tl * cin, 1));
            // dL/dx of L(x) = <dcols, im2col(x)>, numerically in double: the exact adjoint (linear map)
            double[] numeric = numericGradient(v -> dot(toDouble(dcols), NnReference.im2col1d(v, tl, cin, k, stride, pad)), x, 0.5);
            try (Tensors t = new Tensors()) {
                Tensor dct = t.of(dcols, tout, (long) cin * k), dx = t.zeros(tl, cin);
                forEachIsa(isa -> {
                    String what = "col2im " + java.util.Arrays.toString(c) + " " + isa;
                    dx.fill(3f);
                    NnKernels.col2im1d(dct, k, stride, pad, dx, false);
                    // each dx element is a float sum of at most ceil(kernel/stride) = 5 terms of size ~1
                    assertClose(what, numeric, dx.toFloatArray(), 3e-7, 2e-7);
                    dx.copyFrom(dx0);
                    NnKernels.col2im1d(dct, k, stride, pad, dx, true);
                    assertClose(what + " accumulate", NnKernelsLayerNormTest.plus(numeric, dx0), dx.toFloatArray(), 5e-7, 2e-7);
                });
            }
        }
    }

    @Test
    void transposeIsExact() throws Exception {
        SplittableRandom rnd = new SplittableRandom(34);
        for (int[] s : new int[][] {{1, 1}, {1, 7}, {5, 1}, {33, 65}, {80, 3000}}) {
            int r = s[0], c = s[1];
            float[] x = gaussian(rnd, r * c, 1);
            float[] expected = new float[r * c];
            for (int i = 0; i < r; i++)
                for (int j = 0; j < c; j++) expected[j * r + i] = x[i * c + j];
            try (Tensors t = new Tensors()) {
                Tensor xt = t.of(x, r, c), y = t.zeros(c, r);
                forEachIsa(isa -> {
                    NnKernels.transpose2d(xt, y);
                    assertArrayEquals(expected, y.toFloatArray(), "transpose " + r + "x" + c + " " + isa);
                });
            }
        }
    }

    @Test
    void embeddingLookupBackwardAndPositional() throws Exception {
        SplittableRandom rnd = new SplittableRandom(35);
        int v = 50, d = 37, b = 3, tl = 5;
        int[] ids = new int[b * tl];
        for (int i = 0; i < ids.length; i++) ids[i] = rnd.nextInt(v);
        ids[1] = ids[0];  // repeated ids must accumulate
        ids[7] = ids[0];
        ids[2] = v - 1;
        ids[3] = 0;
        float[] table = gaussian(rnd, v * d, 1), dout = gaussian(rnd, ids.length * d, 1), dt0 = gaussian(rnd, v * d, 1);
        float[] pos = gaussian(rnd, 20 * d, 1);
        int offset = 4;
        try (Tensors t = new Tensors()) {
            Tensor tab = t.of(table, v, d), idt = t.ints(ids, b, tl), out = t.zeros(b, tl, d), doutT = t.of(dout, b, tl, d);
            Tensor dtab = t.zeros(v, d), post = t.of(pos, 20, d), dpos = t.zeros(20, d);
            // dL/dtable of L = <dout, lookup(table)>, numerically: the exact scatter-add
            double[] numeric = numericGradient(tv -> {
                double s = 0;
                for (int n = 0; n < ids.length; n++)
                    for (int j = 0; j < d; j++) s += dout[n * d + j] * tv[ids[n] * d + j];
                return s;
            }, toDouble(table), 0.5);
            forEachIsa(isa -> {
                NnKernels.embeddingLookup(tab, idt, out);
                float[] o = out.toFloatArray();
                for (int n = 0; n < ids.length; n++)
                    for (int j = 0; j < d; j++) assertEquals(table[ids[n] * d + j], o[n * d + j], "lookup " + isa);
                dtab.copyFrom(dt0);
                NnKernels.embeddingBackward(doutT, idt, dtab);
                // at most three float additions per element
                assertClose("embeddingBackward " + isa, NnKernelsLayerNormTest.plus(numeric, dt0), dtab.toFloatArray(), 1e-6, 1e-6);
                // positional: x[b, t] += pos[offset + t], exactly one float addition
                NnKernels.addPositional(out, post, offset);
                float[] withPos = out.toFloatArray();
                for (int bi = 0; bi < b; bi++)
                    for (int ti = 0; ti < tl; ti++)
                        for (int j = 0; j < d; j++) {
                            int i = (bi * tl + ti) * d + j;
                            assertEquals(o[i] + pos[(offset + ti) * d + j], withPos[i], "addPositional " + isa);
                        }
                dpos.fill(1f);
                NnKernels.addPositionalBackward(doutT, dpos, offset);
                float[] dp = dpos.toFloatArray();
                for (int p = 0; p < 20; p++)
                    for (int j = 0; j < d; j++) {
                        double expected = 1;
                        if (p >= offset && p < offset + tl)
                            for (int bi = 0; bi < b; bi++) expected += dout[(bi * tl + p - offset) * d + j];
                        assertEquals(expected, dp[p * d + j], 1e-6, "addPositionalBackward " + isa + " at " + p);
                    }
            });
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() throws Exception {
        SplittableRandom rnd = new SplittableRandom(36);
        int v = 300, d = 389, n = 2000;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = rnd.nextInt(v);
        try (Tensors t = new Tensors()) {
            Tensor dout = t.of(gaussian(rnd, n * d, 1), n, d), idt = t.ints(ids, n), dtab = t.zeros(v, d);
            Tensor x = t.of(gaussian(rnd, 3001 * 9, 1), 3001, 9), cols = t.zeros(1501, 27), dx = t.zeros(3001, 9);
            Tensor big = t.of(gaussian(rnd, 1000 * 389, 1), 1000, 389), db = t.zeros(389), tr = t.zeros(389, 1000);
            assertThreadInvariant("embeddingBackward", () -> {
                dtab.fill(0);
                NnKernels.embeddingBackward(dout, idt, dtab);
                return dtab.toFloatArray();
            });
            assertThreadInvariant("im2col/col2im", () -> {
                NnKernels.im2col1d(x, 3, 2, 1, cols);
                NnKernels.col2im1d(cols, 3, 2, 1, dx, false);
                return NnKernelsLayerNormTest.concat(cols.toFloatArray(), dx.toFloatArray());
            });
            assertThreadInvariant("biasGrad/transpose", () -> {
                db.fill(0);
                NnKernels.biasGrad(big, db);
                NnKernels.transpose2d(big, tr);
                return NnKernelsLayerNormTest.concat(db.toFloatArray(), tr.toFloatArray());
            });
            Tensor sum = t.zeros(1000, 389), pos = t.of(gaussian(rnd, 1200 * 389, 1), 1200, 389), lookup = t.zeros(n, d);
            Tensor tab = t.of(gaussian(rnd, v * d, 1), v, d);
            assertThreadInvariant("add/addInto/scaleInto/biasAdd/addPositional/embeddingLookup", () -> {
                NnKernels.add(big, big, sum);
                NnKernels.addInto(sum, big);
                NnKernels.scaleInto(sum, 0.3f);
                NnKernels.biasAdd(sum, db);
                NnKernels.addPositional(sum, pos, 100);
                NnKernels.embeddingLookup(tab, idt, lookup);
                return NnKernelsLayerNormTest.concat(sum.toFloatArray(), lookup.toFloatArray());
            });
        }
    }

    private static float[] toFloat(double[] v) {
        return NnKernelsLayerNormTest.toFloat(v);
    }
}
