package org.dqwhisper.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.dqwhisper.bench.ModelBenchmark;
import org.dqwhisper.nn.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dqw bench model}: load time, resident memory, encoder ms per 30 s window and decoder ms/token. */
@Command(name = "model", mixinStandardHelpOptions = true, description = {
    "Whole-model timings at an official size (random weights of the real shapes, written once as a checkpoint).",
    "Encoder time covers one 30 s window plus the cross-attention K/V; decode is ms per token on the KV cache."})
final class BenchModelCommand implements Callable<Integer> {
    @Option(names = "--size", defaultValue = "base", description = "tiny, base, small, medium, large-v3 (default: ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--model", description = "benchmark this checkpoint instead of a random one")
    Path model;

    @Option(names = "--threads", split = ",", defaultValue = "2", description = "thread counts (default: ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--precision", split = ",", defaultValue = "fp32,int8", description = "default: ${DEFAULT-VALUE}")
    List<String> precisions;

    @Option(names = "--runs", defaultValue = "3", description = "encoder runs, median reported (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--tokens", defaultValue = "32", description = "decoded tokens (default: ${DEFAULT-VALUE})")
    int tokens;

    @Override
    public Integer call() throws Exception {
        Path ck = model;
        Path tmp = null;
        if (ck == null) {
            tmp = Files.createTempDirectory("dqw-bench-" + size);
            ck = ModelBenchmark.writeRandomCheckpoint(size, tmp);
        }
        try {
            System.out.printf("%-9s %-6s %7s %9s %8s %11s %14s%n", "size", "prec", "threads", "load ms", "rss MiB", "encoder ms", "decode ms/tok");
            for (int t : threads) {
                for (String p : precisions) {
                    ModelBenchmark.Row r = ModelBenchmark.run(size, ck, Precision.parse(p), t, runs, tokens);
                    System.out.printf("%-9s %-6s %7d %9.0f %8d %11.1f %14.2f%n", r.size(), r.precision(), r.threads(), r.loadMs(),
                            r.rssDeltaMb(), r.encoderMs(), r.decodeMsPerToken());
                }
            }
        } finally {
            if (tmp != null) {
                try (var s = Files.walk(tmp)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        return 0;
    }
}
