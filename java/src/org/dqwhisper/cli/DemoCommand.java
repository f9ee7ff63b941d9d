package org.dqwhisper.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dqwhisper.corpus.CorpusConfig;
import org.dqwhisper.demo.DemoResults;
import org.dqwhisper.demo.DemoRun;
import org.dqwhisper.demo.PairedComparison;
import org.dqwhisper.kernels.CpuRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dqw demo}: DQ-Whisper end to end on the built-in multilingual corpus (a shell over {@link DemoRun}). */
@Command(name = "demo",
        description = {"DQ-Whisper end to end on the built-in espeak-ng corpus (8 languages): the bundled teacher (4+4 layers, d=256)",
            "is distilled into the bundled student (2+2, d=120) with CE only, logits, static and dynamic matching, W8/W4",
            "quantization-aware distillation and PTQ; every system is scored per language on unseen speakers, exported to",
            "integer weights, sized, and timed FP32 vs INT8. Writes OUT/report.md (+ PNG charts), OUT/results.md, OUT/results.json."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--out", defaultValue = "demo-out", paramLabel = "DIR", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seeds", defaultValue = "1", description = "Seeds per student system; 3 gives the README's table (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--steps", defaultValue = "80", description = "Updates per student (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "16", description = "Utterances per update (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "5e-4", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", defaultValue = "8", description = "Warm-up updates (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--alpha", defaultValue = "0.9", description = "Weight of the distillation terms, as the paper (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--hidden-weight", defaultValue = "1", description = "Multiplier of the hidden-state (FFN activation) term"
            + " of static and dynamic matching (default ${DEFAULT-VALUE}: the paper's loss; the term is then ~1/1000 of the KL term here).")
    double hiddenWeight;

    @Option(names = "--train-encoder", description = "Every student system also fine-tunes its encoder (the authors' recipe keeps it frozen;"
            + " slower: no cached encoder outputs).")
    boolean trainEncoder;

    @Option(names = "--match-encoder", description = "Static and dynamic systems also match the encoder blocks' FFN activations with their"
            + " own strategy (implies --train-encoder; not in the paper).")
    boolean matchEncoder;

    @Option(names = "--teacher", paramLabel = "DIR", description = "Teacher model (default: the bundled models/demo-teacher).")
    Path teacher;

    @Option(names = "--student", paramLabel = "DIR", description = "Student start point (default: the bundled models/demo-student).")
    Path student;

    @Option(names = "--corpus", paramLabel = "DIR", description = "Corpus folder (default OUT/corpus; built or reused).")
    Path corpus;

    @Option(names = "--per-language", defaultValue = "240", description = "Corpus utterances per language (default ${DEFAULT-VALUE}).")
    int perLanguage;

    @Option(names = "--languages", split = ",", paramLabel = "CODES", description = "Corpus languages (default: en,de,fr,es,it,ru,hi,zh).")
    List<String> languages;

    @Option(names = "--train-per-language", defaultValue = "0", description = "Training utterances used per language, 0 = all.")
    int trainPerLanguage;

    @Option(names = "--test-per-language", defaultValue = "0", description = "Test utterances scored per language, 0 = all.")
    int testPerLanguage;

    @Option(names = "--speed-utterances", defaultValue = "24", description = "Test utterances timed FP32 vs INT8, 0 = skip (default ${DEFAULT-VALUE}).")
    int speedUtterances;

    @Option(names = "--jobs", defaultValue = "2", description = "espeak-ng processes while building the corpus (default ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--threads", defaultValue = "0", description = "Kernel threads, 0 = all cores.")
    int threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The bundled model folder {@code name}: under -Ddqw.home (set by bin/dqw), else the working directory. */
    static Path bundled(String name) {
        return Path.of(System.getProperty("dqw.home", ".")).resolve("models").resolve(name);
    }

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (threads < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 0");
        if (threads > 0) CpuRuntime.setThreads(threads);
        DemoRun.Settings settings;
        try {
            CorpusConfig base = CorpusConfig.defaults();
            CorpusConfig corpusConfig = new CorpusConfig(base.seed(), perLanguage, languages == null ? base.languages() : languages,
                    base.devFraction(), base.testFraction());
            settings = new DemoRun.Settings(out, corpus, corpusConfig, teacher != null ? teacher : bundled("demo-teacher"),
                    student != null ? student : bundled("demo-student"), seeds, steps, batchSize, lr, warmup, alpha, trainPerLanguage,
                    testPerLanguage, speedUtterances, jobs, true, hiddenWeight, trainEncoder || matchEncoder, matchEncoder);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        DemoResults r = DemoRun.run(settings, System.err);
        System.out.println();
        System.out.print(r.table());
        System.out.println();
        for (String c : r.claims()) System.out.println("- " + c);
        System.out.println();
        System.out.print(PairedComparison.markdown(r.comparisons()));
        System.out.printf(Locale.ROOT, "%nreport: %s (%.1f min)%n", out.resolve("report.md"), r.seconds() / 60);
        return 0;
    }
}
