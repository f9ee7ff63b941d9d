package org.dqwhisper.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** AdamW and clipping against a plain double-precision transcription of torch.optim.AdamW's update. */
class AdamWTest {
    static final double B1 = 0.9, B2 = 0.98, EPS = 1e-6, WD = 0.1;

    @Test
    void matchesTheReferenceUpdateOverSeveralSteps() {
        Random rnd = new Random(5);
        int n = 70_000; // more than one parallel chunk
        try (Parameter w = new Parameter("w", Tensor.allocate(DType.F32, 350, 200)); Parameter b = new Parameter("b", Tensor.allocate(DType.F32, 200));
                AdamW opt = new AdamW(B1, B2, EPS, WD)) {
            double[][] p = {fill(w, rnd), fill(b, rnd)};
            double[][] m = {new double[n], new double[200]};
            double[][] v = {new double[n], new double[200]};
            Parameter[] ps = {w, b};
            for (int t = 1; t <= 4; t++) {
                double lr = 1e-2 * t;
                for (int k = 0; k < 2; k++) {
                    float[] g = new float[(int) ps[k].numel()];
                    for (int i = 0; i < g.length; i++) g[i] = (float) rnd.nextGaussian() * (i % 7 == 0 ? 1e-4f : 1f);
                    ps[k].grad().copyFrom(g);
                    double decay = k == 0 ? WD : 0; // biases are not decayed
                    for (int i = 0; i < g.length; i++) {
                        p[k][i] *= 1 - lr * decay;
                        m[k][i] = B1 * m[k][i] + (1 - B1) * g[i];
                        v[k][i] = B2 * v[k][i] + (1 - B2) * (double) g[i] * g[i];
                        double mhat = m[k][i] / (1 - Math.pow(B1, t));
                        double vhat = v[k][i] / (1 - Math.pow(B2, t));
                        p[k][i] -= lr * mhat / (Math.sqrt(vhat) + EPS);
                    }
                }
                opt.step(List.of(w, b), lr);
                assertEquals(t, opt.updates());
            }
            for (int k = 0; k < 2; k++) {
                float[] got = ps[k].value().toFloatArray();
                // the native state is rounded to FP32 after each step (p, m, v): after 4 steps the parameters
                // differ from the double reference by a few float ulps of |p| <= ~4; 1e-5 absolute bounds that
                // with margin, while any formula error (bias correction, decay on a bias) moves p by >= 1e-4
                for (int i = 0; i < got.length; i++) assertEquals(p[k][i], got[i], 1e-5, ps[k].name() + "[" + i + "]");
            }
            Map<String, Tensor[]> moments = opt.moments();
            assertEquals(2, moments.size());
        }
    }

    private static double[] fill(Parameter p, Random rnd) {
        float[] f = new float[(int) p.numel()];
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i] = (float) rnd.nextGaussian();
        p.value().copyFrom(f);
        return d;
    }

    @Test
    void frozenAndGradientlessParametersAreLeftAlone() {
        try (Parameter a = new Parameter("a", Tensor.of(new float[] {1, 2}, 1, 2)); Parameter c = new Parameter("c", Tensor.of(new float[] {3}, 1));
                AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0.5)) {
            c.setRequiresGrad(false);
            opt.step(List.of(a, c), 0.1); // a has no gradient allocated yet
            assertArrayEquals(new float[] {1, 2}, a.value().toFloatArray());
            assertArrayEquals(new float[] {3}, c.value().toFloatArray());
            assertTrue(opt.moments().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> opt.step(List.of(a), Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> new AdamW(1.0, 0.9, 1e-8, 0));
        }
    }

    @Test
    void globalNormClipping() {
        try (Parameter a = new Parameter("a", Tensor.allocate(DType.F32, 2, 2)); Parameter b = new Parameter("b", Tensor.allocate(DType.F32, 1))) {
            a.grad().copyFrom(new float[] {3, 0, 0, 0});
            b.grad().copyFrom(new float[] {4});
            assertEquals(5, GradientClipping.globalNorm(List.of(a, b)), 1e-12);
            assertEquals(5, GradientClipping.clip(List.of(a, b), 10), 1e-12);
            assertArrayEquals(new float[] {3, 0, 0, 0}, a.grad().toFloatArray(), "below the limit nothing changes");
            assertEquals(5, GradientClipping.clip(List.of(a, b), 1), 1e-12);
            // scaled by 1 / (5 + 1e-6)
            assertEquals(0.6, a.grad().toFloatArray()[0], 1e-6);
            assertEquals(0.8, b.grad().toFloatArray()[0], 1e-6);
            b.grad().copyFrom(new float[] {Float.NaN});
            assertThrows(IllegalStateException.class, () -> GradientClipping.clip(List.of(a, b), 1));
        }
    }
}
