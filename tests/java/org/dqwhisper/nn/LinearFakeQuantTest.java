package org.dqwhisper.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Linear with a weight fake quantizer: the forward uses ŵ = fq(W) (against a plain-Java per-tensor
 * abs-max reference), the STE backward feeds W's gradient, and the integer export runs the same numbers.
 */
class LinearFakeQuantTest {
    static Tensor tensor(String name, float[] v, long... shape) {
        Tensor t = Tensor.allocate(name, DType.F32, shape);
        t.copyFrom(v);
        return t;
    }

    static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @Test
    void forwardUsesFakeQuantizedWeightAndGradientFlowsThroughSte() {
        int n = 5, k = 7, m = 3;
        Random r = new Random(1);
        float[] w = random(r, n * k), x = random(r, m * k), dy = random(r, m * n);
        w[3] = 10f; // large outlier: coarse grid, so quantization visibly changes the output
        try (Linear l = new Linear("decoder.blocks.0.mlp.0", tensor("w", w, n, k), null);
                Tensor xt = tensor("x", x, m, k); Tensor y = Tensor.allocate("y", DType.F32, m, n);
                Tensor dyt = tensor("dy", dy, m, n); Tensor dx = Tensor.allocate("dx", DType.F32, m, k)) {
            l.enableFakeQuant(QuantConfig.parse("w4"), false);
            l.forward(xt, y, false, Precision.FP32);
            // Reference: per-tensor symmetric 4-bit, scale = max|w| / 7, round half to even (rint)
            double amax = 0;
            for (float v : w) amax = Math.max(amax, Math.abs(v));
            float scale = (float) amax / 7f;
            double[] wq = new double[n * k];
            for (int i = 0; i < wq.length; i++) wq[i] = Math.max(-7, Math.min(7, Math.rint(w[i] * (7f / (float) amax)))) * scale;
            float[] got = y.toFloatArray();
            double maxFpDiff = 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double ref = 0, fp = 0;
                    for (int c = 0; c < k; c++) {
                        ref += x[i * k + c] * wq[j * k + c];
                        fp += x[i * k + c] * w[j * k + c];
                    }
                    // FP32 GEMM over K=7 terms of size ≤ 30: 1e-4 covers the summation rounding
                    assertEquals(ref, got[i * n + j], 1e-4, "y[" + i + "," + j + "]");
                    maxFpDiff = Math.max(maxFpDiff, Math.abs(fp - got[i * n + j]));
                }
            }
            assertTrue(maxFpDiff > 1e-2, "fake quant must change the output, max diff " + maxFpDiff);
            // STE: nothing clips under abs-max scaling, so dW = dyᵀ·x exactly as without quantization; dx = dy·ŵ
            l.weightParameter().setRequiresGrad(true);
            l.weightParameter().zeroGrad();
            l.backward(xt, dyt, dx, false);
            float[] gw = l.weightParameter().grad().toFloatArray();
            float[] gx = dx.toFloatArray();
            for (int j = 0; j < n; j++) {
                for (int c = 0; c < k; c++) {
                    double ref = 0;
                    for (int i = 0; i < m; i++) ref += dy[i * n + j] * x[i * k + c];
                    assertEquals(ref, gw[j * k + c], 1e-4, "dW[" + j + "," + c + "]");
                }
            }
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < k; c++) {
                    double ref = 0;
                    for (int j = 0; j < n; j++) ref += dy[i * n + j] * wq[j * k + c];
                    assertEquals(ref, gx[i * k + c], 1e-4, "dx[" + i + "," + c + "]");
                }
            }
        }
    }

    @Test
    void integerExportMatchesFakeQuantForward() {
        Random r = new Random(2);
        for (String spec : new String[] {"w8", "w8c", "w8a8", "w4g64", "w4g32"}) {
            int n = 9, k = 128, m = 4;
            float[] w = random(r, n * k), x = random(r, m * k), b = random(r, n);
            try (Linear l = new Linear("decoder.blocks.0.mlp.0", tensor("w", w, n, k), tensor("b", b, n));
                    Tensor xt = tensor("x", x, m, k); Tensor yf = Tensor.allocate("yf", DType.F32, m, n);
                    Tensor yi = Tensor.allocate("yi", DType.F32, m, n)) {
                l.enableFakeQuant(QuantConfig.parse(spec), true);
                l.forward(xt, yf, true, Precision.FP32);
                l.useIntegerWeights();
                assertTrue(l.hasIntegerWeights());
                l.forward(xt, yi, true, Precision.FP32);
                float[] a = yf.toFloatArray(), c = yi.toFloatArray();
                // same codes and scales; FP32 summation of 128 products (|y| ≲ 40) vs exact s32: ≤ ~1e-5 relative
                for (int i = 0; i < a.length; i++) assertEquals(a[i], c[i], 2e-4, spec + " y[" + i + "]");
                assertThrows(IllegalStateException.class, () -> l.backward(xt, yi, null, false), "integer layers have no backward");
            }
        }
    }

    /** The integer GEMMs' row quantizer in plain Java: inv = 127f/amax, q = rint(x·inv), x̂ = q·(amax/127f). */
    static double[] rowQuantized(float[] x, int m, int k) {
        double[] out = new double[m * k];
        for (int i = 0; i < m; i++) {
            float amax = 0;
            for (int c = 0; c < k; c++) amax = Math.max(amax, Math.abs(x[i * k + c]));
            if (amax == 0) continue;
            float inv = 127f / amax, step = amax / 127f;
            for (int c = 0; c < k; c++) out[i * k + c] = (float) Math.max(-127, Math.min(127, Math.rint(x[i * k + c] * inv))) * step;
        }
        return out;
    }

    @Test
    void defaultInputQuantizationIsTheGemmRowQuantizerWithStraightThroughGradient() {
        int n = 6, k = 65, m = 5; // odd K: one group of 64 plus a tail for w4g64
        Random r = new Random(3);
        for (String spec : new String[] {"w8", "w4g64"}) {
            float[] w = random(r, n * k), x = random(r, m * k), dy = random(r, m * n);
            x[2] = 40f; // a large input in row 0: coarse input grid, so input rounding is visible
            try (Linear a = new Linear("decoder.blocks.0.mlp.0", tensor("w", w, n, k), null);
                    Linear b = new Linear("decoder.blocks.0.mlp.0", tensor("w", w, n, k), null);
                    Tensor xt = tensor("x", x, m, k); Tensor ya = Tensor.allocate("ya", DType.F32, m, n);
                    Tensor yb = Tensor.allocate("yb", DType.F32, m, n); Tensor wHat = Tensor.allocate("wHat", DType.F32, n, k);
                    Tensor dyt = tensor("dy", dy, m, n); Tensor dxa = Tensor.allocate("dxa", DType.F32, m, k);
                    Tensor dxb = Tensor.allocate("dxb", DType.F32, m, k)) {
                QuantConfig cfg = QuantConfig.parse(spec);
                a.enableFakeQuant(cfg);
                b.enableFakeQuant(cfg.withWeightOnly(true));
                assertTrue(a.fakeQuantizesInputs(), spec + " trains with quantized inputs by default");
                assertFalse(b.fakeQuantizesInputs(), spec + ":weight-only does not");
                a.forward(xt, ya, false, Precision.FP32);
                b.forward(xt, yb, false, Precision.FP32);
                a.fakeQuant().forward(a.weight(), wHat); // ŵ, the same quantizer state the layer used
                double[] wq = new double[n * k];
                float[] wh = wHat.toFloatArray();
                for (int i = 0; i < wq.length; i++) wq[i] = wh[i];
                double[] xq = rowQuantized(x, m, k);
                float[] got = ya.toFloatArray(), wo = yb.toFloatArray();
                double inputEffect = 0;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double ref = 0;
                        for (int c = 0; c < k; c++) ref += xq[i * k + c] * wq[j * k + c];
                        // FP32 GEMM over K=65 products of size ≲ 40·3: 1e-4 covers the summation rounding
                        assertEquals(ref, got[i * n + j], 1e-4, spec + " y = x̂·ŵᵀ [" + i + "," + j + "]");
                        inputEffect = Math.max(inputEffect, Math.abs(got[i * n + j] - wo[i * n + j]));
                    }
                }
                assertTrue(inputEffect > 1e-3, spec + ": input quantization must change the output, max change " + inputEffect);
                // Backward: the input quantizer's estimator is the identity (abs-max row scaling never clips),
                // so dx = dy·ŵ exactly as for the weight-only layer (same GEMM, same operands: bit-identical) ...
                a.backward(xt, dyt, dxa, false);
                b.backward(xt, dyt, dxb, false);
                assertArrayEquals(dxb.toFloatArray(), dxa.toFloatArray(), spec + ": dx through the input quantizer is the STE");
                // ... and the weight gradient uses the quantized input the forward saw: dW = STE(dyᵀ·x̂)
                float[] gw = a.weightParameter().grad().toFloatArray();
                for (int j = 0; j < n; j++) {
                    for (int c = 0; c < k; c++) {
                        double ref = 0;
                        for (int i = 0; i < m; i++) ref += dy[i * n + j] * xq[i * k + c];
                        assertEquals(ref, gw[j * k + c], 1e-4, spec + " dW[" + j + "," + c + "]");
                    }
                }
            }
        }
    }

    @Test
    void misuseIsRejected() {
        try (Linear l = new Linear("x", Tensor.allocate("w", DType.F32, 4, 8), null)) {
            assertThrows(IllegalStateException.class, l::useIntegerWeights);
            assertThrows(IllegalArgumentException.class, () -> l.enableFakeQuant(QuantConfig.NONE, false));
        }
    }
}
