package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnTestSupport.forEachIsa;
import static org.dqwhisper.kernels.NnTestSupport.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.dqwhisper.kernels.NnTestSupport.Tensors;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Greedy decoding's native pick (argmax, lowest index on ties, and its log-softmax) against a plain-Java
 * FP64 reference on every ISA path and thread count.
 *
 * <p>Tolerance of the log-probability: the kernel sums float exponentials (each within a few ulp, 2^-22
 * relative) in 256-element float blocks added in double, so the sum is good to ~1e-6 relative and its
 * log to ~1e-6 absolute; 2e-6 leaves room for the vector exp's error. The index is compared exactly.
 */
class NnKernelsArgmaxTest {
    private static int argmaxRef(float[] x, int off, int v) {
        int best = 0;
        for (int i = 1; i < v; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }

    private static double logSoftmaxRef(float[] x, int off, int v, int i) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) max = Math.max(max, x[off + j]);
        double s = 0;
        for (int j = 0; j < v; j++) s += Math.exp(x[off + j] - max);
        return x[off + i] - max - Math.log(s);
    }

    @Test
    void matchesReferenceOnAwkwardWidths() throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int v : new int[] {1, 3, 16, 17, 255, 1000, 51865}) {
            int n = 5;
            float[] logits = gaussian(rnd, n * v, 3);
            if (v > 2) {
                logits[v - 1] = 40f; // maximum in the tail of row 0
                logits[v + 1] = 40f; // tie in row 1: the lower index wins
                logits[v + v - 2] = 40f;
                logits[2 * v] = -1e30f; // a very negative entry (exp underflows to 0)
            }
            int[] tokens = new int[n];
            double[] logp = new double[n];
            try (Tensors t = new Tensors()) {
                Tensor lt = t.of(logits, n, v);
                forEachIsa(isa -> {
                    for (int threads = 1; threads <= 3; threads++) {
                        int before = CpuRuntime.threads();
                        CpuRuntime.setThreads(threads);
                        try {
                            NnKernels.argmaxLogSoftmax(lt, tokens, logp);
                        } finally {
                            CpuRuntime.setThreads(before);
                        }
                        for (int r = 0; r < n; r++) {
                            String what = "V=" + v + " row " + r + " " + isa + " threads " + threads;
                            int want = argmaxRef(logits, r * v, v);
                            assertEquals(want, tokens[r], what + " argmax");
                            assertEquals(logSoftmaxRef(logits, r * v, v, want), logp[r], 2e-6, what + " log-softmax");
                        }
                    }
                });
            }
        }
    }

    @Test
    void nanRowGivesNanAndInfinityRowsStayExact() throws Exception {
        float[] logits = {0f, Float.NaN, 1f, 2f, /* row 1 */ Float.NEGATIVE_INFINITY, 5f, Float.NEGATIVE_INFINITY, 5f};
        int[] tokens = new int[2];
        double[] logp = new double[2];
        try (Tensors t = new Tensors()) {
            Tensor lt = t.of(logits, 2, 4);
            forEachIsa(isa -> {
                NnKernels.argmaxLogSoftmax(lt, tokens, logp);
                assertEquals(0, tokens[0], isa + ": NaN row");
                assertTrue(Double.isNaN(logp[0]), isa + ": NaN row gives NaN, got " + logp[0]);
                assertEquals(1, tokens[1], isa + ": -inf entries and a tie");
                assertEquals(-Math.log(2), logp[1], 1e-7, isa + ": two equal maxima, -inf elsewhere");
            });
        }
    }

    @Test
    void misuseIsNamed() throws Exception {
        try (Tensors t = new Tensors()) {
            Tensor lt = t.zeros(3, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NnKernels.argmaxLogSoftmax(lt, new int[2], new double[3]));
            assertTrue(e.getMessage().contains("3 rows"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> NnKernels.argmaxLogSoftmax(lt, null, new double[3]));
            assertThrows(IllegalArgumentException.class, () -> NnKernels.argmaxLogSoftmax(t.zeros(12), new int[12], new double[12]));
            Tensor closed = t.zeros(1, 4);
            closed.close();
            assertThrows(IllegalStateException.class, () -> NnKernels.argmaxLogSoftmax(closed, new int[1], new double[1]));
        }
    }
}
