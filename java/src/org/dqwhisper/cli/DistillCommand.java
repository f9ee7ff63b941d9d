package org.dqwhisper.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dqwhisper.distill.DistillRun;
import org.dqwhisper.distill.DistillationLosses;
import org.dqwhisper.distill.Distiller;
import org.dqwhisper.distill.DynamicLayerMatcher;
import org.dqwhisper.quant.QuantConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dqw distill}: DQ-Whisper distillation, optionally quantization-aware (a shell over {@link DistillRun}). */
@Command(name = "distill",
        description = {"Distil a frozen FP teacher into a student: L = (1-alpha)*CE + alpha*(KL_T + L_hid [+ L_hid_enc]) with matched decoder FFN",
            "activations; --quant fake-quantizes the student while it learns (QAD) and exports its integer weights.",
            "Writes OUT/checkpoint-N (student + adapter + optimizer state), OUT/model, OUT/model-quantized (with --quant),",
            "OUT/matching.csv, OUT/matching.png, OUT/metrics.csv and OUT/curves.png (loss curve)."})
public final class DistillCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--teacher", required = true, paramLabel = "DIR", description = "Teacher model (frozen, FP32).")
    Path teacher;

    @Option(names = "--student", paramLabel = "DIR", description = "Student checkpoint (or use --student-layers).")
    Path student;

    @Option(names = "--student-layers", defaultValue = "0", paramLabel = "N",
            description = "Initialise the student from N maximally spaced teacher decoder layers.")
    int studentLayers;

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "Training manifest (JSONL).")
    Path train;

    @Option(names = "--dev", paramLabel = "FILE", description = "Dev manifest (JSONL): student cross-entropy at the end.")
    Path dev;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--match", defaultValue = "dynamic", description = "static, dynamic, dynamic-free, logits or none (default ${DEFAULT-VALUE}).")
    String match;

    @Option(names = "--quant", defaultValue = "none", description = "Student fake quantization: none, w8, w8a8, w4g64, ...; inputs are quantized as the integer kernels do unless :weight-only (default ${DEFAULT-VALUE}).")
    String quant;

    @Option(names = "--alpha", defaultValue = "0.9", description = "Weight of the distillation terms (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--hidden-weight", defaultValue = "1", description = "Multiplier of the hidden-state terms (default ${DEFAULT-VALUE}:"
            + " the paper's loss, L = (1-alpha)*CE + alpha*(KL + L_hid)).")
    double hiddenWeight;

    @Option(names = "--temperature", defaultValue = "1", description = "Softmax temperature (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--reduction", defaultValue = "mean-per-token", description = "Loss reduction over tokens: mean-per-token or sum (the authors').")
    String reduction;

    @Option(names = "--train-encoder", description = "Train the student encoder too (frozen by default, as the authors' code).")
    boolean trainEncoder;

    @Option(names = "--match-encoder", defaultValue = "none", description = "With --train-encoder: also match encoder layers' FFN activations"
            + " (own adapter and matching log): static, dynamic, dynamic-free or none (default ${DEFAULT-VALUE}).")
    String matchEncoder;

    @Option(names = "--hidden-source", defaultValue = "masked", description = "Decoder FFN activations of L_hid: masked (the causal training"
            + " forward's) or unmasked-recompute (the authors' code: recomputed per block with self-attention unmasked; logits stay causal)"
            + " (default ${DEFAULT-VALUE}).")
    String hiddenSource;

    @Option(names = "--steps", defaultValue = "1000", description = "Optimizer updates (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch-size", defaultValue = "8", description = "Utterances per batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", defaultValue = "-1", description = "Linear warm-up updates (default: 10% of --steps).")
    long warmup;

    @Option(names = "--weight-decay", defaultValue = "0.0", description = "AdamW weight decay (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of data order and adapter init (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--log-every", defaultValue = "10", description = "Progress line every N updates (default ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--save-every", defaultValue = "0", description = "Checkpoint every N steps, 0 = only at the end.")
    int saveEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "2", description = "Newest checkpoints kept (default ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--resume", description = "Continue exactly from the newest checkpoint in --out (same settings required).")
    boolean resume;

    @Option(names = "--spec-augment", description = "SpecAugment the training inputs (2 frequency masks <= 27 bins, 2 time masks <= 100 frames / 5%%;"
            + " off by default for exactly reproducible inputs).")
    boolean specAugment;

    @Option(names = "--feature-cache", paramLabel = "DIR", description = "On-disk log-mel cache (default: OUT/feature-cache).")
    Path featureCache;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        DistillRun.Settings settings;
        try {
            QuantConfig q = QuantConfig.parse(quant);
            org.dqwhisper.distill.QuantizedExport.checkExportable(q);
            Distiller.Options o = new Distiller.Options(DynamicLayerMatcher.Mode.parse(match), alpha, temperature,
                    DistillationLosses.Reduction.parse(reduction), q, trainEncoder, weightDecay, seed,
                    org.dqwhisper.distill.HiddenSource.parse(hiddenSource), DynamicLayerMatcher.Mode.parse(matchEncoder), hiddenWeight);
            settings = new DistillRun.Settings(teacher, student, studentLayers, train, dev, out, o, steps, batchSize, lr,
                    warmup < 0 ? steps / 10 : warmup, logEvery, saveEvery, resume, keep, 0, specAugment, featureCache);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        DistillRun.Result r = DistillRun.run(settings, System.err);
        System.out.printf(java.util.Locale.ROOT, "distilled %d steps, last loss %.4f, dev CE %.4f%n", r.steps(), r.lastLoss(), r.devCrossEntropy());
        return 0;
    }
}
