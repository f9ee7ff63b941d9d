package org.dqwhisper.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.GemmBackend;
import org.dqwhisper.kernels.GemmBackends;
import org.dqwhisper.kernels.OneDnnGemmBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * GEMM throughput (JMH, ops/s = calls per second; Gop/s = ops/s · 2·M·K·N / 1e9) per shape, implementation
 * and thread count, through the same workloads as {@code dqw bench gemm} ({@link GemmBenchmark.Workload}:
 * bias on every call, GELU when N = 4K).
 *
 * <pre>
 * # every available implementation; oneDNN only at its OpenMP thread count, native at threads 1 and 2:
 * mvn -B test-compile exec:exec@main -Dmain.class=org.dqwhisper.bench.GemmBench \
 *     -Dmain.args="-f 1 -wi 3 -w 2 -i 5 -r 2 -rf json -rff target/jmh-gemm.json"
 *
 * # plain JMH (pick the parameters yourself):
 * mvn -B test-compile exec:exec@jmh -Djmh.args="GemmBench -f 1 -wi 3 -w 2 -i 5 -r 2 \
 *     -p impl=onednn-int8,onednn-int8-linear,onednn-fp32 -p threads=2 -p shape=1500x512x2048"
 * OMP_NUM_THREADS=1 mvn -B test-compile exec:exec@jmh -Djmh.args="GemmBench ... -p threads=1"
 * </pre>
 *
 * oneDNN's thread count is fixed per process by OpenMP ({@code OMP_NUM_THREADS}, else all CPUs; the JMH
 * fork inherits the environment). Under plain JMH a trial whose backend is missing from the build (the
 * native impls before {@code NativeGemmBackend} exists) or whose {@code threads} differs from oneDNN's
 * OpenMP count fails in {@code @Setup} with a message saying so, and JMH moves on; {@link #main} runs only
 * the valid combinations (with {@code -rff F}, the oneDNN group's results go to {@code F} with
 * "-onednn" before the extension). Measure on a quiet machine: 2-thread figures collapse when a
 * neighbour takes a core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GemmBench {
    /** "MxKxN": Whisper base (d = 512) and small (d = 768) fc1 (K = d, N = 4d) and fc2 (K = 4d, N = d), encoder M = 1500, decoder M = 1 and 5. */
    @Param({"1500x512x2048", "1500x2048x512", "1x512x2048", "1x2048x512", "5x512x2048", "5x2048x512",
        "1500x768x3072", "1500x3072x768", "1x768x3072", "1x3072x768", "5x768x3072", "5x3072x768"})
    public String shape;

    @Param({"int8", "int8-gemm", "fp32", "onednn-int8", "onednn-int8-linear", "onednn-fp32"})
    public String impl;

    @Param({"1", "2"})
    public int threads;

    private List<GemmBackend> backends;
    private GemmBenchmark.Workload work;
    private int savedThreads = -1;

    @Setup
    public void setUp() {
        backends = GemmBackends.available();
        String backendName = GemmBenchmark.backendOf(impl);
        GemmBackend be = backends.stream().filter(b -> b.name().equals(backendName)).findFirst().orElseThrow(() ->
                new IllegalStateException("impl " + impl + " needs backend '" + backendName + "', which this build does not have"));
        if (be instanceof OneDnnGemmBackend && threads != OneDnnGemmBackend.openMpThreads()) {
            throw new IllegalStateException("oneDNN runs with OpenMP threads = " + OneDnnGemmBackend.openMpThreads()
                    + " in this process; run with OMP_NUM_THREADS=" + threads + " for threads=" + threads);
        }
        if (!(be instanceof OneDnnGemmBackend)) {
            savedThreads = CpuRuntime.threads();
            CpuRuntime.setThreads(threads);
        }
        work = GemmBenchmark.Workload.prepare(be, impl, GemmBenchmark.Shape.parse(shape));
        work.run(); // builds plans outside the measurement
    }

    @Benchmark
    public void gemm() {
        work.run();
    }

    @TearDown
    public void tearDown() {
        if (work != null) work.close();
        if (savedThreads > 0) CpuRuntime.setThreads(savedThreads);
        GemmBackends.closeAll(backends);
    }

    /** Runs the valid (impl, threads) combinations only; JMH command-line options as usual. */
    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        List<String> nativeImpls = new ArrayList<>();
        List<String> oneDnnImpls = new ArrayList<>();
        List<GemmBackend> present = GemmBackends.available();
        try {
            GemmBenchmark probe = new GemmBenchmark(present, GemmBenchmark.Settings.DEFAULT);
            List<String> wanted = cli.getParameter("impl").hasValue() ? new ArrayList<>(cli.getParameter("impl").get()) : GemmBenchmark.IMPLS;
            for (String i : wanted) {
                if (!probe.availableImpls().contains(i)) {
                    System.err.println("GemmBench: skipping " + i + ": its backend is not in this build");
                } else if (GemmBenchmark.backendOf(i).equals(OneDnnGemmBackend.NAME)) {
                    oneDnnImpls.add(i);
                } else {
                    nativeImpls.add(i);
                }
            }
        } finally {
            GemmBackends.closeAll(present);
        }
        if (!nativeImpls.isEmpty()) {
            new Runner(group(cli, nativeImpls, null, null)).run();
        }
        if (!oneDnnImpls.isEmpty()) {
            String omp = Integer.toString(OneDnnGemmBackend.openMpThreads());
            String result = cli.getResult().hasValue() && !nativeImpls.isEmpty() ? suffixed(cli.getResult().get(), "-onednn") : null;
            new Runner(group(cli, oneDnnImpls, omp, result)).run();
        }
    }

    private static Options group(CommandLineOptions cli, List<String> impls, String threads, String result) {
        ChainedOptionsBuilder b = new OptionsBuilder().parent(cli).param("impl", impls.toArray(new String[0]));
        if (cli.getIncludes().isEmpty()) b.include(GemmBench.class.getName());
        if (threads != null) b.param("threads", threads);
        if (result != null) b.result(result);
        return b.build();
    }

    private static String suffixed(String file, String suffix) {
        int dot = file.lastIndexOf('.');
        return dot > file.lastIndexOf('/') ? file.substring(0, dot) + suffix + file.substring(dot) : file + suffix;
    }
}
