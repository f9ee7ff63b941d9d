package org.dqwhisper.cli;

import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.dqwhisper.bench.GemmBenchmark;
import org.dqwhisper.kernels.CpuPeak;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.GemmBackend;
import org.dqwhisper.kernels.GemmBackends;
import org.dqwhisper.kernels.OneDnnGemmBackend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dqw bench ...}: micro-benchmarks of the kernels. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Micro-benchmarks of the kernels.", subcommands = {BenchCommand.Gemm.class, BenchModelCommand.class})
public final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code dqw bench gemm}: GEMM throughput of the native and oneDNN backends on Whisper's Linear shapes. */
    @Command(name = "gemm", mixinStandardHelpOptions = true, description = {
        "GEMM throughput (Gop/s = 2*M*N*K / time) on Whisper's Linear shapes, per implementation and thread count.",
        "Implementations: " + "int8, int8-gemm, fp32 (native; need the native backend), onednn-int8, onednn-int8-linear, onednn-fp32.",
        "oneDNN's thread count is its process setting (OMP_NUM_THREADS, else all CPUs); its rows record it.",
        "Use a quiet machine: neighbours distort multi-thread timings."})
    static final class Gemm implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--threads", split = ",", defaultValue = "1,2", paramLabel = "N",
                description = "Native thread counts, comma-separated (default: ${DEFAULT-VALUE}).")
        List<Integer> threads;

        @Option(names = "--json", description = "Print the rows as a JSON array [{m,n,k,impl,threads,gops}] on stdout (the table goes to stderr).")
        boolean json;

        @Option(names = "--quick", description = "Only base-model fc1/fc2 at M = 1500 and M = 1.")
        boolean quick;

        @Option(names = "--impl", split = ",", paramLabel = "NAME", description = "Implementations to run (default: all available).")
        List<String> impls;

        @Option(names = "--shape", split = ",", paramLabel = "MxKxN", description = "Custom shapes instead of Whisper's, e.g. 1500x512x2048.")
        List<String> shapes;

        @Option(names = "--warmup", defaultValue = "2", description = "Warm-up samples (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--iterations", defaultValue = "7", description = "Measured samples; the median is reported (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--min-sample-ms", defaultValue = "20", description = "Each sample repeats the call for at least this long (default: ${DEFAULT-VALUE}).")
        double minSampleMillis;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            PrintWriter table = json ? err : out;
            GemmBenchmark.Settings settings = new GemmBenchmark.Settings(warmup, iterations, minSampleMillis);
            List<GemmBenchmark.Shape> shapeList = new ArrayList<>();
            if (shapes != null && !shapes.isEmpty()) {
                for (String s : shapes) shapeList.add(GemmBenchmark.Shape.parse(s));
            } else {
                shapeList.addAll(GemmBenchmark.whisperShapes(quick));
            }
            if (impls != null) GemmBenchmark.checkImpls(impls);
            for (int t : threads) {
                if (t < 1) throw new IllegalArgumentException("--threads: thread counts must be >= 1, got " + t);
            }
            List<GemmBackend> backends = GemmBackends.available();
            try {
                GemmBenchmark bench = new GemmBenchmark(backends, settings);
                List<String> run = impls == null ? bench.availableImpls() : impls;
                for (String i : run) {
                    if (!bench.availableImpls().contains(i)) err.println("skipping " + i + ": its backend is not available in this build");
                }
                table.printf(Locale.ROOT, "# oneDNN %s, OpenMP threads %d; %d shapes%n", OneDnnGemmBackend.oneDnnVersion(),
                        OneDnnGemmBackend.openMpThreads(), shapeList.size());
                double int8Peak = Double.NaN;
                double fp32Peak = Double.NaN;
                try {
                    int8Peak = CpuPeak.gops(CpuPeak.Kind.INT8, 5, 30);
                    fp32Peak = CpuPeak.gops(CpuPeak.Kind.FP32, 5, 30);
                    table.printf(Locale.ROOT, "# peak of one core on the %s path (measured, register-only): INT8 %.1f Gop/s, FP32 %.1f Gflop/s;"
                            + " %%peak = Gop/s / (threads x that)%n", CpuRuntime.activeIsa().name().toLowerCase(Locale.ROOT), int8Peak, fp32Peak);
                } catch (IllegalStateException e) {
                    err.println("no peak figures (the native library is not available): " + e.getMessage());
                }
                final double int8PeakGops = int8Peak;
                final double fp32PeakGops = fp32Peak;
                table.printf(Locale.ROOT, "%6s %6s %6s  %-19s %7s %10s %10s %6s%n", "M", "K", "N", "impl", "threads", "Gop/s", "ms/call", "%peak");
                table.flush();
                Consumer<GemmBenchmark.Row> print = r -> {
                    double ms = 2.0 * r.m() * r.n() * r.k() / r.gops() / 1e6;
                    double peak = (r.impl().endsWith("fp32") ? fp32PeakGops : int8PeakGops) * r.threads();
                    table.printf(Locale.ROOT, "%6d %6d %6d  %-19s %7d %10.1f %10.3f %6.1f%n", r.m(), r.k(), r.n(), r.impl(), r.threads(), r.gops(), ms,
                            100 * r.gops() / peak);
                    table.flush();
                };
                List<GemmBenchmark.Row> rows = bench.run(shapeList, run, threads, print);
                if (json) {
                    out.println(new GsonBuilder().setPrettyPrinting().create().toJson(rows));
                    out.flush();
                }
            } finally {
                GemmBackends.closeAll(backends);
            }
            return 0;
        }
    }
}
