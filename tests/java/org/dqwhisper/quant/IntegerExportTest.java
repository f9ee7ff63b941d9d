package org.dqwhisper.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.dqwhisper.kernels.Int4Gemm;
import org.dqwhisper.kernels.Int8Gemm;
import org.dqwhisper.kernels.NativeInt4Weights;
import org.dqwhisper.kernels.NativeInt8Weights;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * What QAT trains is what the integer kernels run: the fake-quant forward (x̂ · ŵᵀ with x̂ from
 * {@link FakeQuant#activations}, ŵ from {@link FakeQuant#forward}) against the INT8 / INT4 kernels on
 * the exported weights, with STE and with learned (LSQ) scales.
 */
class IntegerExportTest {
    /** Unit roundoff of float: 2^-24. */
    private static final double U = Math.ulp(1.0f) / 2;

    /**
     * |kernel - FP64 x̂ŵᵀ| bound: both compute the same products of the same grids; the kernels round
     * per group (INT4: G fused steps) and in the epilogue, so (G + 2) u of the sum of |x̂ ŵ| covers it.
     */
    private static void assertAgrees(String ctx, float[] xq, float[] wq, float[] y, int m, int k, int n, int groups) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0, mag = 0;
                for (int kk = 0; kk < k; kk++) {
                    double t = (double) xq[i * k + kk] * wq[j * k + kk];
                    sum += t;
                    mag += Math.abs(t);
                }
                assertEquals(sum, y[i * n + j], (groups + 2) * U * mag + U * Math.abs(sum), ctx + " y[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void int4ExportRunsTheTrainedGrid() {
        Random r = new Random(7);
        int m = 5, k = 200, n = 24;
        float[] x = QuantTestSupport.uniform(r, m * k, -2, 2), w = QuantTestSupport.weights(r, n * k, 0.05);
        for (String spec : new String[] {"w4g64", "w4g32:lsq", "w3c", "w4", "w2g128"}) {
            QuantConfig c = QuantConfig.parse(spec);
            try (FakeQuant fq = FakeQuant.forWeights(c, n, k); Tensor wt = Tensor.of(w, n, k); Tensor wq = Tensor.allocate(DType.F32, n, k);
                    Tensor xt = Tensor.of(x, m, k); Tensor xq = Tensor.allocate(DType.F32, m, k); Tensor y = Tensor.allocate(DType.F32, m, n)) {
                if (c.estimator() == QuantConfig.Estimator.LSQ) {
                    fq.initScale(wt);
                    float[] s = fq.scale().toFloatArray();
                    for (int i = 0; i < s.length; i++) s[i] *= 0.7f + 0.05f * (i % 7); // "trained": not the init any more
                    fq.scale().copyFrom(s);
                }
                fq.forward(wt, wq);
                FakeQuant.activations(xt, xq);
                try (NativeInt4Weights int4 = fq.toInt4(wt)) {
                    Int4Gemm.linear(xt, int4, null, false, y);
                    assertAgrees(spec, xq.toFloatArray(), wq.toFloatArray(), y.toFloatArray(), m, k, n, int4.groups());
                }
            }
        }
    }

    @Test
    void int8ExportRunsTheTrainedGrid() {
        Random r = new Random(8);
        int m = 6, k = 130, n = 40;
        float[] x = QuantTestSupport.uniform(r, m * k, -2, 2), w = QuantTestSupport.weights(r, n * k, 0.05);
        for (String spec : new String[] {"w8ca8", "w8a8", "w8c:lsq"}) {
            QuantConfig c = QuantConfig.parse(spec);
            try (FakeQuant fq = FakeQuant.forWeights(c, n, k); Tensor wt = Tensor.of(w, n, k); Tensor wq = Tensor.allocate(DType.F32, n, k);
                    Tensor xt = Tensor.of(x, m, k); Tensor xq = Tensor.allocate(DType.F32, m, k); Tensor y = Tensor.allocate(DType.F32, m, n)) {
                if (c.estimator() == QuantConfig.Estimator.LSQ) fq.initScale(wt);
                fq.forward(wt, wq);
                FakeQuant.activations(xt, xq);
                try (NativeInt8Weights int8 = fq.toInt8(wt)) {
                    Int8Gemm.linear(xt, int8, null, false, y);
                    assertAgrees(spec, xq.toFloatArray(), wq.toFloatArray(), y.toFloatArray(), m, k, n, 1);
                }
            }
        }
    }

    @Test
    void exportsRejectConfigsTheKernelsCannotRun() {
        try (Tensor w = Tensor.allocate(DType.F32, 4, 64); Tensor wq = Tensor.allocate(DType.F32, 4, 64)) {
            w.fill(0.25f);
            for (String spec : new String[] {"w8", "w4:asym", "w4:signed-max", "w8g32"}) {
                try (FakeQuant fq = FakeQuant.forWeights(QuantConfig.parse(spec), 4, 64)) {
                    fq.forward(w, wq);
                    if (!spec.equals("w8")) assertThrows(IllegalStateException.class, () -> fq.toInt8(w), spec);
                    assertThrows(IllegalStateException.class, () -> fq.toInt4(w), spec);
                }
            }
        }
    }
}
