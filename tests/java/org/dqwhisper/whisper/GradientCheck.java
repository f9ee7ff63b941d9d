package org.dqwhisper.whisper;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.ToIntFunction;
import org.dqwhisper.nn.Parameter;

/**
 * Central finite differences on the FP64 reference against the native FP32 gradients.
 *
 * <p>Step h = 1e-5 on parameters and inputs of order one: the FD truncation error h²·f'''/6 ≈ 1e-11
 * and the double rounding error ε·|f|/h ≈ 1e-11·|f| are both far below the FP32 error being tested.
 *
 * <p>Gradient tolerance: |g_native − g_fd| ≤ 2e-4 · (rms(g_fd) + |g_fd|), rms over the sampled
 * coordinates of the tensor. The native gradient is a chain of FP32 GEMMs, sums and kernels with
 * sums of at most a few hundred terms: its error is ~1e-6..1e-5 of the magnitude of the terms, i.e.
 * of the tensor's gradient scale (the worst seen here is 4e-6), so 2e-4 leaves a margin of ~50; any
 * wrong term (a transpose, a missing residual path, a scale) moves gradients by O(rms).
 *
 * <p>Forward tolerance: |y_native − y_ref| ≤ 1e-4 · max|y_ref| (FP32 unit roundoff 6e-8 times sums of
 * ≤ 400 terms and a handful of layers stays below 1e-5 relative).
 */
final class GradientCheck {
    static final double STEP = 1e-5;
    static final double GRAD_TOL = 2e-4;
    static final double FORWARD_TOL = 1e-4;

    private GradientCheck() {}

    /** FD gradient of {@code objective} at coordinate i of {@code x} (restored afterwards). */
    static double fd(double[] x, int i, DoubleSupplier objective) {
        double keep = x[i];
        x[i] = keep + STEP;
        double plus = objective.getAsDouble();
        x[i] = keep - STEP;
        double minus = objective.getAsDouble();
        x[i] = keep;
        return (plus - minus) / (2 * STEP);
    }

    /**
     * Checks every parameter's native gradient against FD of {@code objective} on the reference
     * tensor of the same name, at up to {@code samples} random coordinates among the first
     * {@code range(p)} (all of them when fewer).
     */
    static void parameters(String what, List<Parameter> params, Map<String, double[]> ref, DoubleSupplier objective, int samples,
            Random rnd, ToIntFunction<Parameter> range) {
        for (Parameter p : params) {
            assertNotNull(p.gradOrNull(), what + ": " + p.name() + " has no gradient");
            double[] x = ref.get(p.name());
            assertNotNull(x, what + ": no reference tensor for " + p.name());
            compare(what + " " + p.name(), x, p.gradOrNull().toFloatArray(), objective, samples, rnd, range.applyAsInt(p));
        }
    }

    static void parameters(String what, List<Parameter> params, Map<String, double[]> ref, DoubleSupplier objective, int samples, Random rnd) {
        parameters(what, params, ref, objective, samples, rnd, p -> (int) p.numel());
    }

    /** Checks a native input gradient against FD of {@code objective} on the reference input {@code x}. */
    static void input(String what, double[] x, float[] grad, DoubleSupplier objective, int samples, Random rnd) {
        compare(what, x, grad, objective, samples, rnd, x.length);
    }

    private static void compare(String what, double[] x, float[] grad, DoubleSupplier objective, int samples, Random rnd, int range) {
        int n = Math.min(samples, range);
        int[] idx = new int[n];
        for (int s = 0; s < n; s++) idx[s] = range <= samples ? s : rnd.nextInt(range);
        double[] want = new double[n];
        double sq = 0;
        for (int s = 0; s < n; s++) {
            want[s] = fd(x, idx[s], objective);
            sq += want[s] * want[s];
        }
        double rms = Math.sqrt(sq / n);
        assertTrue(rms > 0, what + ": finite differences are all zero, the check would be vacuous");
        double worst = 0;
        for (int s = 0; s < n; s++) {
            double got = grad[idx[s]];
            double err = Math.abs(got - want[s]);
            worst = Math.max(worst, err / (rms + Math.abs(want[s])));
            assertTrue(err <= GRAD_TOL * (rms + Math.abs(want[s])), String.format("%s[%d]: native %.8g, finite difference %.8g (rms %.3g)",
                    what, idx[s], got, want[s], rms));
        }
        WORST.accumulateAndGet(Double.doubleToLongBits(worst), (a, b) -> Double.longBitsToDouble(a) >= Double.longBitsToDouble(b) ? a : b);
    }

    /** Largest error / (rms + |g_fd|) seen by any check in this JVM (printed by the tests for the record). */
    static final java.util.concurrent.atomic.AtomicLong WORST = new java.util.concurrent.atomic.AtomicLong(Double.doubleToLongBits(0));

    static double worstRatio() {
        return Double.longBitsToDouble(WORST.get());
    }

    /** Native FP32 forward output against the FP64 reference. */
    static void forward(String what, float[] got, double[] want) {
        assertTrue(got.length == want.length, what + ": " + got.length + " values, reference has " + want.length);
        double max = 0;
        for (double w : want) max = Math.max(max, Math.abs(w));
        assertTrue(max > 0, what + ": reference output is all zero");
        for (int i = 0; i < got.length; i++) {
            assertTrue(Math.abs(got[i] - want[i]) <= FORWARD_TOL * max,
                    String.format("%s[%d]: native %.8g, reference %.8g (max |y| %.3g)", what, i, got[i], want[i], max));
        }
    }

    /** Σ w·y in double. */
    static double dot(double[] w, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += w[i] * y[i];
        return s;
    }
}
