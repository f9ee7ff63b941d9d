package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The native INT8 GEMM against independent Java references, on every ISA path this CPU has:
 * s32 accumulators exact, f32 epilogue within a derived FP64 tolerance, row quantization bit-exact,
 * the fused Linear equal to quantize + GEMM, and bit-identical results across paths.
 */
class Int8GemmTest {
    private static final long SEED = 20261127L;
    /** Unit roundoff of float: 2^-24. */
    private static final double U = Math.ulp(1.0f) / 2;
    private static final int[] SMALL = {1, 3, 17, 31, 64, 255, 1500};
    private static final int[] WIDTHS = {384, 512, 768, 1024, 1280, 1536, 2048, 3072, 4096, 5120};

    record Shape(int m, int k, int n) {
        long macs() {
            return (long) m * k * n;
        }

        @Override
        public String toString() {
            return "M=" + m + " K=" + k + " N=" + n;
        }
    }

    /** Fixed awkward shapes plus a seeded random sample of the size grid (capped so the suite stays fast). */
    static List<Shape> shapes() {
        List<Shape> out = new ArrayList<>(List.of(new Shape(1, 1, 1), new Shape(3, 17, 31), new Shape(17, 31, 3),
                new Shape(31, 3, 64), new Shape(64, 255, 33), new Shape(1, 5120, 17), new Shape(5, 1280, 97),
                new Shape(1500, 3, 17), new Shape(9, 384, 1536), new Shape(255, 64, 255)));
        int[] kn = new int[SMALL.length - 1 + WIDTHS.length];
        System.arraycopy(SMALL, 0, kn, 0, SMALL.length - 1);
        System.arraycopy(WIDTHS, 0, kn, SMALL.length - 1, WIDTHS.length);
        Random r = new Random(SEED);
        while (out.size() < 24) {
            Shape s = new Shape(SMALL[r.nextInt(SMALL.length)], kn[r.nextInt(kn.length)], kn[r.nextInt(kn.length)]);
            if (s.macs() <= 12_000_000L) out.add(s);
        }
        return out;
    }

    static void forEachIsa(Consumer<Isa> body) {
        Isa detected = CpuRuntime.detectedIsa();
        try {
            for (Isa isa : Isa.values()) {
                if (isa.level() > detected.level()) continue;
                CpuRuntime.forceIsa(isa);
                body.accept(isa);
            }
        } finally {
            CpuRuntime.forceIsa(null);
        }
    }

    static byte[] randomS8(Random r, int len, int lo, int hi) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) (lo + r.nextInt(hi - lo + 1));
        return b;
    }

    /** Weights with per-channel scales spread over [0.5, 1.5]. */
    static NativeInt8Weights weights(byte[] wq, int n, int k, float[] scales) {
        try (Tensor q = Tensor.of(wq, n, k); Tensor s = Tensor.of(scales, n)) {
            return NativeInt8Weights.of(q, s);
        }
    }

    static float[] uniform(Random r, int len, double lo, double hi) {
        float[] f = new float[len];
        for (int i = 0; i < len; i++) f[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return f;
    }

    /** Row scales that put the pre-activations of random s8 data roughly in +-[0.1, 15] (GELU's whole range). */
    static float[] rowScales(Random r, int m, int k) {
        double typicalAcc = Math.sqrt(k) * 127.0 * 127.0 / 3.0;
        float[] sa = new float[m];
        for (int i = 0; i < m; i++) sa[i] = (float) ((0.1 + 14.9 * r.nextDouble()) / typicalAcc);
        return sa;
    }

    /**
     * FP64 expectation of y = acc*sa*sw (+bias) (→GELU) with its tolerance, derived: the kernel rounds
     * (float) acc, sa*sw and the final fma / product, each within 2^-24 relative, so the pre-activation
     * is within d = 4u(|acc*sa*sw| + |bias|). GELU adds its own error (3.8e-7 relative measured over
     * all floats by stride, 6e-7 allowed), moves the input error by at most max|GELU'| = 1.13, and is
     * cut to 0 where |GELU| < 2.3e-34.
     */
    record Expected(double[] ref, double[] tol) {
        static Expected of(int[] acc, float[] sa, float[] sw, float[] bias, boolean gelu, int m, int n) {
            double[] ref = new double[m * n], tol = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double p = (double) acc[i * n + j] * sa[i] * sw[j];
                    double b = bias == null ? 0.0 : bias[j];
                    double d = 4 * U * (Math.abs(p) + Math.abs(b));
                    double r = gelu ? Int8Reference.gelu(p + b) : p + b;
                    ref[i * n + j] = r;
                    tol[i * n + j] = gelu ? 1.2 * d + 6e-7 * Math.abs(r) + 2.5e-34 : d;
                }
            }
            return new Expected(ref, tol);
        }

        void check(float[] y, int n, String ctx) {
            for (int i = 0; i < ref.length; i++) {
                if (!(Math.abs(y[i] - ref[i]) <= tol[i])) {
                    fail(ctx + ": y[" + i / n + "][" + i % n + "] = " + y[i] + ", reference " + ref[i] + ", tolerance " + tol[i]);
                }
            }
        }
    }

    @Test
    void s32AccumulatorsAreExactOnEveryPath() {
        Random r = new Random(SEED + 1);
        for (Shape s : shapes()) {
            byte[] a = randomS8(r, s.m * s.k, -127, 127), w = randomS8(r, s.n * s.k, -127, 127);
            int[] ref = Int8Reference.gemmS32(a, w, s.m, s.k, s.n);
            try (NativeInt8Weights wts = weights(w, s.n, s.k, uniform(r, s.n, 0.5, 1.5));
                    Tensor at = Tensor.of(a, s.m, s.k); Tensor c = Tensor.allocate(DType.S32, s.m, s.n)) {
                forEachIsa(isa -> {
                    c.copyFrom(new int[s.m * s.n]);
                    Int8Gemm.gemmS32(at, wts, c);
                    assertArrayEquals(ref, c.toIntArray(), isa + " " + s);
                });
            }
        }
    }

    @Test
    void extremeValuesAndLongKStayExact() {
        // all +-127 (and -128, the full s8 range) with long K: the largest accumulators, 128*128*5120 = 8.4e7
        int[][] cases = {{127, 127}, {-127, 127}, {-128, -128}, {-128, 127}};
        int m = 9, k = 5120, n = 37;
        for (int[] v : cases) {
            byte[] a = new byte[m * k], w = new byte[n * k];
            java.util.Arrays.fill(a, (byte) v[0]);
            java.util.Arrays.fill(w, (byte) v[1]);
            int[] ref = Int8Reference.gemmS32(a, w, m, k, n);
            assertEquals((long) v[0] * v[1] * k, ref[0]);
            try (NativeInt8Weights wts = weights(w, n, k, uniform(new Random(1), n, 0.5, 1.5));
                    Tensor at = Tensor.of(a, m, k); Tensor c = Tensor.allocate(DType.S32, m, n)) {
                forEachIsa(isa -> {
                    Int8Gemm.gemmS32(at, wts, c);
                    assertArrayEquals(ref, c.toIntArray(), isa + " a=" + v[0] + " w=" + v[1]);
                });
            }
        }
        // random full-range data, K = 4099 (K tail of 3) and N tail
        Random r = new Random(SEED + 2);
        int k2 = 4099, m2 = 13, n2 = 45;
        byte[] a = randomS8(r, m2 * k2, -128, 127), w = randomS8(r, n2 * k2, -128, 127);
        int[] ref = Int8Reference.gemmS32(a, w, m2, k2, n2);
        try (NativeInt8Weights wts = weights(w, n2, k2, uniform(r, n2, 0.5, 1.5));
                Tensor at = Tensor.of(a, m2, k2); Tensor c = Tensor.allocate(DType.S32, m2, n2)) {
            forEachIsa(isa -> {
                Int8Gemm.gemmS32(at, wts, c);
                assertArrayEquals(ref, c.toIntArray(), isa + " random K=4099");
            });
        }
    }

    @Test
    void f32EpilogueMatchesFp64AndIsIdenticalAcrossPaths() {
        Random r = new Random(SEED + 3);
        for (Shape s : shapes()) {
            byte[] a = randomS8(r, s.m * s.k, -127, 127), w = randomS8(r, s.n * s.k, -127, 127);
            int[] acc = Int8Reference.gemmS32(a, w, s.m, s.k, s.n);
            float[] sa = rowScales(r, s.m, s.k), sw = uniform(r, s.n, 0.5, 1.5), bias = uniform(r, s.n, -3, 3);
            try (NativeInt8Weights wts = weights(w, s.n, s.k, sw); Tensor at = Tensor.of(a, s.m, s.k);
                    Tensor sat = Tensor.of(sa, s.m); Tensor bt = Tensor.of(bias, s.n);
                    Tensor y = Tensor.allocate(DType.F32, s.m, s.n)) {
                for (int variant = 0; variant < 4; variant++) {
                    boolean withBias = (variant & 1) != 0, gelu = (variant & 2) != 0;
                    Expected expected = Expected.of(acc, sa, sw, withBias ? bias : null, gelu, s.m, s.n);
                    float[][] first = new float[1][];
                    forEachIsa(isa -> {
                        Int8Gemm.gemm(at, sat, wts, withBias ? bt : null, gelu, y);
                        float[] got = y.toFloatArray();
                        String ctx = isa + " " + s + (withBias ? " +bias" : "") + (gelu ? " +gelu" : "");
                        expected.check(got, s.n, ctx);
                        if (first[0] == null) first[0] = got;
                        else assertArrayEquals(first[0], got, ctx + ": differs from the scalar path");
                    });
                }
            }
        }
    }

    @Test
    void quantizeRowsIsBitExact() {
        Random r = new Random(SEED + 4);
        int[][] dims = {{1, 1}, {7, 301}, {31, 17}, {3, 5120}, {64, 384}, {5, 1283}};
        for (int[] d : dims) {
            int m = d[0], k = d[1];
            float[] x = new float[m * k];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.exp(4 * r.nextGaussian()));
            if (m > 2) {
                for (int kk = 0; kk < k; kk++) x[k + kk] = 0f; // all-zero row
                for (int kk = 0; kk < k; kk++) x[2 * k + kk] = (kk % 3 - 1) * 1e-37f; // 127/amax overflows
            }
            if (m > 4) {
                // exact halves after scaling: amax = 127 makes inv = 1, so x*inv = x = j + 0.5
                for (int kk = 0; kk < k; kk++) x[4 * k + kk] = (kk % 254) - 127 + 0.5f;
                x[4 * k] = 127f;
            }
            byte[] qRef = new byte[m * k];
            float[] sRef = new float[m];
            Int8Reference.quantizeRows(x, m, k, qRef, sRef);
            try (Tensor xt = Tensor.of(x, m, k); Tensor q = Tensor.allocate(DType.S8, m, k);
                    Tensor s = Tensor.allocate(DType.F32, m)) {
                forEachIsa(isa -> {
                    Int8Gemm.quantizeRows(xt, q, s);
                    assertArrayEquals(qRef, q.toByteArray(), isa + " q, M=" + m + " K=" + k);
                    assertArrayEquals(sRef, s.toFloatArray(), isa + " scales, M=" + m + " K=" + k);
                });
            }
        }
    }

    @Test
    void linearEqualsQuantizeThenGemm() {
        Random r = new Random(SEED + 5);
        // 300 x 1536 x 400: several row blocks (128 rows at K = 1536), each quantized in 16-row steps with
        // a short last step, and three column chunks of the packed weights (5, 5 and 2.5 panels)
        Shape[] cases = {new Shape(1, 384, 1536), new Shape(5, 512, 97), new Shape(37, 1283, 130),
                new Shape(255, 64, 255), new Shape(1500, 17, 64), new Shape(300, 1536, 400)};
        for (Shape s : cases) {
            float[] x = new float[s.m * s.k];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            float[] wf = new float[s.n * s.k];
            for (int i = 0; i < wf.length; i++) wf[i] = (float) (0.05 * r.nextGaussian());
            float[] bias = uniform(r, s.n, -1, 1);
            try (Tensor xt = Tensor.of(x, s.m, s.k); Tensor wt = Tensor.of(wf, s.n, s.k);
                    NativeInt8Weights wts = NativeInt8Weights.quantize(wt); Tensor bt = Tensor.of(bias, s.n);
                    Tensor q = Tensor.allocate(DType.S8, s.m, s.k); Tensor sa = Tensor.allocate(DType.F32, s.m);
                    Tensor y1 = Tensor.allocate(DType.F32, s.m, s.n); Tensor y2 = Tensor.allocate(DType.F32, s.m, s.n)) {
                // the weights were quantized with the row formula
                byte[] wqRef = new byte[s.n * s.k];
                float[] wsRef = new float[s.n];
                Int8Reference.quantizeRows(wf, s.n, s.k, wqRef, wsRef);
                assertArrayEquals(wsRef, wts.scales());
                forEachIsa(isa -> {
                    for (boolean gelu : new boolean[] {false, true}) {
                        Int8Gemm.linear(xt, wts, bt, gelu, y1);
                        Int8Gemm.quantizeRows(xt, q, sa);
                        Int8Gemm.gemm(q, sa, wts, bt, gelu, y2);
                        assertArrayEquals(y2.toFloatArray(), y1.toFloatArray(), isa + " " + s + " gelu=" + gelu);
                    }
                });
                // and the whole chain against the references
                byte[] aq = new byte[s.m * s.k];
                float[] as = new float[s.m];
                Int8Reference.quantizeRows(x, s.m, s.k, aq, as);
                Int8Gemm.linear(xt, wts, bt, true, y1);
                Expected.of(Int8Reference.gemmS32(aq, wqRef, s.m, s.k, s.n), as, wsRef, bias, true, s.m, s.n)
                        .check(y1.toFloatArray(), s.n, "linear " + s);
            }
        }
    }

    @Test
    void geluMatchesFp64OnEveryPath() {
        int count = 60_001;
        float[] x = new float[count];
        for (int i = 0; i < count; i++) x[i] = -15f + 30f * i / (count - 1);
        x[0] = 0f;
        x[1] = -0f;
        x[2] = 1e-20f;
        double[] ref = new double[count];
        for (int i = 0; i < count; i++) ref[i] = Int8Reference.gelu(x[i]);
        try (Tensor xt = Tensor.of(x, count); Tensor y = Tensor.allocate(DType.F32, count)) {
            float[][] first = new float[1][];
            forEachIsa(isa -> {
                Int8Gemm.gelu(xt, y);
                float[] got = y.toFloatArray();
                for (int i = 0; i < count; i++) {
                    // measured max error 3.8e-7 relative (2.7e-7 in the table range |x| <= 6.1, the rest in
                    // the exp/erfcx tail); cut to 0 where |GELU| < 2.3e-34
                    double tol = 6e-7 * Math.abs(ref[i]) + 2.5e-34;
                    if (!(Math.abs(got[i] - ref[i]) <= tol)) {
                        fail(isa + ": gelu(" + x[i] + ") = " + got[i] + ", reference " + ref[i]);
                    }
                }
                if (first[0] == null) first[0] = got;
                else assertArrayEquals(first[0], got, isa + ": differs from the scalar path");
            });
        }
    }

    @Test
    void geluSpecialValuesAndMixedVectorsOnEveryPath() {
        // Non-finite and boundary inputs, exact expectations: GELU(+inf) = +inf, GELU(-inf) = +0 (flushed
        // like every x < -12.374369), NaN stays NaN, -0 stays -0, x > 6.1 gives x exactly (the true value
        // x (1 - Phi(-x)) is within 3.2e-9 of x, far below half an ulp).
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 20f, -20f, 7f, Float.MAX_VALUE, -Float.MAX_VALUE};
        float[] want = {Float.NaN, Float.POSITIVE_INFINITY, 0f, -0f, 0f, 20f, 0f, 7f, Float.MAX_VALUE, 0f};
        // Vectors that mix the table range (|x| <= 6.1) with the tail (-12.374369 <= x < -6.1) and the
        // flushed / identity lanes in every position: the out-of-line tail must not disturb the table
        // lanes. Each element is compared with the same value evaluated alone and with FP64.
        int count = 203;
        float[] mixed = new float[count];
        Random r = new Random(11);
        for (int i = 0; i < count; i++) {
            mixed[i] = switch (r.nextInt(4)) {
                case 0 -> -6.1f - 6.27f * r.nextFloat();  // tail
                case 1 -> (float) (12.2 * r.nextDouble() - 6.1);  // table
                case 2 -> 6.1f + 10f * r.nextFloat();  // x
                default -> -12.4f - 10f * r.nextFloat();  // flushed to 0
            };
        }
        forEachIsa(isa -> {
            try (Tensor xt = Tensor.of(x, x.length); Tensor y = Tensor.allocate(DType.F32, x.length)) {
                Int8Gemm.gelu(xt, y);
                float[] got = y.toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), isa + ": gelu(" + x[i] + ") = " + got[i]);
                }
            }
            try (Tensor xt = Tensor.of(mixed, count); Tensor y = Tensor.allocate(DType.F32, count);
                 Tensor one = Tensor.allocate(DType.F32, 1); Tensor oneY = Tensor.allocate(DType.F32, 1)) {
                Int8Gemm.gelu(xt, y);
                float[] got = y.toFloatArray();
                for (int i = 0; i < count; i++) {
                    one.copyFrom(new float[] {mixed[i]});
                    Int8Gemm.gelu(one, oneY);
                    assertEquals(oneY.toFloatArray()[0], got[i], 0f, isa + ": gelu(" + mixed[i] + ") alone vs in a vector");
                    double ref = Int8Reference.gelu(mixed[i]);
                    assertEquals(ref, got[i], 6e-7 * Math.abs(ref) + 2.5e-34, isa + ": gelu(" + mixed[i] + ")");
                }
            }
        });
    }

    @Test
    void fp64ReferenceIsRight() {
        // values from mpmath at 25 digits
        assertEquals(0.52049987781304654, Int8Reference.erf(0.5), 1e-15);
        assertEquals(0.84270079294971487, Int8Reference.erf(1.0), 1e-15);
        assertEquals(0.99532226501895273, Int8Reference.erf(2.0), 1e-15);
        assertEquals(1.0, Int8Reference.erfc(2.0) / 0.0046777349810472658, 1e-13);
        assertEquals(-0.84270079294971487, Int8Reference.erf(-1.0), 1e-15);
        assertEquals(1.0, Int8Reference.erfc(2.5) / 0.00040695201744495894, 1e-13);
        assertEquals(1.0, Int8Reference.erfc(3.0) / 2.2090496998585441e-5, 1e-13);
        assertEquals(1.0, Int8Reference.erfc(5.0) / 1.5374597944280349e-12, 1e-13);
        assertEquals(1.0, Int8Reference.erfc(10.0) / 2.0884875837625448e-45, 1e-13);
        assertEquals(1.0, Int8Reference.gelu(-5.0) / -1.4332578593959696e-6, 1e-13);
        assertEquals(-0.15865525393145705, Int8Reference.gelu(-1.0), 1e-15);
        assertEquals(0.34573123063700655, Int8Reference.gelu(0.5), 1e-15);
        assertEquals(2.9959503059051097, Int8Reference.gelu(3.0), 1e-15);
    }
}
