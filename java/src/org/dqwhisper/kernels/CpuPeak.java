package org.dqwhisper.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import org.dqwhisper.nativelib.NativeCpu;

/**
 * What one core can do at most on the active instruction-set path, measured: the instruction mix that bounds
 * each GEMM family (INT8: {@code vpdpbusd} zmm on AVX-512 VNNI, {@code vpmaddwd + vpaddd} ymm on AVX2, their SSE2 forms
 * on the scalar path, which the compiler vectorises with the baseline's SSE2; FP32: {@code vfmadd231ps}, or
 * {@code mulps + addps}), run from registers over enough independent accumulators to fill the pipes. A GEMM's
 * fraction of this figure says how much headroom a faster kernel could still find; benchmarks print it next to
 * their throughput ({@code dqw bench gemm}).
 *
 * <p>Each sample is timed by the calling thread's CPU time where the JVM supports it (so a neighbour that takes
 * the core away does not count), else by wall time; the best sample is the figure.
 */
public final class CpuPeak {
    /** The GEMM family whose bounding instruction mix is probed (operations: 2 per multiply-add). */
    public enum Kind {
        INT8(0), FP32(1);

        final int code;

        Kind(int code) {
            this.code = code;
        }
    }

    private CpuPeak() {}

    /** Operations {@code rounds} rounds of the probe perform on the active path (it runs them). */
    public static double probe(Kind kind, long rounds) {
        if (kind == null) throw new IllegalArgumentException("peak probe: kind is null");
        if (rounds < 1) throw new IllegalArgumentException("peak probe: rounds must be >= 1, got " + rounds);
        CpuRuntime.ensureLoaded();
        double ops = NativeCpu.dqw_cpu_peak_probe(kind.code, rounds);
        if (!(ops > 0)) throw new IllegalStateException("peak probe " + kind + " failed (native returned " + ops + ")");
        return ops;
    }

    /**
     * One core's peak in 10^9 operations per second on the active path: the best of {@code samples} samples, each
     * at least {@code minSampleMillis} long.
     */
    public static double gops(Kind kind, int samples, double minSampleMillis) {
        if (samples < 1) throw new IllegalArgumentException("peak probe: samples must be >= 1, got " + samples);
        if (!(minSampleMillis > 0) || minSampleMillis > 60_000) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "peak probe: sample length must be in (0, 60000] ms, got %s", minSampleMillis));
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        boolean cpuTime = mx.isCurrentThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled();
        long rounds = 1 << 12;
        probe(kind, rounds); // warm up: page in, wake the vector units
        double best = 0;
        int taken = 0;
        while (taken < samples) {
            long t0 = cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime();
            double ops = probe(kind, rounds);
            long ns = (cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
            if (ns < minSampleMillis * 1e6) {
                if (rounds > Long.MAX_VALUE / 8) throw new IllegalStateException("peak probe " + kind + ": cannot time it");
                rounds *= ns < minSampleMillis * 1e5 ? 8 : 2;
                continue;
            }
            best = Math.max(best, ops / ns);
            taken++;
        }
        return best;
    }
}
