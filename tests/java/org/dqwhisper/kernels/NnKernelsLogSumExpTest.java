package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnTestSupport.forEachIsa;
import static org.dqwhisper.kernels.NnTestSupport.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dqwhisper.decode.Softmax;
import org.junit.jupiter.api.Test;

/**
 * The log-softmax denominator of a row of logits on the Java heap ({@link NnKernels#logSumExp}, used by beam search
 * and every decoded token's log-probability) against a plain-Java FP64 reference on every ISA path.
 *
 * <p>Tolerance 2e-6 absolute, as for {@link NnKernelsArgmaxTest} (the same sum): float exponentials (a few ulp,
 * 2^-22 relative) summed in 256-element float blocks added in double give the sum to ~1e-6 relative, its log to
 * ~1e-6 absolute. The row maximum contributes exactly 1 to the sum.
 */
class NnKernelsLogSumExpTest {
    private static double reference(float[] x, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = from; j < to; j++) max = Math.max(max, x[j]);
        double s = 0;
        for (int j = from; j < to; j++) s += Math.exp(x[j] - max);
        return max + Math.log(s);
    }

    @Test
    void matchesReferenceOnAwkwardWidthsAndRanges() throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int v : new int[] {1, 3, 16, 17, 255, 256, 257, 1000, 51865}) {
            float[] x = gaussian(rnd, v + 7, 3);
            x[0] = 40f; // outside the range below: must not count
            if (v > 4) {
                x[3 + v / 2] = Float.NEGATIVE_INFINITY; // a suppressed token: adds nothing
                x[3 + v - 1] = 25f; // the maximum in the range's tail
                x[4] = -1e30f; // underflows to 0
            }
            int from = 3, to = 3 + v;
            double ref = reference(x, from, to);
            float[] copy = x.clone();
            forEachIsa(isa -> {
                double got = NnKernels.logSumExp(x, from, to);
                assertEquals(ref, got, 2e-6, "v " + v + " " + isa);
                assertTrue(Arrays.equals(copy, x), "the row is read only");
            });
        }
    }

    @Test
    void nonFiniteRowsAndMisuse() throws Exception {
        float[] allSuppressed = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] withNan = {1f, Float.NaN, 2f};
        float[] withInf = {1f, Float.POSITIVE_INFINITY, 2f};
        forEachIsa(isa -> {
            assertEquals(Double.NEGATIVE_INFINITY, NnKernels.logSumExp(allSuppressed, 0, 3), "all -inf " + isa);
            assertTrue(Double.isNaN(NnKernels.logSumExp(withNan, 0, 3)), "NaN " + isa);
            assertTrue(Double.isNaN(NnKernels.logSumExp(withInf, 0, 3)), "+inf " + isa);
            assertEquals(Math.log(Math.exp(1) + Math.exp(2)), NnKernels.logSumExp(withNan, 2, 3) + Math.log1p(Math.exp(-1)), 2e-6,
                    "a range that leaves the NaN out " + isa);
        });
        // the decoder's entry point keeps its contract through the Java fallback
        assertEquals(Double.NEGATIVE_INFINITY, Softmax.rowLogSumExp(allSuppressed));
        assertThrows(IllegalArgumentException.class, () -> Softmax.rowLogSumExp(withNan));
        assertThrows(IllegalArgumentException.class, () -> Softmax.rowLogSumExp(withInf));
        float[] row = gaussian(new SplittableRandom(9), 51865, 3);
        assertEquals(Softmax.logSumExp(row, 0, row.length), Softmax.rowLogSumExp(row), 2e-6, "native vs FP64 entry point");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NnKernels.logSumExp(new float[4], 2, 5));
        assertTrue(e.getMessage().contains("[2, 5)") && e.getMessage().contains("4-entry"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NnKernels.logSumExp(new float[4], -1, 2), "negative start");
        assertThrows(IllegalArgumentException.class, () -> NnKernels.logSumExp(new float[4], 2, 2), "empty range");
        assertThrows(IllegalArgumentException.class, () -> NnKernels.logSumExp(null, 0, 1), "null");
    }
}
