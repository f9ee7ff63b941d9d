package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Random;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The native INT4-weight GEMM against plain-Java references on every ISA path this CPU has: per-group
 * s32 sums exact, the f32 result within a derived bound of the FP64 dequantized product, bit-identical
 * across paths and thread counts, the nibble format worked by hand.
 */
class Int4GemmTest {
    private static final long SEED = 20261128L;
    /** Unit roundoff of float: 2^-24. */
    private static final double U = Math.ulp(1.0f) / 2;

    record Shape(int m, int k, int n, int group) {
        int groups() {
            int g = Math.min(group, k);
            return (k + g - 1) / g;
        }

        @Override
        public String toString() {
            return "M=" + m + " K=" + k + " N=" + n + " group=" + group;
        }
    }

    /** Single elements, K tails inside a quad and inside a group, N tails, one group per row, long K. */
    static final List<Shape> SHAPES = List.of(new Shape(1, 1, 1, 32), new Shape(3, 17, 31, 4), new Shape(5, 100, 33, 32),
            new Shape(17, 129, 64, 64), new Shape(9, 384, 96, 128), new Shape(2, 1027, 40, 32), new Shape(71, 256, 65, 64),
            new Shape(4, 30, 7, 30), new Shape(6, 3, 50, 8), new Shape(1, 4099, 17, 128));

    static byte[] randomS8(Random r, int len, int lo, int hi) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) (lo + r.nextInt(hi - lo + 1));
        return b;
    }

    static float[] uniform(Random r, int len, double lo, double hi) {
        float[] f = new float[len];
        for (int i = 0; i < len; i++) f[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return f;
    }

    /** Exact per-group sums, long arithmetic: c[m][n][g]. */
    static long[] groupSums(byte[] a, byte[] q, Shape s) {
        int g = Math.min(s.group, s.k), groups = s.groups();
        long[] c = new long[s.m * s.n * groups];
        for (int i = 0; i < s.m; i++)
            for (int j = 0; j < s.n; j++)
                for (int kk = 0; kk < s.k; kk++) c[(i * s.n + j) * groups + kk / g] += (long) a[i * s.k + kk] * q[j * s.k + kk];
        return c;
    }

    static NativeInt4Weights weights(byte[] q, float[] scales, Shape s) {
        try (Tensor codes = Tensor.of(q, s.n, s.k); Tensor sc = Tensor.of(scales, s.n, s.groups())) {
            return NativeInt4Weights.fromCodes(codes, sc, s.group);
        }
    }

    @Test
    void groupSumsAreExactOnEveryPath() {
        Random r = new Random(SEED);
        for (Shape s : SHAPES) {
            byte[] a = randomS8(r, s.m * s.k, -128, 127), q = randomS8(r, s.n * s.k, -8, 7);
            long[] ref = groupSums(a, q, s);
            try (NativeInt4Weights w = weights(q, uniform(r, s.n * s.groups(), 0.5, 1.5), s); Tensor at = Tensor.of(a, s.m, s.k);
                    Tensor c = Tensor.allocate(DType.S32, s.m, s.n, s.groups())) {
                Int8GemmTest.forEachIsa(isa -> {
                    c.copyFrom(new int[(int) c.numel()]);
                    Int4Gemm.gemmGroupS32(at, w, c);
                    int[] got = c.toIntArray();
                    for (int i = 0; i < ref.length; i++) assertEquals(ref[i], got[i], isa + " " + s + " element " + i);
                });
            }
        }
        // the extremes: every a = -128 and every q = -8 (the largest per-group magnitude, 1024 * group)
        Shape s = new Shape(5, 260, 35, 128);
        byte[] a = new byte[s.m * s.k], q = new byte[s.n * s.k];
        java.util.Arrays.fill(a, (byte) -128);
        java.util.Arrays.fill(q, (byte) -8);
        long[] ref = groupSums(a, q, s);
        assertEquals(1024L * 128, ref[0]);
        try (NativeInt4Weights w = weights(q, uniform(r, s.n * s.groups(), 0.5, 1.5), s); Tensor at = Tensor.of(a, s.m, s.k);
                Tensor c = Tensor.allocate(DType.S32, s.m, s.n, s.groups())) {
            Int8GemmTest.forEachIsa(isa -> {
                Int4Gemm.gemmGroupS32(at, w, c);
                int[] got = c.toIntArray();
                for (int i = 0; i < ref.length; i++) assertEquals(ref[i], got[i], isa + " extremes, element " + i);
            });
        }
    }

    /**
     * FP64 reference y = sa * sum_g sw[g] * acc_g (+ bias) (-> GELU). Tolerance, derived: acc_g converts
     * exactly (|acc_g| < 2^24); each of the G fused steps rounds once, by at most u times the running
     * |sum| <= S = sum_g |sw acc_g|, so f is within G u S; the final fma / product adds u |y|. GELU as in
     * the INT8 test: 1.2x the input error plus its own 6e-7 relative, cut to 0 below 2.3e-34.
     */
    @Test
    void f32ResultMatchesFp64AndIsIdenticalAcrossPathsAndThreads() {
        Random r = new Random(SEED + 1);
        for (Shape s : SHAPES) {
            byte[] a = randomS8(r, s.m * s.k, -127, 127), q = randomS8(r, s.n * s.k, -7, 7);
            int groups = s.groups();
            long[] acc = groupSums(a, q, s);
            float[] sw = uniform(r, s.n * groups, 0.001, 0.003), bias = uniform(r, s.n, -2, 2);
            float[] sa = uniform(r, s.m, 0.5 / (127 * Math.sqrt(s.k)), 5.0 / (127 * Math.sqrt(s.k)));
            try (NativeInt4Weights w = weights(q, sw, s); Tensor at = Tensor.of(a, s.m, s.k); Tensor sat = Tensor.of(sa, s.m);
                    Tensor bt = Tensor.of(bias, s.n); Tensor y = Tensor.allocate(DType.F32, s.m, s.n)) {
                for (int variant = 0; variant < 4; variant++) {
                    boolean withBias = (variant & 1) != 0, gelu = (variant & 2) != 0;
                    float[][] first = new float[1][];
                    Int8GemmTest.forEachIsa(isa -> {
                        Int4Gemm.gemm(at, sat, w, withBias ? bt : null, gelu, y);
                        float[] got = y.toFloatArray();
                        String ctx = isa + " " + s + (withBias ? " +bias" : "") + (gelu ? " +gelu" : "");
                        for (int i = 0; i < s.m; i++) {
                            for (int j = 0; j < s.n; j++) {
                                double f = 0, mag = 0;
                                for (int g = 0; g < groups; g++) {
                                    double t = (double) sw[j * groups + g] * acc[(i * s.n + j) * groups + g];
                                    f += t;
                                    mag += Math.abs(t);
                                }
                                double pre = f * sa[i] + (withBias ? bias[j] : 0);
                                double d = groups * U * mag * sa[i] + 2 * U * (Math.abs(pre) + (withBias ? Math.abs(bias[j]) : 0));
                                double ref = gelu ? Int8Reference.gelu(pre) : pre;
                                double tol = gelu ? 1.2 * d + 6e-7 * Math.abs(ref) + 2.5e-34 : d;
                                float v = got[i * s.n + j];
                                if (!(Math.abs(v - ref) <= tol)) fail(ctx + ": y[" + i + "][" + j + "] = " + v + ", reference " + ref + ", tolerance " + tol);
                            }
                        }
                        if (first[0] == null) first[0] = got;
                        else assertArrayEquals(first[0], got, ctx + ": differs from the scalar path");
                    });
                }
                int before = CpuRuntime.threads();
                try {
                    Int8GemmTest.forEachIsa(isa -> {
                        float[] one = null;
                        for (int threads = 1; threads <= 3; threads++) {
                            CpuRuntime.setThreads(threads);
                            Int4Gemm.gemm(at, sat, w, bt, true, y);
                            if (one == null) one = y.toFloatArray();
                            else assertArrayEquals(one, y.toFloatArray(), isa + " " + s + ": " + threads + " threads vs 1");
                        }
                    });
                } finally {
                    CpuRuntime.setThreads(before);
                }
            }
        }
    }

    /** Symmetric 4-bit per-group quantization written out in Java (fake_quant.h's formula): codes, scales. */
    static Object[] quantize4(float[] w, Shape s) {
        int groups = s.groups(), g = Math.min(s.group, s.k);
        byte[] codes = new byte[s.n * s.k];
        float[] scales = new float[s.n * groups];
        for (int j = 0; j < s.n; j++) {
            for (int gi = 0; gi < groups; gi++) {
                float amax = 0;
                for (int kk = gi * g; kk < Math.min(s.k, (gi + 1) * g); kk++) amax = Math.max(amax, Math.abs(w[j * s.k + kk]));
                float inv = 7f / amax;
                boolean zero = !(inv <= Float.MAX_VALUE);
                scales[j * groups + gi] = zero ? 0f : amax / 7f;
                for (int kk = gi * g; kk < Math.min(s.k, (gi + 1) * g); kk++) {
                    codes[j * s.k + kk] = zero ? 0 : (byte) Math.max(-7, Math.min(7, Math.rint(w[j * s.k + kk] * inv)));
                }
            }
        }
        return new Object[] {codes, scales};
    }

    /**
     * linear = quantizeRows then gemm, bit for bit; NativeInt4Weights.quantize = the Java quantization;
     * and the result is within the derived bound of the FP64 product of the dequantized operands
     * (activations q*sa from quantizeRows, weights code*scale): the kernel rounds each group's fused
     * step and the final product, at most (G + 1) u of the sum of |terms|, plus u |y| for the bias add.
     */
    @Test
    void linearIsQuantizeRowsThenGemmAndMatchesTheDequantizedProduct() {
        Random r = new Random(SEED + 2);
        for (Shape s : List.of(new Shape(7, 384, 96, 64), new Shape(1, 100, 33, 32), new Shape(33, 129, 40, 128),
                new Shape(3, 70, 9, 200))) {
            float[] x = uniform(r, s.m * s.k, -3, 3), wf = uniform(r, s.n * s.k, -0.2, 0.2), bias = uniform(r, s.n, -1, 1);
            Object[] jq = quantize4(wf, s);
            byte[] codes = (byte[]) jq[0];
            float[] sc = (float[]) jq[1];
            try (Tensor xt = Tensor.of(x, s.m, s.k); Tensor wt = Tensor.of(wf, s.n, s.k); Tensor bt = Tensor.of(bias, s.n);
                    NativeInt4Weights w = NativeInt4Weights.quantize(wt, 4, s.group); NativeInt4Weights wRef = weights(codes, sc, s);
                    Tensor y = Tensor.allocate(DType.F32, s.m, s.n); Tensor y2 = Tensor.allocate(DType.F32, s.m, s.n);
                    Tensor aq = Tensor.allocate(DType.S8, s.m, s.k); Tensor as = Tensor.allocate(DType.F32, s.m)) {
                assertArrayEquals(sc, w.scales(), s + ": quantize scales vs the Java formula");
                Int8GemmTest.forEachIsa(isa -> {
                    Int4Gemm.linear(xt, w, bt, false, y);
                    Int8Gemm.quantizeRows(xt, aq, as);
                    Int4Gemm.gemm(aq, as, w, bt, false, y2);
                    assertArrayEquals(y2.toFloatArray(), y.toFloatArray(), isa + " " + s + " linear vs quantizeRows + gemm");
                    Int4Gemm.linear(xt, wRef, bt, false, y2);
                    assertArrayEquals(y2.toFloatArray(), y.toFloatArray(), isa + " " + s + " quantize vs Java codes");
                });
                byte[] qa = aq.toByteArray();
                float[] sa = as.toFloatArray(), got = y.toFloatArray();
                int groups = s.groups(), g = Math.min(s.group, s.k);
                for (int i = 0; i < s.m; i++) {
                    for (int j = 0; j < s.n; j++) {
                        double sum = 0, mag = 0;
                        for (int kk = 0; kk < s.k; kk++) {
                            double t = (double) qa[i * s.k + kk] * sa[i] * codes[j * s.k + kk] * sc[j * groups + kk / g];
                            sum += t;
                            mag += Math.abs(t);
                        }
                        double ref = sum + bias[j];
                        double tol = (groups + 2) * U * mag + 2 * U * (Math.abs(ref) + Math.abs(bias[j]));
                        assertEquals(ref, got[i * s.n + j], tol, s + " y[" + i + "][" + j + "]");
                    }
                }
            }
        }
    }

    /** The nibble format by hand: low nibble first, two's complement; odd K pads the last high nibble with 0. */
    @Test
    void nibbleOrderIsLowNibbleFirst() {
        try (Tensor codes = Tensor.of(new byte[] {1, -2, 3, -8, 7, -1, 0}, 1, 7); Tensor nib = NativeInt4Weights.packNibbles(codes)) {
            assertArrayEquals(new byte[] {(byte) 0xE1, (byte) 0x83, (byte) 0xF7, 0x00}, nib.toByteArray());
            try (Tensor back = NativeInt4Weights.unpackNibbles(nib, 7)) {
                assertArrayEquals(codes.toByteArray(), back.toByteArray());
            }
        }
        // the kernel reads the same format: W = [[1, -2, 3]] with scale 1, a = [1, 10, 100] -> 1 - 20 + 300
        try (Tensor nib = Tensor.allocate(DType.U8, 1, 2); Tensor sc = Tensor.of(new float[] {1f}, 1, 1);
                Tensor a = Tensor.of(new byte[] {1, 10, 100}, 1, 3); Tensor c = Tensor.allocate(DType.S32, 1, 1, 1)) {
            nib.copyFrom(new byte[] {(byte) 0xE1, 0x03});
            try (NativeInt4Weights w = NativeInt4Weights.of(nib, sc, 3, 32)) {
                Int4Gemm.gemmGroupS32(a, w, c);
                assertEquals(281, c.toIntArray()[0]);
                assertEquals(3, w.group());
                assertEquals(1, w.groups());
            }
        }
    }
}
