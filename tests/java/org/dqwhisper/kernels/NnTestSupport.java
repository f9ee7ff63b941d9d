package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/** Shared helpers of the NnKernels tests: ISA loops, thread-count checks, tolerances, finite differences. */
final class NnTestSupport {
    private NnTestSupport() {}

    /** Every ISA path this CPU can run, lowest first. */
    static List<Isa> isas() {
        List<Isa> out = new ArrayList<>();
        for (Isa isa : Isa.values()) if (isa.level() <= CpuRuntime.detectedIsa().level()) out.add(isa);
        return out;
    }

    interface IsaBody {
        void run(Isa isa) throws Exception;
    }

    /** Runs body once per ISA path with that path forced; restores automatic choice afterwards. */
    static void forEachIsa(IsaBody body) throws Exception {
        for (Isa isa : isas()) {
            CpuRuntime.forceIsa(isa);
            try {
                body.run(isa);
            } finally {
                CpuRuntime.forceIsa(null);
            }
        }
    }

    /** Runs the computation with 1, 2 and 3 threads on every ISA path and requires bit-identical results. */
    static void assertThreadInvariant(String what, Supplier<float[]> computation) throws Exception {
        int before = CpuRuntime.threads();
        try {
            forEachIsa(isa -> {
                float[] ref = null;
                for (int threads = 1; threads <= 3; threads++) {
                    CpuRuntime.setThreads(threads);
                    float[] got = computation.get();
                    if (ref == null) {
                        ref = got;
                        continue;
                    }
                    for (int i = 0; i < ref.length; i++) {
                        if (Float.floatToRawIntBits(ref[i]) != Float.floatToRawIntBits(got[i])) {
                            fail(what + " [" + isa + "]: " + threads + " threads differ from 1 thread at " + i + ": " + got[i] + " vs " + ref[i]);
                        }
                    }
                }
            });
        } finally {
            CpuRuntime.setThreads(before);
        }
    }

    /** Requires |actual - expected| <= atol + rtol * |expected| everywhere; reports the worst element. */
    static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        int worst = -1;
        double worstExcess = 0, worstRatio = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (allowed > 0) worstRatio = Math.max(worstRatio, err / allowed);
            boolean bad = !(err <= allowed);  // NaN counts as bad
            if (bad && (worst < 0 || !(err - allowed <= worstExcess))) {
                worst = i;
                worstExcess = err - allowed;
            }
        }
        if (REPORT) System.out.printf("%s: worst error / allowed = %.3f%n", what, worstRatio);
        if (worst >= 0) {
            fail(what + ": element " + worst + " is " + actual[worst] + ", expected " + expected[worst] + " (atol " + atol + ", rtol " + rtol
                    + ")");
        }
    }

    /** -Ddqw.test.reportErrors=true prints how much of each tolerance was used (for choosing tolerances). */
    private static final boolean REPORT = Boolean.getBoolean("dqw.test.reportErrors");

    /** The same check for two double arrays (reference against reference, e.g. analytic vs finite differences). */
    static void assertClose(String what, double[] expected, double[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (atol " + atol + ", rtol " + rtol + ")");
            }
        }
    }

    /** Requires |actual[i] - expected[i]| <= allowed[i] everywhere (per-element error bounds). */
    static void assertWithin(String what, double[] expected, float[] actual, double[] allowed) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worstRatio = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= allowed[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (allowed error " + allowed[i] + ")");
            }
            if (allowed[i] > 0) worstRatio = Math.max(worstRatio, err / allowed[i]);
        }
        if (REPORT) System.out.printf("%s: worst error / allowed = %.3f%n", what, worstRatio);
    }

    /** Largest |v|, for tolerances that scale with the data. */
    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    static float[] gaussian(SplittableRandom rnd, int n, double sigma) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller from two uniforms (SplittableRandom has no nextGaussian on Java 17)
            double u = 1 - rnd.nextDouble(), w = rnd.nextDouble();
            out[i] = (float) (sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w));
        }
        return out;
    }

    static float[] uniform(SplittableRandom rnd, int n, double lo, double hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return out;
    }

    static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    /** Central differences of a scalar function of x, in double precision: (f(x + h e_i) - f(x - h e_i)) / 2h. */
    static double[] numericGradient(ToDoubleFunction<double[]> f, double[] x, double h) {
        double[] g = new double[x.length];
        double[] xp = x.clone();
        for (int i = 0; i < x.length; i++) {
            xp[i] = x[i] + h;
            double up = f.applyAsDouble(xp);
            xp[i] = x[i] - h;
            double down = f.applyAsDouble(xp);
            xp[i] = x[i];
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Owns the tensors a test allocates and closes them all. */
    static final class Tensors implements AutoCloseable {
        private final List<Tensor> owned = new ArrayList<>();

        Tensor of(float[] data, long... shape) {
            return keep(Tensor.of(data, shape));
        }

        Tensor ints(int[] data, long... shape) {
            return keep(Tensor.of(data, shape));
        }

        Tensor zeros(long... shape) {
            return keep(Tensor.allocate(DType.F32, shape));
        }

        Tensor named(String name, DType dtype, long... shape) {
            return keep(Tensor.allocate(name, dtype, shape));
        }

        private Tensor keep(Tensor t) {
            owned.add(t);
            return t;
        }

        @Override
        public void close() {
            for (Tensor t : owned) t.close();
        }
    }
}
