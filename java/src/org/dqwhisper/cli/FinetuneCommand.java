package org.dqwhisper.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.train.FinetuneRun;
import org.dqwhisper.train.LearningRateSchedule;
import org.dqwhisper.train.TrainerOptions;
import org.dqwhisper.train.data.FeatureCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dqw finetune}: fine-tunes a Whisper model on a JSONL manifest (a shell over {@link FinetuneRun}). */
@Command(name = "finetune",
        description = {"Fine-tune a Whisper model (FP32, AdamW) on a JSONL manifest with periodic dev-set WER/CER.",
            "Manifest lines: {\"audio\": path relative to the manifest, \"text\": transcript, \"language\": code}.",
            "Writes OUT/checkpoint-N (Hugging Face folder + trainer state), OUT/model, OUT/metrics.csv, OUT/curves.png."})
public final class FinetuneCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model to start from (HF folder or OpenAI checkpoint).")
    Path model;

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "Training manifest (JSONL).")
    Path train;

    @Option(names = "--dev", paramLabel = "FILE", description = "Dev manifest (JSONL) for greedy-decoding WER/CER.")
    Path dev;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--steps", defaultValue = "1000", description = "Optimizer updates (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch-size", defaultValue = "8", description = "Utterances per micro-batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-5", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", defaultValue = "-1", description = "Linear warm-up updates (default: 10% of --steps).")
    long warmup;

    @Option(names = "--decay", defaultValue = "linear", description = "Decay after warm-up: linear, cosine or constant (default ${DEFAULT-VALUE}).")
    String decay;

    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient-norm clip, 0 = off (default ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--accum", defaultValue = "1", description = "Gradient accumulation micro-batches per update (default ${DEFAULT-VALUE}).")
    int accum;

    @Option(names = "--label-smoothing", defaultValue = "0.0", description = "Cross-entropy label smoothing (default ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of data order and randomness (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-every", defaultValue = "0", description = "Dev evaluation every N updates, 0 = only at the end.")
    int evalEvery;

    @Option(names = "--save-every", defaultValue = "0", description = "Checkpoint every N updates, 0 = only at the end.")
    int saveEvery;

    @Option(names = "--log-every", defaultValue = "10", description = "Progress line every N updates (default ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "2", description = "Newest checkpoints kept (default ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--freeze-encoder", description = "Train only the decoder (the encoder keeps no activations).")
    boolean freezeEncoder;

    @Option(names = "--resume", description = "Continue exactly from the newest checkpoint in --out (same settings required).")
    boolean resume;

    @Option(names = "--spec-augment", description = "SpecAugment the training inputs (2 frequency masks <= 27 bins, 2 time masks <= 100 frames / 5%%;"
            + " off by default for exactly reproducible inputs).")
    boolean specAugment;

    @Option(names = "--feature-cache", paramLabel = "DIR", description = "On-disk log-mel cache (default: OUT/feature-cache).")
    Path featureCache;

    @Option(names = "--framing", defaultValue = "transcribe-window", paramLabel = "KIND",
            description = "Model input: transcribe-window (log-mel of the audio + 30 s of zeros, what transcribe feeds) or padded-audio"
                    + " (audio zero-padded to 30 s, then log-mel, as Hugging Face and the demo do) (default ${DEFAULT-VALUE}).")
    String framing;

    @Option(names = "--threads", defaultValue = "0", description = "Kernel threads, 0 = all cores.")
    int threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (threads < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 0");
        if (threads > 0) CpuRuntime.setThreads(threads);
        TrainerOptions options;
        FinetuneRun.Settings settings;
        try {
            options = new TrainerOptions(steps, lr, warmup < 0 ? steps / 10 : warmup, LearningRateSchedule.Decay.parse(decay), weightDecay, clip,
                    accum, labelSmoothing, seed, 0.9, 0.999, 1e-8);
            settings = new FinetuneRun.Settings(model, train, dev, out, options, batchSize, evalEvery, saveEvery, logEvery, freezeEncoder,
                    resume, keep, 0, specAugment, featureCache, parseFraming(framing));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream err = System.err;
        FinetuneRun.Result r = FinetuneRun.run(settings, err);
        if (r.dev() != null) {
            System.out.printf(java.util.Locale.ROOT, "final dev WER %.2f%% CER %.2f%%%n", 100 * r.dev().wer(), 100 * r.dev().cer());
        }
        return 0;
    }

    static FeatureCache.Framing parseFraming(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "transcribe-window" -> FeatureCache.Framing.TRANSCRIBE_WINDOW;
            case "padded-audio" -> FeatureCache.Framing.PADDED_AUDIO;
            default -> throw new IllegalArgumentException("--framing must be transcribe-window or padded-audio, got '" + s + "'");
        };
    }
}
