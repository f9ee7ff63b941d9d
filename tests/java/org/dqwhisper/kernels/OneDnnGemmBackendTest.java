package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link OneDnnGemmBackend} against plain-Java references: exact integer accumulators for INT8, FP64 for
 * FP32, on awkward shapes (1, odd sizes, tails, Whisper widths). oneDNN's thread count is fixed per
 * process (OpenMP), so thread-count invariance cannot be tested in-process here.
 */
class OneDnnGemmBackendTest {
    /** f32 unit roundoff. */
    private static final double U = 0x1p-24;

    /** (M, K, N): 1, odd sizes and tails around the 16/64-wide blocks, and sampled Whisper widths. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 3, 17}, {3, 17, 31}, {17, 31, 64}, {31, 64, 255}, {64, 255, 3}, {255, 17, 1},
        {3, 255, 64}, {255, 64, 17}, {1, 384, 1536}, {5, 1536, 384}, {17, 512, 1536}, {31, 768, 768}, {1, 1280, 5120},
    };

    private static OneDnnGemmBackend backend;

    @BeforeAll
    static void open() {
        backend = new OneDnnGemmBackend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    // ---- INT8 -----------------------------------------------------------------------------------------

    @Test
    void int8GemmEqualsTheExactAccumulatorTimesScales() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int si = 0; si < SHAPES.length; si++) {
            int[] s = SHAPES[si];
            boolean withBias = si % 2 == 1; // alternate: both plan variants on every kind of shape, half the time
            {
                Int8Case c = Int8Case.random(rnd, s[0], s[1], s[2], withBias);
                if (s[0] > 2) c.zeroRow(1); // an all-zero row has scale 0: its output is exactly the bias
                float[] y = c.runGemm(backend, false);
                for (int i = 0; i < c.m; i++) {
                    for (int j = 0; j < c.n; j++) {
                        double p = (double) c.acc(i, j) * c.aScale[i] * c.wScale[j];
                        double b = withBias ? c.bias[j] : 0;
                        // the s32 accumulator is exact; the epilogue rounds at most 4 times in f32 (s32->f32,
                        // two scale products, +bias), so the error is below 6u of the magnitudes involved
                        // (observed worst 2.4u): an accumulator off by 1 would exceed this unless |acc| > 1e6.
                        double tol = 6 * U * (Math.abs(p) + Math.abs(b));
                        assertNear(p + b, y[i * c.n + j], tol, "int8Gemm", s, i, j);
                    }
                }
            }
        }
    }

    @Test
    void int8GemmWithUnitScalesIsExactlyTheAccumulator() {
        // |acc| <= 127*127*K < 2^24 for K <= 1040: then s32 -> f32 and the unit scales are exact.
        SplittableRandom rnd = new SplittableRandom(12);
        for (int[] s : new int[][] {{1, 1000, 33}, {7, 1000, 33}, {64, 255, 255}, {1, 17, 3}}) {
            Int8Case c = Int8Case.random(rnd, s[0], s[1], s[2], false);
            java.util.Arrays.fill(c.aScale, 1f);
            java.util.Arrays.fill(c.wScale, 1f);
            float[] y = c.runGemm(backend, false);
            for (int i = 0; i < c.m; i++) {
                for (int j = 0; j < c.n; j++) assertEquals((float) c.acc(i, j), y[i * c.n + j], 0f, "acc at " + i + "," + j);
            }
        }
    }

    @Test
    void int8GemmGeluMatchesErfGelu() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int si = 0; si < SHAPES.length; si++) {
            int[] s = SHAPES[si];
            Int8Case c = Int8Case.random(rnd, s[0], s[1], s[2], si % 2 == 0); // GELU with and without bias
            float[] y = c.runGemm(backend, true);
            for (int i = 0; i < c.m; i++) {
                for (int j = 0; j < c.n; j++) {
                    double p = (double) c.acc(i, j) * c.aScale[i] * c.wScale[j];
                    double b = c.bias == null ? 0 : c.bias[j];
                    double pre = p + b;
                    // pre-activation error as above (6u), carried by GELU's slope (|gelu'| <= 1.13), plus
                    // oneDNN's polynomial erf; observed worst total 2.3u, so 16u leaves a wide margin.
                    double tol = 16 * U * (Math.abs(p) + Math.abs(b)) + 1e-30;
                    assertNear(gelu(pre), y[i * c.n + j], tol, "int8Gemm+gelu", s, i, j);
                }
            }
        }
    }

    @Test
    void quantizeRowsIsBitIdenticalToTheConvention() {
        SplittableRandom rnd = new SplittableRandom(14);
        for (int[] mk : new int[][] {{1, 1}, {1, 6}, {3, 17}, {17, 255}, {5, 1536}, {64, 3}}) {
            int m = mk[0];
            int k = mk[1];
            float[] x = randomFloats(rnd, m * k, 3f);
            if (m > 2) java.util.Arrays.fill(x, k, 2 * k, 0f); // all-zero row -> scale 0, q 0
            if (k == 6) x = new float[] {127f, 63.5f, -63.5f, 0.5f, 1.5f, -2.5f}; // ties round half to even
            try (Tensor xt = Tensor.of(x, m, k); Tensor q = Tensor.allocate(DType.S8, m, k); Tensor sc = Tensor.allocate(DType.F32, m)) {
                backend.quantizeRows(xt, q, sc);
                byte[] refQ = new byte[m * k];
                float[] refS = new float[m];
                for (int i = 0; i < m; i++) refS[i] = referenceQuantizeRow(x, i * k, k, refQ);
                assertArrayEquals(refQ, q.toByteArray(), "q for M=" + m + " K=" + k);
                assertArrayEquals(refS, sc.toFloatArray(), 0f, "scales for M=" + m + " K=" + k);
                if (k == 6) assertArrayEquals(new byte[] {127, 64, -64, 0, 2, -2}, q.toByteArray());
            }
        }
    }

    @Test
    void int8LinearIsQuantizeThenInt8GemmAndWithinTheQuantizationBound() {
        SplittableRandom rnd = new SplittableRandom(15);
        for (int[] s : SHAPES) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            float[] x = randomFloats(rnd, m * k, 2f);
            float[] w = randomFloats(rnd, n * k, 0.1f);
            float[] bias = randomFloats(rnd, n, 1f);
            try (Tensor xt = Tensor.of(x, m, k); Tensor wt = Tensor.of(w, n, k); Tensor bt = Tensor.of(bias, n);
                    PackedInt8Weights pw = backend.packInt8(wt); Tensor y = Tensor.allocate(DType.F32, m, n);
                    Tensor q = Tensor.allocate(DType.S8, m, k); Tensor sc = Tensor.allocate(DType.F32, m);
                    Tensor y2 = Tensor.allocate(DType.F32, m, n)) {
                for (boolean gelu : new boolean[] {false, true}) {
                    backend.int8Linear(xt, pw, bt, gelu, y);
                    backend.quantizeRows(xt, q, sc);
                    backend.int8Gemm(q, sc, pw, bt, gelu, y2);
                    assertArrayEquals(y2.toFloatArray(), y.toFloatArray(), 0f, "int8Linear vs quantize+int8Gemm " + shape(s));
                    if (gelu) continue;
                    // vs FP64 x·Wᵀ: |x - sa·qa| <= sa/2 and |w - sw·qw| <= sw/2 per element, so
                    // |Σ x w - sa sw Σ qa qw| <= Σ (sa/2 |w| + sw/2 |x| + sa sw / 4), plus f32 epilogue rounding.
                    float[] yv = y.toFloatArray();
                    float[] sa = sc.toFloatArray();
                    float[] sw = pw.scales();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double exact = bias[j];
                            double bound = 0;
                            for (int t = 0; t < k; t++) {
                                exact += (double) x[i * k + t] * w[j * k + t];
                                bound += sa[i] / 2 * Math.abs(w[j * k + t]) + sw[j] / 2 * Math.abs(x[i * k + t]) + sa[i] * sw[j] / 4;
                            }
                            bound += 1e-5 * (Math.abs(exact) + 1);
                            assertNear(exact, yv[i * n + j], bound, "int8Linear vs fp64", s, i, j);
                        }
                    }
                }
            }
        }
    }

    @Test
    void packInt8FromF32QuantizesEachOutputChannelLikeTheConvention() {
        SplittableRandom rnd = new SplittableRandom(16);
        int n = 31;
        int k = 255;
        float[] w = randomFloats(rnd, n * k, 0.2f);
        java.util.Arrays.fill(w, 3 * k, 4 * k, 0f); // an all-zero output channel
        byte[] refQ = new byte[n * k];
        float[] refS = new float[n];
        for (int j = 0; j < n; j++) refS[j] = referenceQuantizeRow(w, j * k, k, refQ);
        Int8Case c = Int8Case.random(rnd, 17, k, n, true);
        long live = Tensor.liveBytes();
        try (Tensor wt = Tensor.of(w, n, k); PackedInt8Weights fromF32 = backend.packInt8(wt);
                Tensor wq = Tensor.of(refQ, n, k); Tensor ws = Tensor.of(refS, n); PackedInt8Weights fromQ = backend.packInt8(wq, ws)) {
            assertArrayEquals(refS, fromF32.scales(), 0f);
            assertEquals(n, fromF32.n());
            assertEquals(k, fromF32.k());
            assertEquals("onednn", fromF32.backend());
            assertArrayEquals(c.run(backend, fromQ, false), c.run(backend, fromF32, false), 0f);
        }
        assertEquals(live, Tensor.liveBytes(), "packing must free its temporary tensors");
    }

    // ---- FP32 -----------------------------------------------------------------------------------------

    @Test
    void fp32LinearMatchesFp64() {
        SplittableRandom rnd = new SplittableRandom(17);
        for (int[] s : SHAPES) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            float[] x = randomFloats(rnd, m * k, 1f);
            float[] w = randomFloats(rnd, n * k, 1f);
            float[] bias = randomFloats(rnd, n, 1f);
            try (Tensor xt = Tensor.of(x, m, k); Tensor wt = Tensor.of(w, n, k); Tensor bt = Tensor.of(bias, n);
                    PackedFp32Weights pw = backend.packFp32(wt); Tensor y = Tensor.allocate(DType.F32, m, n)) {
                for (int variant = 0; variant < 3; variant++) {
                    boolean withBias = variant >= 1;
                    boolean gelu = variant == 2;
                    backend.fp32Linear(xt, pw, withBias ? bt : null, gelu, y);
                    float[] yv = y.toFloatArray();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double dot = 0;
                            double mag = 0;
                            for (int t = 0; t < k; t++) {
                                double p = (double) x[i * k + t] * w[j * k + t];
                                dot += p;
                                mag += Math.abs(p);
                            }
                            double b = withBias ? bias[j] : 0;
                            // f32 dot product in any summation order: |err| <= (K+1)u Σ|x w| (+u for the bias);
                            // GELU scales it by <= 1.13 and oneDNN's erf adds a few u: 1.2x plus 8u.
                            double tol = (k + 2) * U * (mag + Math.abs(b));
                            double ref = dot + b;
                            if (gelu) {
                                tol = 1.2 * tol + 8 * U * (Math.abs(ref) + 1e-30);
                                ref = gelu(ref);
                            }
                            assertNear(ref, yv[i * n + j], tol, "fp32Linear variant " + variant, s, i, j);
                        }
                    }
                }
            }
        }
    }

    @Test
    void sgemmAllTransposesAndAccumulate() {
        SplittableRandom rnd = new SplittableRandom(18);
        for (int[] s : new int[][] {{1, 1, 1}, {3, 17, 31}, {17, 31, 64}, {64, 255, 3}, {5, 384, 384}, {31, 64, 255}}) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            for (int combo = 0; combo < 8; combo++) {
                boolean ta = (combo & 1) != 0;
                boolean tb = (combo & 2) != 0;
                boolean acc = (combo & 4) != 0;
                float[] a = randomFloats(rnd, m * k, 1f);
                float[] b = randomFloats(rnd, k * n, 1f);
                float[] c0 = randomFloats(rnd, m * n, 1f);
                try (Tensor at = ta ? Tensor.of(a, k, m) : Tensor.of(a, m, k); Tensor bt = tb ? Tensor.of(b, n, k) : Tensor.of(b, k, n);
                        Tensor ct = Tensor.of(c0, m, n)) {
                    backend.sgemm(ta, tb, at, bt, ct, acc);
                    float[] c = ct.toFloatArray();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double sum = acc ? c0[i * n + j] : 0;
                            double mag = Math.abs(sum);
                            for (int t = 0; t < k; t++) {
                                double p = (double) (ta ? a[t * m + i] : a[i * k + t]) * (tb ? b[j * k + t] : b[t * n + j]);
                                sum += p;
                                mag += Math.abs(p);
                            }
                            // (K+1) roundings of the dot product plus one for the accumulate: (K+2)u Σ|terms|
                            assertNear(sum, c[i * n + j], (k + 2) * U * mag, "sgemm ta=" + ta + " tb=" + tb + " acc=" + acc, s, i, j);
                        }
                    }
                }
            }
        }
    }

    @Test
    void sgemmWithEmptyDimensions() {
        try (Tensor a = Tensor.allocate(DType.F32, 3, 0); Tensor b = Tensor.allocate(DType.F32, 0, 2); Tensor c = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2)) {
            backend.sgemm(false, false, a, b, c, true);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.toFloatArray(), 0f, "K=0 accumulate leaves C");
            backend.sgemm(false, false, a, b, c, false);
            assertArrayEquals(new float[6], c.toFloatArray(), 0f, "K=0 overwrite gives 0");
        }
        try (Tensor x = Tensor.allocate(DType.F32, 0, 8); Tensor w = Tensor.allocate(DType.F32, 4, 8); PackedFp32Weights pw = backend.packFp32(w);
                Tensor y = Tensor.allocate(DType.F32, 0, 4)) {
            backend.fp32Linear(x, pw, null, false, y); // M = 0: nothing to do, no error
        }
    }

    // ---- plans, cache, lifetime -----------------------------------------------------------------------

    @Test
    void planCacheIsBoundedAndReusedPlansGiveIdenticalResults() {
        SplittableRandom rnd = new SplittableRandom(19);
        try (OneDnnGemmBackend small = new OneDnnGemmBackend(3)) {
            Int8Case first = Int8Case.random(rnd, 3, 64, 17, true);
            float[] before = first.runGemm(small, true);
            for (int m = 1; m <= 8; m++) Int8Case.random(rnd, m, 64, 17, false).runGemm(small, false);
            assertTrue(small.cachedPlans() <= 3, "cache holds " + small.cachedPlans() + " plans, capacity 3");
            assertArrayEquals(before, first.runGemm(small, true), 0f, "rebuilt plan gives the same bits");
            assertArrayEquals(before, first.runGemm(backend, true), 0f, "another backend instance gives the same bits");
        }
    }

    @Test
    void closedBackendAndWeightsAreRejected() {
        OneDnnGemmBackend b = new OneDnnGemmBackend();
        Int8Case c = Int8Case.random(new SplittableRandom(20), 2, 8, 4, false);
        c.runGemm(b, false);
        assertTrue(b.cachedPlans() > 0);
        b.close();
        assertEquals(0, b.cachedPlans());
        b.close(); // idempotent
        assertThrowsWith(IllegalStateException.class, "closed", () -> c.runGemm(b, false));
        try (Tensor w = Tensor.allocate(DType.F32, 4, 8)) {
            assertThrowsWith(IllegalStateException.class, "closed", () -> b.packFp32(w));
            PackedInt8Weights pw = backend.packInt8(w);
            pw.close();
            pw.close();
            assertThrowsWith(IllegalStateException.class, "closed", pw::scales);
            assertThrowsWith(IllegalStateException.class, "closed", () -> c.run(backend, pw, false));
        }
        assertThrowsWith(IllegalArgumentException.class, "capacity", () -> new OneDnnGemmBackend(1));
    }

    @Test
    void misuseGivesClearExceptions() {
        try (Tensor aq = Tensor.allocate("aq", DType.S8, 3, 8); Tensor aqF = Tensor.allocate("aqF", DType.F32, 3, 8);
                Tensor aq9 = Tensor.allocate("aq9", DType.S8, 3, 9); Tensor sa = Tensor.allocate("sa", DType.F32, 3);
                Tensor sa2 = Tensor.allocate("sa2", DType.F32, 2); Tensor w = Tensor.allocate("w", DType.F32, 4, 8);
                Tensor wq = Tensor.allocate("wq", DType.S8, 4, 8); Tensor bias = Tensor.allocate("bias", DType.F32, 4);
                Tensor bias5 = Tensor.allocate("bias5", DType.F32, 5); Tensor y = Tensor.allocate("y", DType.F32, 3, 4);
                Tensor y5 = Tensor.allocate("y5", DType.F32, 3, 5); Tensor x = Tensor.allocate("x", DType.F32, 3, 8);
                Tensor x3d = Tensor.allocate("x3d", DType.F32, 1, 3, 8); Tensor noW = Tensor.allocate("noW", DType.F32, 0, 8);
                PackedInt8Weights pw = backend.packInt8(w); PackedFp32Weights fw = backend.packFp32(w)) {
            assertThrowsWith(IllegalArgumentException.class, "aq", () -> backend.int8Gemm(aqF, sa, pw, null, false, y));
            assertThrowsWith(IllegalArgumentException.class, "K = 9", () -> backend.int8Gemm(aq9, sa, pw, null, false, y));
            assertThrowsWith(IllegalArgumentException.class, "aScale", () -> backend.int8Gemm(aq, sa2, pw, null, false, y));
            assertThrowsWith(IllegalArgumentException.class, "bias", () -> backend.int8Gemm(aq, sa, pw, bias5, false, y));
            assertThrowsWith(IllegalArgumentException.class, "y: expected F32 [3, 4]", () -> backend.int8Gemm(aq, sa, pw, bias, false, y5));
            assertThrowsWith(IllegalArgumentException.class, "weights are null", () -> backend.int8Gemm(aq, sa, null, null, false, y));
            assertThrowsWith(IllegalArgumentException.class, "null", () -> backend.int8Gemm(null, sa, pw, null, false, y));
            assertThrowsWith(IllegalArgumentException.class, "packed by backend 'native'",
                    () -> backend.int8Gemm(aq, sa, new ForeignInt8Weights(), null, false, y));
            assertThrowsWith(IllegalArgumentException.class, "overlaps", () -> backend.int8Linear(x, pw, null, false, x.reshape(6, 4).rows(0, 3)));
            assertThrowsWith(IllegalArgumentException.class, "x: expected a F32 matrix", () -> backend.int8Linear(x3d, pw, null, false, y));
            assertThrowsWith(IllegalArgumentException.class, "bias: expected", () -> backend.fp32Linear(x, fw, bias5, false, y));
            assertThrowsWith(IllegalArgumentException.class, "scales[1]", () -> {
                try (Tensor bad = Tensor.of(new float[] {1f, -1f, 1f, 1f}, 4)) {
                    backend.packInt8(wq, bad);
                }
            });
            assertThrowsWith(IllegalArgumentException.class, "scales[0]", () -> {
                try (Tensor bad = Tensor.of(new float[] {Float.NaN, 1f, 1f, 1f}, 4)) {
                    backend.packInt8(wq, bad);
                }
            });
            assertThrowsWith(IllegalArgumentException.class, "scales", () -> backend.packInt8(wq, sa));
            assertThrowsWith(IllegalArgumentException.class, "wq", () -> backend.packInt8(w, bias));
            assertThrowsWith(IllegalArgumentException.class, "N = 0", () -> backend.packFp32(noW));
            assertThrowsWith(IllegalArgumentException.class, "inner dimensions", () -> backend.sgemm(false, false, x, x, y, false));
            assertThrowsWith(IllegalArgumentException.class, "c: expected F32 [3, 4]", () -> backend.sgemm(false, true, x, w, y5, false));
            Tensor closed = Tensor.allocate("gone", DType.F32, 3, 8);
            closed.close();
            assertThrowsWith(IllegalStateException.class, "closed", () -> backend.int8Linear(closed, pw, null, false, y));
        }
    }

    // ---- references and helpers -----------------------------------------------------------------------

    /** S8 operands with scales, an exact reference accumulator, and a runner. */
    private static final class Int8Case {
        final int m;
        final int k;
        final int n;
        final byte[] a;
        final byte[] w;
        final float[] aScale;
        final float[] wScale;
        final float[] bias;

        private Int8Case(int m, int k, int n, byte[] a, byte[] w, float[] aScale, float[] wScale, float[] bias) {
            this.m = m;
            this.k = k;
            this.n = n;
            this.a = a;
            this.w = w;
            this.aScale = aScale;
            this.wScale = wScale;
            this.bias = bias;
        }

        static Int8Case random(SplittableRandom rnd, int m, int k, int n, boolean withBias) {
            byte[] a = new byte[m * k];
            byte[] w = new byte[n * k];
            for (int i = 0; i < a.length; i++) a[i] = (byte) rnd.nextInt(-127, 128);
            for (int i = 0; i < w.length; i++) w[i] = (byte) rnd.nextInt(-127, 128);
            float[] sa = new float[m];
            float[] sw = new float[n];
            // scales sized so outputs are O(1): |acc| ~ 127^2/3 sqrt(K)
            for (int i = 0; i < m; i++) sa[i] = (float) (rnd.nextDouble(0.2, 1.0) / (127 * Math.sqrt(k)));
            for (int j = 0; j < n; j++) sw[j] = (float) rnd.nextDouble(0.2, 1.0) / 127f;
            return new Int8Case(m, k, n, a, w, sa, sw, withBias ? randomFloats(rnd, n, 1f) : null);
        }

        void zeroRow(int i) {
            java.util.Arrays.fill(a, i * k, (i + 1) * k, (byte) 0);
            aScale[i] = 0f;
        }

        long acc(int i, int j) {
            long s = 0;
            for (int t = 0; t < k; t++) s += a[i * k + t] * w[j * k + t];
            return s;
        }

        float[] runGemm(OneDnnGemmBackend be, boolean gelu) {
            try (Tensor wq = Tensor.of(w, n, k); Tensor ws = Tensor.of(wScale, n); PackedInt8Weights pw = be.packInt8(wq, ws)) {
                return run(be, pw, gelu);
            }
        }

        float[] run(OneDnnGemmBackend be, PackedInt8Weights pw, boolean gelu) {
            try (Tensor at = Tensor.of(a, m, k); Tensor st = Tensor.of(aScale, m); Tensor y = Tensor.allocate(DType.F32, m, n);
                    Tensor bt = bias == null ? null : Tensor.of(bias, n)) {
                be.int8Gemm(at, st, pw, bt, gelu, y);
                return y.toFloatArray();
            }
        }
    }

    /** Weights from some other backend: a type oneDNN must refuse. */
    private static final class ForeignInt8Weights implements PackedInt8Weights {
        @Override
        public int n() {
            return 4;
        }

        @Override
        public int k() {
            return 8;
        }

        @Override
        public String backend() {
            return "native";
        }

        @Override
        public float[] scales() {
            return new float[4];
        }

        @Override
        public void close() {}
    }

    /** The convention, written independently of the code under test; returns the scale. */
    private static float referenceQuantizeRow(float[] x, int off, int len, byte[] q) {
        float amax = 0f;
        for (int i = 0; i < len; i++) amax = Math.max(amax, Math.abs(x[off + i]));
        if (amax == 0f) return 0f; // q stays 0
        float inv = 127f / amax;
        for (int i = 0; i < len; i++) {
            long r = Math.round(Math.rint(x[off + i] * inv));
            q[off + i] = (byte) Math.max(-127, Math.min(127, r));
        }
        return amax / 127f;
    }

    /** Exact-erf GELU in FP64. */
    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf to ~1e-15: Taylor series below 2.5, the erfc continued fraction (80 terms) above. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            double x2 = ax * ax;
            double term = ax;
            double sum = ax;
            for (int i = 1; i < 200; i++) {
                term *= -x2 / i;
                double t = term / (2 * i + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double cf = 0;
            for (int i = 80; i >= 1; i--) cf = (i / 2.0) / (ax + cf);
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + cf);
        }
        return x < 0 ? -r : r;
    }

    @Test
    void erfReferenceMatchesKnownValues() {
        // values from Abramowitz & Stegun table 7.1 / high-precision tables
        assertEquals(0.5204998778130465, erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, erf(1.0), 1e-15);
        assertEquals(0.9953222650189527, erf(2.0), 1e-15);
        assertEquals(0.9995930479825550, erf(2.5), 1e-15);
        assertEquals(0.9999779095030014, erf(3.0), 1e-15);
        assertEquals(-0.9999999845827421, erf(-4.0), 1e-15);
    }

    private static float[] randomFloats(SplittableRandom rnd, int len, float range) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = (float) rnd.nextDouble(-range, range);
        return v;
    }

    private static String shape(int[] s) {
        return "M=" + s[0] + " K=" + s[1] + " N=" + s[2];
    }

    private static void assertNear(double expected, float actual, double tol, String what, int[] s, int i, int j) {
        if (!(Math.abs(expected - actual) <= tol)) {
            throw new AssertionError(what + " " + shape(s) + " at [" + i + ", " + j + "]: expected " + expected + ", got "
                    + actual + " (error " + Math.abs(expected - actual) + " > tolerance " + tol + ")");
        }
    }

    private static void assertThrowsWith(Class<? extends Throwable> type, String fragment, Executable call) {
        Throwable t = assertThrows(type, call);
        assertTrue(t.getMessage() != null && t.getMessage().contains(fragment),
                "message should mention '" + fragment + "': " + t.getMessage());
    }
}
