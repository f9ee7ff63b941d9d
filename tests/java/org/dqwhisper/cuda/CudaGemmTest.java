package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.CudaTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.dqwhisper.tensor.DType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Tensor-core GEMMs and the row quantizer against plain-Java references: exact integer math for
 * INT8, double for FP16/BF16. Shapes: 1, odd sizes, K tails (not multiples of 16/32/64), a grid
 * large enough for the 128x128 tiles, and K just under the exactness limit.
 */
@Tag("gpu")
class CudaGemmTest {
    private static final int[][] SHAPES = {{1, 1, 1}, {3, 5, 17}, {17, 33, 65}, {130, 67, 100}, {2, 3, 4099},
        {1500, 1536, 40}};

    @BeforeEach
    void needsDevice() {
        assumeTrue(CudaRuntime.available(), NO_GPU + ": " + CudaRuntime.status().detail());
    }

    @Test
    void quantizeRowsMatchesTheCpuConventionBitForBit() {
        SplittableRandom r = new SplittableRandom(1);
        int m = 5, k = 301;
        float[] x = floats(r, m * k, -4, 4);
        for (int i = 0; i < k; i++) x[2 * k + i] = 0f; // an all-zero row
        byte[] wantQ = new byte[m * k];
        float[] wantS = new float[m];
        for (int row = 0; row < m; row++) {
            float amax = 0f;
            for (int i = 0; i < k; i++) amax = Math.max(amax, Math.abs(x[row * k + i]));
            float inv = 127f / amax;
            if (!(inv <= Float.MAX_VALUE)) continue;
            for (int i = 0; i < k; i++) {
                float q = (float) Math.rint(x[row * k + i] * inv);
                wantQ[row * k + i] = (byte) Math.max(-127f, Math.min(127f, q));
            }
            wantS[row] = amax / 127f;
        }
        try (CudaBuffer dx = CudaBuffer.of(x, m, k); CudaBuffer q = CudaBuffer.allocate(DType.S8, m, k);
                CudaBuffer s = CudaBuffer.allocate(DType.F32, m)) {
            CudaGemm.quantizeRows(dx, q, s, null);
            assertArrayEquals(wantQ, q.toByteArray());
            assertArrayEquals(wantS, s.toFloatArray());
        }
    }

    @Test
    void int8IsExact() {
        SplittableRandom r = new SplittableRandom(2);
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            byte[] a = s8(r, m * k), w = s8(r, n * k);
            int[] want = new int[m * n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    int acc = 0;
                    for (int kk = 0; kk < k; kk++) acc += a[i * k + kk] * w[j * k + kk];
                    want[i * n + j] = acc;
                }
            try (CudaBuffer da = CudaBuffer.of(a, m, k); CudaBuffer dw = CudaBuffer.of(w, n, k);
                    CudaBuffer c = CudaBuffer.allocate(DType.S32, m, n)) {
                CudaGemm.int8GemmS32(da, dw, c, null);
                assertArrayEquals(want, c.toIntArray(), m + "x" + n + "x" + k);
            }
        }
    }

    @Test
    void int8EpilogueDequantizesAddsBiasAndAppliesGelu() {
        SplittableRandom r = new SplittableRandom(3);
        int m = 19, n = 45, k = 77;
        byte[] a = s8(r, m * k), w = s8(r, n * k);
        float[] as = floats(r, m, 0.001, 0.02), ws = floats(r, n, 0.001, 0.02), bias = floats(r, n, -1, 1);
        try (CudaBuffer da = CudaBuffer.of(a, m, k); CudaBuffer dw = CudaBuffer.of(w, n, k);
                CudaBuffer das = CudaBuffer.of(as, m); CudaBuffer dws = CudaBuffer.of(ws, n);
                CudaBuffer db = CudaBuffer.of(bias, n); CudaBuffer y = CudaBuffer.allocate(DType.F32, m, n)) {
            for (boolean withBias : new boolean[] {false, true})
                for (boolean gelu : new boolean[] {false, true}) {
                    CudaGemm.int8Gemm(da, das, dw, dws, withBias ? db : null, gelu, y, null);
                    double[] want = new double[m * n], tol = new double[m * n];
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) {
                            long acc = 0;
                            for (int kk = 0; kk < k; kk++) acc += a[i * k + kk] * w[j * k + kk];
                            double pre = acc * ((double) as[i] * ws[j]);
                            double v = pre + (withBias ? bias[j] : 0);
                            want[i * n + j] = gelu ? gelu(v) : v;
                            // float epilogue: 3 roundings of 2^-24 on |acc*s| + |bias| (4e-7), x1.2 for GELU's
                            // slope, + 2 ulp of erff (1e-6 |y|)
                            tol[i * n + j] = 1.2 * 4e-7 * (Math.abs(pre) + Math.abs(bias[j])) + 1e-6 * Math.abs(want[i * n + j]) + 1e-12;
                        }
                    assertWithin("int8 bias=" + withBias + " gelu=" + gelu, y.toFloatArray(), want, tol);
                }
        }
    }

    @Test
    void halfGemmsMatchADoubleReference() {
        SplittableRandom r = new SplittableRandom(4);
        for (DType dt : new DType[] {DType.F16, DType.BF16})
            for (DType out : new DType[] {DType.F32, dt})
                for (int[] s : SHAPES) {
                    int m = s[0], n = s[1], k = s[2];
                    if ((long) m * n * k > 20_000_000L) continue; // keep the Java reference quick
                    float[] a = floats(r, m * k, -1, 1), w = floats(r, n * k, -1, 1), bias = floats(r, n, -1, 1);
                    short[] ha = encode(dt, a), hw = encode(dt, w); // a, w now hold the rounded values
                    try (CudaBuffer da = CudaBuffer.of(dt, ha, m, k); CudaBuffer dw = CudaBuffer.of(dt, hw, n, k);
                            CudaBuffer db = CudaBuffer.of(bias, n); CudaBuffer y = CudaBuffer.allocate(out, m, n)) {
                        CudaGemm.halfGemm(da, dw, db, true, y, null);
                        float[] got = out == DType.F32 ? y.toFloatArray() : decode(out, y.toShortArray());
                        double[] want = new double[m * n], tol = new double[m * n];
                        for (int i = 0; i < m; i++)
                            for (int j = 0; j < n; j++) {
                                double acc = bias[j], mag = Math.abs(bias[j]);
                                for (int kk = 0; kk < k; kk++) {
                                    double p = (double) a[i * k + kk] * w[j * k + kk];
                                    acc += p;
                                    mag += Math.abs(p);
                                }
                                want[i * n + j] = gelu(acc);
                                // FP32 accumulation: <= ~1 ulp (2^-22 for truncating hardware) of sum|a w| per
                                // k16 step, +8 steps of slack; x1.2 for GELU; one rounding to the output type
                                tol[i * n + j] = 1.2 * ((k + 15) / 16 + 8) * 0x1p-22 * mag + 1e-6
                                        + 1.01 * unitRoundoff(out) * Math.abs(want[i * n + j]);
                            }
                        assertWithin(dt + "->" + out + " " + m + "x" + n + "x" + k, got, want, tol);
                    }
                }
    }

    @Test
    void misuseIsRejectedBeforeTheKernel() {
        try (CudaBuffer a = CudaBuffer.allocate("a", DType.S8, 4, 8); CudaBuffer w = CudaBuffer.allocate("w", DType.S8, 3, 9);
                CudaBuffer c = CudaBuffer.allocate(DType.S32, 4, 3); CudaBuffer f = CudaBuffer.allocate(DType.F32, 4, 8)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaGemm.int8GemmS32(a, w, c, null));
            assertTrue(e.getMessage().contains("'w'"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> CudaGemm.int8GemmS32(f, w, c, null));
            assertThrows(IllegalArgumentException.class, () -> CudaGemm.halfGemm(f, f, null, false, f, null));
            assertThrows(IllegalArgumentException.class, () -> CudaGemm.quantizeRows(f, a, c, null));
        }
    }
}
