package org.dqwhisper.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.Isa;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The native AdamW kernel against {@link AdamW#referenceUpdate} (the same formula in Java doubles) on every
 * instruction-set path and thread count. The kernel evaluates the same IEEE operations in the same order with
 * no fused multiply-add, so the expected difference is zero: the test asserts bit equality.
 */
class AdamWKernelTest {
    static final double B1 = 0.9, B2 = 0.999, EPS = 1e-8, WD = 0.05;

    /** Element counts: single, below one AVX2 / AVX-512 vector, odd tails, several threaded chunks. */
    static final int[] SIZES = {1, 3, 7, 9, 17, 1000, (1 << 14) + 1, 3 * (1 << 14) + 13};

    @Test
    void everyPathAndThreadCountMatchesTheReferenceBitForBit() {
        int savedThreads = CpuRuntime.threads();
        try {
            for (Isa isa : Isa.values()) {
                if (isa.ordinal() > CpuRuntime.detectedIsa().ordinal()) continue;
                CpuRuntime.forceIsa(isa);
                for (int threads : new int[] {1, 2, 3}) {
                    CpuRuntime.setThreads(threads);
                    for (int n : SIZES) check(n, isa + " threads " + threads);
                }
            }
        } finally {
            CpuRuntime.forceIsa(null);
            CpuRuntime.setThreads(savedThreads);
        }
    }

    private static void check(int n, String where) {
        SplittableRandom r = new SplittableRandom(n * 31L + 7);
        float[] p = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) (r.nextDouble() * 2 - 1);
            // gradients over many magnitudes, zeros included (v = 0 exercises the eps term)
            g[i] = i % 11 == 0 ? 0f : (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, -r.nextInt(7)));
        }
        float[] rp = p.clone(), rm = new float[n], rv = new float[n];
        try (Parameter w = new Parameter("w", Tensor.of(p.clone(), n, 1)); AdamW opt = new AdamW(B1, B2, EPS, WD)) {
            w.grad().copyFrom(g);
            for (int t = 1; t <= 3; t++) {
                double lr = 1e-3 * t;
                opt.step(List.of(w), lr);
                AdamW.referenceUpdate(rp, g, rm, rv, lr, WD, B1, B2, EPS, 1 - Math.pow(B1, t), 1 - Math.pow(B2, t));
            }
            Tensor[] mv = opt.moments().get("w");
            assertArrayEquals(rm, mv[0].toFloatArray(), where + " n=" + n + ": exp_avg");
            assertArrayEquals(rv, mv[1].toFloatArray(), where + " n=" + n + ": exp_avg_sq");
            assertArrayEquals(rp, w.value().toFloatArray(), where + " n=" + n + ": parameter");
        }
    }

    @Test
    void aBiasGetsNoWeightDecay() {
        float[] p = {0.5f, -0.25f, 1f};
        float[] rp = p.clone(), rm = new float[3], rv = new float[3];
        float[] g = {0f, 0f, 0f};
        try (Parameter b = new Parameter("b", Tensor.of(p.clone(), 3)); AdamW opt = new AdamW(B1, B2, EPS, WD)) {
            b.grad().copyFrom(g);
            opt.step(List.of(b), 0.1);
            AdamW.referenceUpdate(rp, g, rm, rv, 0.1, 0, B1, B2, EPS, 1 - B1, 1 - B2);
            assertArrayEquals(p, b.value().toFloatArray(), "zero gradient and no decay leave a bias unchanged");
            assertArrayEquals(rp, b.value().toFloatArray());
        }
    }

    @Test
    void mismatchedStateIsRejected() {
        try (Parameter w = new Parameter("w", Tensor.allocate(DType.F32, 4, 2)); AdamW opt = new AdamW(B1, B2, EPS, WD);
                Parameter w2 = new Parameter("w", Tensor.allocate(DType.F32, 3, 2))) {
            w.grad().fill(1f);
            opt.step(List.of(w), 1e-3);
            w2.grad().fill(1f);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> opt.step(List.of(w2), 1e-3));
            assertTrue(e.getMessage().contains("w"), e.getMessage());
        }
    }
}
