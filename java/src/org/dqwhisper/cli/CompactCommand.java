package org.dqwhisper.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.CompactCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dqw compact}: stores a model's weight matrices as 8-bit codes + per-row scales (a quarter of FP32), loaded back as FP32. */
@Command(name = "compact",
        description = {"Store a model in 8-bit storage (weight matrices as int8 codes + per-row scales, the rest F32):",
            "about a quarter of its FP32 size on disk; dqw loads it back as an ordinary FP32 model (dequantized).",
            "For shipping checkpoints, not for integer inference (use dqw quantize for that)."})
public final class CompactCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "Model to store (HF folder, OpenAI checkpoint, ...).")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (must not exist or be empty).")
    Path out;

    @Override
    public Integer call() throws Exception {
        try (WhisperModel m = WhisperModel.load(model, Precision.FP32)) {
            long bytes = CompactCheckpoint.write(m.stateTensors(), m.config(), out);
            long fp32 = 0;
            for (var t : m.stateTensors().values()) fp32 += t.numel() * 4;
            System.out.printf(Locale.ROOT, "wrote %s: %.2f MB (FP32 %.2f MB, %.2fx smaller)%n", out, bytes / 1e6, fp32 / 1e6, (double) fp32 / bytes);
        }
        return Files.isDirectory(out) ? 0 : 1;
    }
}
