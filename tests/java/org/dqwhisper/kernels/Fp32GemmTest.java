package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The native FP32 GEMM against a plain-Java FP64 reference on every ISA path up to the detected one.
 *
 * <p>Tolerance (real-valued operands): every element is an FP32 sum of K products plus the start
 * value of C and the bias, so by the standard recursive-summation bound its error is at most
 * {@code (K+3)·u·S} with {@code u = 2^-24} and {@code S = Σ|a·b| + |c0| + |bias|} (K-1 additions,
 * one rounding per product on the non-FMA scalar path, the C start and the bias add). GELU has
 * slope at most 1.13, so that error grows by 1.13, plus the GELU evaluation itself: 1e-6 relative
 * (the vectorized erfc of the AVX2 path measures up to 4.4e-7, the AVX-512 path's INT8-epilogue GELU
 * 3.8e-7, the scalar path rounds a double once). This bound holds for
 * any summation order, so it cannot catch a dropped term at large K; {@link
 * #smallIntegerOperandsGiveExactResults} does: with small-integer operands every partial sum is
 * exact in FP32, so the result must equal the exact integer sum bit for bit.
 */
class Fp32GemmTest {
    private static final double U = Math.ulp(1.0f) / 2; // 2^-24
    private static final int[] SMALL = {1, 3, 17, 31, 64, 255, 1500};
    private static final int[] WIDE = {384, 512, 768, 1024, 1280, 1536, 2048, 3072, 4096, 5120};

    // ---- reference ---------------------------------------------------------------------------------

    /** Logical operands op(A) [m,k], op(B) [k,n], start C [m,n], bias [n], and the FP64 sums. */
    private static final class Case {
        final int m, n, k;
        final float[] a, b, c0, bias;
        final double[] dot, mag;
        final java.util.Map<Integer, double[][]> expected = new java.util.HashMap<>();

        Case(int m, int n, int k, float[] a, float[] b, float[] c0, float[] bias) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.a = a;
            this.b = b;
            this.c0 = c0;
            this.bias = bias;
            dot = new double[m * n];
            mag = new double[m * n];
            double[] row = new double[n], rowMag = new double[n];
            for (int i = 0; i < m; i++) {
                Arrays.fill(row, 0);
                Arrays.fill(rowMag, 0);
                for (int kk = 0; kk < k; kk++) {
                    double av = a[i * k + kk];
                    for (int j = 0; j < n; j++) {
                        double p = av * b[kk * n + j];
                        row[j] += p;
                        rowMag[j] += Math.abs(p);
                    }
                }
                System.arraycopy(row, 0, dot, i * n, n);
                System.arraycopy(rowMag, 0, mag, i * n, n);
            }
        }

        static Case random(int m, int n, int k, Random rnd) {
            return new Case(m, n, k, uniform(m * k, rnd), uniform(k * n, rnd), uniform(m * n, rnd), uniform(n, rnd));
        }

        /** The operand as stored: [rows, cols] row-major, transposed from the logical layout if asked. */
        Tensor stored(float[] logical, int rows, int cols, boolean transposed) {
            return transposed ? Tensor.of(transpose(logical, rows, cols), cols, rows) : Tensor.of(logical, rows, cols);
        }
    }

    static float[] uniform(int len, Random rnd) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = rnd.nextFloat() * 2 - 1;
        return v;
    }

    static float[] transpose(float[] x, int rows, int cols) {
        float[] t = new float[x.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }

    /** erfc in double: Taylor series of erf below 2.5, a continued fraction above (checked below). */
    static double erfc(double z) {
        if (Double.isNaN(z)) return z;
        if (z < 0) return 2 - erfc(-z);
        if (z < 2.5) {
            double sum = 0, term = z;
            for (int i = 0; i < 200; i++) {
                double add = term / (2 * i + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
                term *= -z * z / (i + 1);
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        double t = z; // erfc(z) = e^(-z²)/√π / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))
        for (int i = 60; i >= 1; i--) t = z + (i / 2.0) / t; // 40 terms already converge at z = 2.5
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / t;
    }

    static double gelu(double x) {
        return 0.5 * x * erfc(-x / Math.sqrt(2));
    }

    /** Reference values and tolerances of one epilogue variant (index acc | bias << 1 | gelu << 2). */
    private static double[][] expected(Case cs, int variant) {
        return cs.expected.computeIfAbsent(variant, v -> {
            boolean acc = (v & 1) != 0, withBias = (v & 2) != 0, gelu = (v & 4) != 0;
            double[] ref = new double[cs.m * cs.n], tol = new double[ref.length];
            for (int e = 0; e < ref.length; e++) {
                int j = e % cs.n;
                double x = cs.dot[e] + (acc ? cs.c0[e] : 0) + (withBias ? cs.bias[j] : 0);
                double s = cs.mag[e] + (acc ? Math.abs(cs.c0[e]) : 0) + (withBias ? Math.abs(cs.bias[j]) : 0);
                tol[e] = (cs.k + 3) * U * s;
                ref[e] = x;
                if (gelu) {
                    ref[e] = gelu(x);
                    tol[e] = 1.13 * tol[e] + 1e-6 * Math.abs(ref[e]) + 1e-30;
                }
            }
            return new double[][] {ref, tol};
        });
    }

    /** Runs every epilogue variant for one transpose combination and checks each element against its bound. */
    private static void runAndCheck(Case cs, boolean ta, boolean tb, String where) {
        try (Tensor a = cs.stored(cs.a, cs.m, cs.k, ta);
             Tensor b = cs.stored(cs.b, cs.k, cs.n, tb);
             Tensor c = Tensor.allocate(DType.F32, cs.m, cs.n);
             Tensor bias = Tensor.of(cs.bias, cs.n)) {
            for (int variant = 0; variant < 8; variant++) {
                boolean acc = (variant & 1) != 0, withBias = (variant & 2) != 0, gelu = (variant & 4) != 0;
                double[][] want = expected(cs, variant);
                c.copyFrom(cs.c0);
                Fp32Gemm.sgemm(ta, tb, a, b, c, acc, withBias ? bias : null, gelu);
                float[] got = c.toFloatArray();
                for (int e = 0; e < got.length; e++) {
                    double err = Math.abs(got[e] - want[0][e]);
                    if (!(err <= want[1][e])) {
                        fail(where + String.format(" m=%d n=%d k=%d transA=%b transB=%b acc=%b bias=%b gelu=%b: element (%d,%d) = %s, want %s (tol %.3g)",
                                cs.m, cs.n, cs.k, ta, tb, acc, withBias, gelu, e / cs.n, e % cs.n, got[e], want[0][e], want[1][e]));
                    }
                }
            }
        }
    }

    static List<Isa> paths() {
        List<Isa> out = new ArrayList<>();
        for (Isa isa : Isa.values()) if (isa.level() <= CpuRuntime.detectedIsa().level()) out.add(isa);
        return out;
    }

    interface PathBody {
        void run(Isa isa) throws Exception;
    }

    static void onEveryPath(PathBody body) throws Exception {
        try {
            for (Isa isa : paths()) {
                CpuRuntime.forceIsa(isa);
                body.run(isa);
            }
        } finally {
            CpuRuntime.forceIsa(null);
        }
    }

    /** Fixed awkward shapes plus seeded samples of {SMALL ∪ WIDE}³ under a work budget. */
    static List<int[]> sampledShapes() {
        List<int[]> shapes = new ArrayList<>(List.of(
                new int[] {1, 1, 1}, new int[] {3, 17, 31}, new int[] {17, 31, 3}, new int[] {31, 3, 17},
                new int[] {1500, 17, 384}, new int[] {1, 5120, 1280}, new int[] {5, 1536, 384},
                new int[] {64, 255, 1500}, new int[] {255, 64, 31}, new int[] {17, 31, 5120}));
        Random rnd = new Random(20261127);
        int[] all = new int[SMALL.length + WIDE.length];
        System.arraycopy(SMALL, 0, all, 0, SMALL.length);
        System.arraycopy(WIDE, 0, all, SMALL.length, WIDE.length);
        while (shapes.size() < 18) {
            int m = SMALL[rnd.nextInt(SMALL.length)], n = all[rnd.nextInt(all.length)], k = all[rnd.nextInt(all.length)];
            if ((long) m * n * k <= 6_000_000L) shapes.add(new int[] {m, n, k});
        }
        return shapes;
    }

    // ---- tests --------------------------------------------------------------------------------------

    @Test
    void matchesFp64ReferenceOnEveryPathAndTransposeCombination() throws Exception {
        Random rnd = new Random(7);
        List<Case> cases = new ArrayList<>();
        for (int[] s : sampledShapes()) cases.add(Case.random(s[0], s[1], s[2], rnd));
        onEveryPath(isa -> {
            for (Case cs : cases) {
                for (int combo = 0; combo < 4; combo++) {
                    boolean ta = (combo & 1) != 0, tb = (combo & 2) != 0;
                    runAndCheck(cs, ta, tb, isa.toString());
                }
            }
        });
    }

    @Test
    void smallIntegerOperandsGiveExactResults() throws Exception {
        // |a|,|b| <= 4, some of them multiples of 1/8: products and all partial sums (multiples of 1/64
        // below 2^24/64 in magnitude) are exact in FP32, so the result must equal the exact sum, and
        // any dropped, repeated or misplaced term shows up as a difference.
        Random rnd = new Random(11);
        int[][] shapes = {{31, 17, 12000}, {1500, 33, 770}, {3, 64, 5120}, {16, 2, 1025}, {1, 100, 3000}};
        List<float[][]> data = new ArrayList<>();
        List<double[]> exact = new ArrayList<>();
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            float[][] d = {smallInts(m * k, rnd), smallInts(k * n, rnd), smallInts(m * n, rnd), smallInts(n, rnd)};
            double[] sum = new double[m * n];
            for (int i = 0; i < m; i++)
                for (int kk = 0; kk < k; kk++)
                    for (int j = 0; j < n; j++) sum[i * n + j] += (double) d[0][i * k + kk] * d[1][kk * n + j];
            data.add(d);
            exact.add(sum);
        }
        onEveryPath(isa -> {
            for (int si = 0; si < shapes.length; si++) {
                int m = shapes[si][0], n = shapes[si][1], k = shapes[si][2];
                float[] a = data.get(si)[0], b = data.get(si)[1], c0 = data.get(si)[2], bias = data.get(si)[3];
                for (int combo = 0; combo < 4; combo++) {
                    boolean ta = (combo & 1) != 0, tb = (combo & 2) != 0, acc = combo != 1;
                    try (Tensor at = ta ? Tensor.of(transpose(a, m, k), k, m) : Tensor.of(a, m, k);
                         Tensor bt = tb ? Tensor.of(transpose(b, k, n), n, k) : Tensor.of(b, k, n);
                         Tensor c = Tensor.of(c0, m, n);
                         Tensor bi = Tensor.of(bias, n)) {
                        Fp32Gemm.sgemm(ta, tb, at, bt, c, acc, bi, false);
                        float[] got = c.toFloatArray();
                        for (int e = 0; e < got.length; e++) {
                            double want = exact.get(si)[e] + (acc ? c0[e] : 0) + bias[e % n];
                            if (got[e] != (float) want) {
                                fail(isa + " m=" + m + " n=" + n + " k=" + k + " combo=" + combo + " at (" + e / n + ","
                                        + e % n + "): got " + got[e] + ", exact " + want);
                            }
                        }
                    }
                }
            }
        });
    }

    static float[] smallInts(int len, Random rnd) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = (rnd.nextInt(9) - 4) * (rnd.nextInt(4) == 0 ? 0.125f : 1f);
        return v;
    }

    @Test
    void referenceErfcIsAccurate() {
        // mpmath, 25 digits
        double[][] known = {{0.5, 0.47950012218695346232}, {1, 0.15729920705028513066}, {2.5, 4.0695201744495893956e-4},
                {3, 2.2090496998585441373e-5}, {5, 1.5374597944280348502e-12}, {8, 1.122429717298292708e-29}};
        for (double[] kv : known) assertEquals(kv[1], erfc(kv[0]), 1e-13 * kv[1], "erfc(" + kv[0] + ")");
        assertEquals(2 - known[1][1], erfc(-1), 1e-15);
    }

    @Test
    void geluMatchesExactErfFormOverTheWholeRange() throws Exception {
        // C[1,N] = gelu(1 · x) with K=1: the epilogue alone, on a dense grid of x in [-15, 15] plus
        // special values. 1e-6 relative (measured up to 4.4e-7), or an absolute bound in the deep negative
        // tail where a path flushes to 0: 1e-37 (AVX2: 0 past x = -13, |GELU(-13)| = 8e-38); AVX-512 runs
        // the INT8 epilogue's GELU, 0 past x = -8.75 sqrt2 = -12.374369 where |GELU| < 2.3e-34, so 2.5e-34.
        int n = 30011;
        float[] x = new float[n];
        for (int i = 0; i < n - 6; i++) x[i] = -15f + 30f * i / (n - 7);
        float[] special = {0f, -0f, 1e-30f, -1e-30f, Float.MIN_NORMAL, -13.0001f};
        System.arraycopy(special, 0, x, n - 6, 6);
        onEveryPath(isa -> {
            try (Tensor one = Tensor.of(new float[] {1f}, 1, 1); Tensor b = Tensor.of(x, 1, n); Tensor c = Tensor.allocate(DType.F32, 1, n)) {
                Fp32Gemm.sgemm(false, false, one, b, c, false, null, true);
                float[] got = c.toFloatArray();
                for (int i = 0; i < n; i++) {
                    double ref = gelu(x[i]);
                    double flushed = isa == Isa.AVX512 ? 2.5e-34 : 1e-37;
                    assertEquals(ref, got[i], Math.max(1e-6 * Math.abs(ref), flushed), isa + " gelu(" + x[i] + ")");
                }
            }
            try (Tensor one = Tensor.of(new float[] {1f}, 1, 1);
                 Tensor b = Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 20f}, 1, 4);
                 Tensor c = Tensor.allocate(DType.F32, 1, 4)) {
                Fp32Gemm.sgemm(false, false, one, b, c, false, null, true);
                float[] got = c.toFloatArray();
                assertTrue(Float.isNaN(got[0]), isa + " gelu(NaN)");
                assertEquals(Float.POSITIVE_INFINITY, got[1], isa + " gelu(+inf)");
                assertEquals(0f, got[2], 0f, isa + " gelu(-inf)");
                assertEquals(20f, got[3], 0f, isa + " gelu(20)");
            }
        });
    }

    @Test
    void avx512GeluIsTheInt8EpiloguesGeluBitForBit() throws Exception {
        // The AVX-512 epilogue evaluates the INT8 epilogue's GELU operation by operation over every
        // float, so a fake-quantized FP32 forward applies exactly the integer kernels' function. Dense
        // grid over [-20, 20] (table range |x| <= 6.1, the exp/erfcx tail down to -12.374369, and the
        // x / 0 beyond, in vectors that mix them), tiny values, the range ends and non-finite values.
        org.junit.jupiter.api.Assumptions.assumeTrue(CpuRuntime.detectedIsa() == Isa.AVX512, "needs AVX-512");
        float[] special = {0f, -0f, 1e-19f, -3e-12f, 6.1f, -6.1f, Math.nextUp(6.1f), -Math.nextUp(6.1f), 12.374369f, -12.374369f,
                           -Math.nextUp(12.374369f), Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
                           -Float.MAX_VALUE};
        int grid = 40011;
        int n = grid + special.length;
        float[] x = new float[n];
        for (int i = 0; i < grid; i++) x[i] = -20f + 40f * i / (grid - 1);
        System.arraycopy(special, 0, x, grid, special.length);
        // the INT8 GELU is applied to the GEMM's own pre-activation 1·x (0 + 1·(-0) is +0, not -0)
        try (Tensor one = Tensor.of(new float[] {1f}, 1, 1); Tensor b = Tensor.of(x, 1, n); Tensor c = Tensor.allocate(DType.F32, 1, n);
             Tensor pre = Tensor.allocate(DType.F32, 1, n); Tensor y = Tensor.allocate(DType.F32, 1, n)) {
            CpuRuntime.forceIsa(Isa.AVX512);
            Fp32Gemm.sgemm(false, false, one, b, pre, false, null, false);
            Fp32Gemm.sgemm(false, false, one, b, c, false, null, true);
            Int8Gemm.gelu(pre, y);
            assertArrayEquals(y.toFloatArray(), c.toFloatArray());
        } finally {
            CpuRuntime.forceIsa(null);
        }
    }

    @Test
    void linearOnPackedWeightsEqualsSgemmBitForBit() throws Exception {
        Random rnd = new Random(3);
        // k = 1536 and 4500: the packed weights run in 1 and 3 k blocks (up to 2048 steps), sgemm packs
        // B in 2 and 6 blocks (up to 768): different blockings, the same sums in the same order
        int[][] shapes = {{1500, 100, 400}, {5, 384, 1536}, {1, 1280, 64}, {37, 45, 800}, {2, 3, 1}, {19, 70, 4500}};
        onEveryPath(isa -> {
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                try (Tensor x = Tensor.of(uniform(m * k, rnd), m, k);
                     Tensor w = Tensor.of(uniform(n * k, rnd), n, k);
                     Tensor bias = Tensor.of(uniform(n, rnd), n);
                     Tensor y1 = Tensor.allocate(DType.F32, m, n);
                     Tensor y2 = Tensor.allocate(DType.F32, m, n);
                     NativeFp32Weights pw = NativeFp32Weights.pack(w)) {
                    assertEquals(n, pw.n());
                    assertEquals(k, pw.k());
                    assertEquals("native", pw.backend());
                    for (int epi = 0; epi < 4; epi++) {
                        Tensor bi = (epi & 1) != 0 ? bias : null;
                        boolean g = (epi & 2) != 0;
                        Fp32Gemm.linear(x, pw, bi, g, y1);
                        Fp32Gemm.sgemm(false, true, x, w, y2, false, bi, g);
                        assertArrayEquals(y2.toFloatArray(), y1.toFloatArray(), isa + " " + Arrays.toString(s) + " epi=" + epi);
                    }
                }
            }
        });
    }

    @Test
    void packIsTheSameLayoutForEveryPath() throws Exception {
        Random rnd = new Random(5);
        int m = 29, n = 70, k = 300;
        try (Tensor x = Tensor.of(uniform(m * k, rnd), m, k); Tensor w = Tensor.of(uniform(n * k, rnd), n, k);
             Tensor y1 = Tensor.allocate(DType.F32, m, n); Tensor y2 = Tensor.allocate(DType.F32, m, n)) {
            List<NativeFp32Weights> packs = new ArrayList<>();
            try {
                onEveryPath(isa -> packs.add(NativeFp32Weights.pack(w)));   // one pack made under each path
                onEveryPath(isa -> {
                    Fp32Gemm.sgemm(false, true, x, w, y1, false);
                    for (NativeFp32Weights pw : packs) {
                        Fp32Gemm.linear(x, pw, null, false, y2);
                        assertArrayEquals(y1.toFloatArray(), y2.toFloatArray(), isa + " with a pack made on another path");
                    }
                });
            } finally {
                packs.forEach(NativeFp32Weights::close);
            }
        }
    }

    @Test
    void resultsAreBitIdenticalFor1To3Threads() throws Exception {
        Random rnd = new Random(9);
        // {m, n, k}; the last two are above dqw::kMinParallelWork (m·n·k-block >= 2^23), so M=1 and M=5 really split
        // over threads; the small ones run on the calling thread
        int[][] shapes = {{1500, 200, 800}, {5, 1536, 384}, {1, 700, 1000}, {64, 100, 50}, {1, 11000, 768}, {5, 4000, 768}};
        List<float[][]> data = new ArrayList<>();
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            data.add(new float[][] {uniform(m * k, rnd), uniform(k * n, rnd), uniform(m * n, rnd), uniform(n, rnd)});
        }
        int before = CpuRuntime.threads();
        try {
            onEveryPath(isa -> {
                for (int si = 0; si < shapes.length; si++) {
                    int m = shapes[si][0], n = shapes[si][1], k = shapes[si][2];
                    float[][] d = data.get(si);
                    for (int combo = 0; combo < 4; combo++) {
                        boolean ta = (combo & 1) != 0, tb = (combo & 2) != 0;
                        try (Tensor a = ta ? Tensor.of(transpose(d[0], m, k), k, m) : Tensor.of(d[0], m, k);
                             Tensor b = tb ? Tensor.of(transpose(d[1], k, n), n, k) : Tensor.of(d[1], k, n);
                             Tensor c = Tensor.allocate(DType.F32, m, n); Tensor bias = Tensor.of(d[3], n)) {
                            float[] first = null;
                            for (int threads = 1; threads <= 3; threads++) {
                                CpuRuntime.setThreads(threads);
                                c.copyFrom(d[2]);
                                Fp32Gemm.sgemm(ta, tb, a, b, c, true, bias, true);
                                float[] got = c.toFloatArray();
                                if (first == null) first = got;
                                else assertArrayEquals(first, got, isa + " " + Arrays.toString(shapes[si]) + " combo " + combo + " threads " + threads);
                            }
                        }
                    }
                }
            });
        } finally {
            CpuRuntime.setThreads(before);
        }
    }

    @Test
    void emptyKAppliesTheEpilogueToTheStartValue() throws Exception {
        onEveryPath(isa -> {
            try (Tensor a = Tensor.allocate(DType.F32, 2, 0); Tensor b = Tensor.allocate(DType.F32, 0, 3);
                 Tensor c = Tensor.of(new float[] {1, -2, 3, 4, -5, 6}, 2, 3); Tensor bias = Tensor.of(new float[] {0.5f, 0.25f, -1f}, 3)) {
                Fp32Gemm.sgemm(false, false, a, b, c, true, bias, false);
                assertArrayEquals(new float[] {1.5f, -1.75f, 2f, 4.5f, -4.75f, 5f}, c.toFloatArray(), isa.toString());
                Fp32Gemm.sgemm(false, false, a, b, c, false, bias, false);
                assertArrayEquals(new float[] {0.5f, 0.25f, -1f, 0.5f, 0.25f, -1f}, c.toFloatArray(), isa.toString());
                Fp32Gemm.sgemm(false, false, a, b, c, false);
                assertArrayEquals(new float[6], c.toFloatArray(), isa.toString());
            }
        });
    }

    @Test
    void leadingDimensionsAreFlattened() {
        Random rnd = new Random(13);
        int batch = 2, t = 7, k = 40, n = 33;
        float[] xs = uniform(batch * t * k, rnd), ws = uniform(n * k, rnd);
        try (Tensor x3 = Tensor.of(xs, batch, t, k); Tensor x2 = Tensor.of(xs, batch * t, k); Tensor w = Tensor.of(ws, n, k);
             Tensor y3 = Tensor.allocate(DType.F32, batch, t, n); Tensor y2 = Tensor.allocate(DType.F32, batch * t, n);
             Tensor dw = Tensor.allocate(DType.F32, n, k); NativeFp32Weights pw = NativeFp32Weights.pack(w)) {
            Fp32Gemm.linear(x3, pw, null, true, y3);
            Fp32Gemm.sgemm(false, true, x2, w, y2, false, null, true);
            assertArrayEquals(y2.toFloatArray(), y3.toFloatArray());
            // dW[n,k] = dYᵀ·X with dY [B,T,N] and X [B,T,K]: the flattened B·T rows are the reduction
            Fp32Gemm.sgemm(true, false, y3, x3, dw, false);
            Case ref = new Case(n, k, batch * t, transpose(y3.toFloatArray(), batch * t, n), xs, new float[n * k], new float[k]);
            float[] got = dw.toFloatArray();
            for (int e = 0; e < got.length; e++) assertEquals(ref.dot[e], got[e], (batch * t + 3) * U * ref.mag[e]);
        }
    }

    @Test
    void misuseGivesClearExceptions() {
        try (Tensor a = Tensor.of(new float[6], 2, 3); Tensor b = Tensor.of(new float[12], 3, 4); Tensor c = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);
             Tensor bad = Tensor.of(new float[8], 4, 2); Tensor s8 = Tensor.allocate(DType.S8, 2, 3); Tensor vec = Tensor.of(new float[3], 3);
             Tensor bias5 = Tensor.of(new float[5], 5); Tensor w = Tensor.of(new float[12], 4, 3); NativeFp32Weights pw = NativeFp32Weights.pack(w)) {
            assertMessage(IllegalArgumentException.class, "inner dimensions", () -> Fp32Gemm.sgemm(false, false, a, bad, c, false));
            assertMessage(IllegalArgumentException.class, "must be [M,N] = [2,4]", () -> Fp32Gemm.sgemm(false, false, a, b, bad, false));
            assertMessage(IllegalArgumentException.class, "expected dtype F32", () -> Fp32Gemm.sgemm(false, false, s8, b, c, false));
            assertMessage(IllegalArgumentException.class, "expected rank >= 2", () -> Fp32Gemm.sgemm(false, false, vec, b, c, false));
            assertMessage(IllegalArgumentException.class, "tensor A is null", () -> Fp32Gemm.sgemm(false, false, null, b, c, false));
            assertMessage(IllegalArgumentException.class, "must be [4]", () -> Fp32Gemm.sgemm(false, false, a, b, c, false, bias5, false));
            try (Tensor sq = Tensor.of(new float[4], 2, 2); Tensor sq2 = Tensor.of(new float[4], 2, 2)) {
                assertMessage(IllegalArgumentException.class, "overlaps input A", () -> Fp32Gemm.sgemm(false, false, sq, sq2, sq, false));
                assertMessage(IllegalArgumentException.class, "overlaps input B", () -> Fp32Gemm.sgemm(false, false, sq2, sq, sq.reshape(4, 1).reshape(2, 2), false));
            }
            assertMessage(IllegalArgumentException.class, "inner dimensions", () -> Fp32Gemm.sgemm(true, false, a, b, c, false));
            assertMessage(IllegalArgumentException.class, "has 4 features", () -> Fp32Gemm.linear(c, pw, null, false, c));
            assertMessage(IllegalArgumentException.class, "must be [2,4]", () -> Fp32Gemm.linear(a, pw, null, false, bad));
            assertMessage(IllegalArgumentException.class, "weights are null", () -> Fp32Gemm.linear(a, null, null, false, c));
            assertMessage(IllegalArgumentException.class, "rank 2", () -> NativeFp32Weights.pack(Tensor.allocate(DType.F32, 2, 2, 2)));
            assertMessage(IllegalArgumentException.class, "is null", () -> NativeFp32Weights.pack(null));
            assertMessage(IllegalArgumentException.class, "expected dtype F32", () -> NativeFp32Weights.pack(s8));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, c.toFloatArray(), "rejected calls leave C untouched");

            Tensor closed = Tensor.of(new float[6], 2, 3);
            closed.close();
            assertMessage(IllegalStateException.class, "closed", () -> Fp32Gemm.sgemm(false, false, closed, b, c, false));
            assertMessage(IllegalStateException.class, "closed", () -> Fp32Gemm.linear(closed, pw, null, false, c));
            pw.close();
            assertTrue(pw.isClosed());
            assertMessage(IllegalStateException.class, "closed", () -> Fp32Gemm.linear(a, pw, null, false, c));
        }
    }

    static <T extends Throwable> void assertMessage(Class<T> type, String fragment, org.junit.jupiter.api.function.Executable call) {
        T e = assertThrows(type, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should contain '" + fragment + "'");
    }
}
