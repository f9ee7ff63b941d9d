package org.dqwhisper.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.GemmBackend;
import org.dqwhisper.kernels.GemmBackends;

/**
 * Speed ratio of two GEMM implementations on a shared, noisy machine (a tuning probe, not a JMH benchmark):
 * the two run alternately, round after round, each sample timed by the thread's CPU time (immune to the
 * core being taken away), and the ratio is taken per round, from neighbouring samples, so that a slow
 * moment slows both sides. Reports the median ratio and its range over the rounds, and each side's median
 * Gop/s. Same workloads as {@code dqw bench gemm} (bias always, GELU when N = 4K), one native thread.
 *
 * <pre>
 * OMP_NUM_THREADS=1 mvn -B -ntp test-compile exec:exec@main -Dmain.class=org.dqwhisper.bench.PairedGemmProbe \
 *     -Dmain.args="--base=fp32 --impl=int8-gemm --rounds=15 --shape=1500x384x1536,1500x512x2048"
 * </pre>
 */
public final class PairedGemmProbe {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PairedGemmProbe() {}

    public static void main(String[] args) {
        String base = "fp32", impl = "int8-gemm";
        int rounds = 15;
        double sampleMillis = 100;
        List<GemmBenchmark.Shape> shapes = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--base=")) base = a.substring(7);
            else if (a.startsWith("--impl=")) impl = a.substring(7);
            else if (a.startsWith("--rounds=")) rounds = Integer.parseInt(a.substring(9));
            else if (a.startsWith("--sample-ms=")) sampleMillis = Double.parseDouble(a.substring(12));
            else if (a.startsWith("--shape=")) for (String s : a.substring(8).split(",")) shapes.add(GemmBenchmark.Shape.parse(s));
            else throw new IllegalArgumentException("unknown argument " + a
                    + " (--base=IMPL --impl=IMPL --rounds=N --sample-ms=MS --shape=MxKxN[,...])");
        }
        if (rounds < 1 || sampleMillis <= 0) throw new IllegalArgumentException("--rounds must be >= 1 and --sample-ms > 0");
        if (shapes.isEmpty()) shapes.addAll(GemmBenchmark.whisperShapes(true));
        GemmBenchmark.checkImpls(List.of(base, impl));
        THREADS.setThreadCpuTimeEnabled(true);
        HeapWarmup.cycleYoungGeneration();
        List<GemmBackend> backends = GemmBackends.available();
        int saved = CpuRuntime.threads();
        try {
            CpuRuntime.setThreads(1);
            System.out.printf(Locale.ROOT, "# %s vs %s, %d alternating rounds of >= %.0f ms each, thread CPU time, 1 native thread%n",
                    impl, base, rounds, sampleMillis);
            System.out.printf(Locale.ROOT, "%6s %6s %6s  %12s %12s  %s%n", "M", "K", "N", base + " Gop/s", impl + " Gop/s",
                    "speed ratio median (min-max)");
            for (GemmBenchmark.Shape s : shapes) {
                try (GemmBenchmark.Workload a = prepare(backends, base, s); GemmBenchmark.Workload b = prepare(backends, impl, s)) {
                    a.run();
                    b.run();
                    double[] ta = new double[rounds], tb = new double[rounds], ratio = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        ta[r] = secondsPerCall(a, sampleMillis);
                        tb[r] = secondsPerCall(b, sampleMillis);
                        ratio[r] = ta[r] / tb[r];
                    }
                    Arrays.sort(ta);
                    Arrays.sort(tb);
                    Arrays.sort(ratio);
                    System.out.printf(Locale.ROOT, "%6d %6d %6d  %12.1f %12.1f  %.3f (%.3f-%.3f)%n", s.m(), s.k(), s.n(),
                            s.ops() / ta[rounds / 2] * 1e-9, s.ops() / tb[rounds / 2] * 1e-9, ratio[rounds / 2], ratio[0],
                            ratio[rounds - 1]);
                }
            }
        } finally {
            CpuRuntime.setThreads(saved);
            GemmBackends.closeAll(backends);
        }
    }

    private static GemmBenchmark.Workload prepare(List<GemmBackend> backends, String impl, GemmBenchmark.Shape s) {
        String name = GemmBenchmark.backendOf(impl);
        GemmBackend be = backends.stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException(impl + " needs backend '" + name + "', not in this build"));
        return GemmBenchmark.Workload.prepare(be, impl, s);
    }

    /**
     * CPU seconds per call over one sample of at least {@code millis} of thread CPU time. The clock is read once per
     * batch of calls (batches of about a millisecond): reading it costs about a microsecond here, as much as a
     * whole M = 1 call, and read after every call it would swamp the small decoder shapes.
     */
    private static double secondsPerCall(Runnable call, double millis) {
        long c0 = THREADS.getCurrentThreadCpuTime();
        call.run();
        long single = Math.max(1, THREADS.getCurrentThreadCpuTime() - c0);
        int batch = (int) Math.max(1, Math.min(1_000_000, 1_000_000 / single));
        long budget = (long) (millis * 1e6);
        long n = 1;
        long c1;
        do {
            for (int i = 0; i < batch; i++) call.run();
            n += batch;
            c1 = THREADS.getCurrentThreadCpuTime();
        } while (c1 - c0 < budget);
        return (c1 - c0) * 1e-9 / n;
    }
}
