package org.dqwhisper.quant;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.Isa;

/** ISA and thread-count loops, random data and bit comparisons shared by the quant and distill tests. */
public final class QuantTestSupport {
    private QuantTestSupport() {}

    public interface IsaBody {
        void run(Isa isa) throws Exception;
    }

    /** Every ISA path this CPU can run, lowest first. */
    public static List<Isa> isas() {
        List<Isa> out = new ArrayList<>();
        for (Isa isa : Isa.values()) if (isa.level() <= CpuRuntime.detectedIsa().level()) out.add(isa);
        return out;
    }

    /** Runs body once per ISA path with that path forced; restores automatic choice afterwards. */
    public static void forEachIsa(IsaBody body) throws Exception {
        for (Isa isa : isas()) {
            CpuRuntime.forceIsa(isa);
            try {
                body.run(isa);
            } finally {
                CpuRuntime.forceIsa(null);
            }
        }
    }

    /** Runs the computation with 1, 2 and 3 threads and requires bit-identical float results. */
    public static void assertThreadInvariant(String what, Supplier<float[]> computation) {
        int before = CpuRuntime.threads();
        try {
            float[] ref = null;
            for (int threads = 1; threads <= 3; threads++) {
                CpuRuntime.setThreads(threads);
                float[] got = computation.get();
                if (ref == null) ref = got;
                else assertBitsEqual(what + " with " + threads + " threads vs 1", ref, got);
            }
        } finally {
            CpuRuntime.setThreads(before);
        }
    }

    public static void assertBitsEqual(String what, float[] expected, float[] actual) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + " != " + expected.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected exactly " + expected[i]);
            }
        }
    }

    /** Gaussian values with a few outliers (x8) and some exact zeros, like trained weights. */
    public static float[] weights(Random r, int len, double sigma) {
        float[] f = new float[len];
        for (int i = 0; i < len; i++) {
            double v = r.nextGaussian() * sigma;
            if (r.nextInt(50) == 0) v *= 8;
            if (r.nextInt(97) == 0) v = 0;
            f[i] = (float) v;
        }
        return f;
    }

    public static float[] uniform(Random r, int len, double lo, double hi) {
        float[] f = new float[len];
        for (int i = 0; i < len; i++) f[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return f;
    }
}
