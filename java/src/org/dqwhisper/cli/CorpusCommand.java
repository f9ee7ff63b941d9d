package org.dqwhisper.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.dqwhisper.corpus.CorpusConfig;
import org.dqwhisper.corpus.CorpusGenerator;
import org.dqwhisper.corpus.CorpusLanguage;
import org.dqwhisper.corpus.CorpusSummary;
import org.dqwhisper.corpus.EspeakNg;
import org.dqwhisper.corpus.Speaker;
import org.dqwhisper.corpus.Split;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dqw corpus}: synthesizes the built-in multilingual corpus (a shell over {@link CorpusGenerator}). */
@Command(name = "corpus",
        description = {"Build the built-in multilingual speech corpus: sentences shipped with dq-whisper, spoken by"
            + " espeak-ng with several voices, rates and pitches, with noise and reverb, as 16 kHz WAV files and"
            + " train/dev/test JSONL manifests. Test and dev speakers (voice variants) never occur in training.",
            "Deterministic for a seed; files already built (checked by hash) are reused."})
public final class CorpusCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Corpus folder (created).")
    Path out;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of all random choices (default: ${DEFAULT-VALUE}).")
    long seed = CorpusConfig.DEFAULT_SEED;

    @Option(names = "--per-language", paramLabel = "N",
            description = "Utterances per language (default: ${DEFAULT-VALUE}).")
    int perLanguage = CorpusConfig.DEFAULT_PER_LANGUAGE;

    @Option(names = "--languages", paramLabel = "CODES", split = ",",
            description = "Comma-separated Whisper codes (default: en,de,fr,es,it,ru,hi,zh; also pt, el).")
    List<String> languages = new ArrayList<>(CorpusLanguage.DEFAULT_CODES);

    @Option(names = "--dev-fraction", paramLabel = "F", description = "Share of dev utterances (default: ${DEFAULT-VALUE}).")
    double devFraction = CorpusConfig.DEFAULT_DEV_FRACTION;

    @Option(names = "--test-fraction", paramLabel = "F",
            description = "Share of test utterances (default: ${DEFAULT-VALUE}).")
    double testFraction = CorpusConfig.DEFAULT_TEST_FRACTION;

    @Option(names = "--extra-sentences", paramLabel = "DIR",
            description = "Folder of <code>.txt files whose sentences are added to the training split only (a teacher's larger"
                + " training set; dev and test stay those of the default corpus).")
    Path extraSentences;

    @Option(names = "--jobs", paramLabel = "N", description = "espeak-ng processes in parallel (default: ${DEFAULT-VALUE}).")
    int jobs = 2;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CorpusConfig config;
        try {
            config = new CorpusConfig(seed, perLanguage, languages, devFraction, testFraction, extraSentences);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Files.createDirectories(out);
        EspeakNg espeak = EspeakNg.locate(out.resolve(".scratch"));
        Set<String> voices = new LinkedHashSet<>();
        config.languages().forEach(code -> voices.addAll(CorpusLanguage.byCode(code).voices()));
        Set<String> variants = new LinkedHashSet<>();
        for (Split split : Split.values()) {
            variants.addAll(Speaker.variants(split));
        }
        espeak.requireVoices(voices, variants);

        CountProgressBar bar = new CountProgressBar(System.err, "corpus", System.console() != null);
        CorpusGenerator generator = new CorpusGenerator(espeak, jobs);
        CorpusSummary summary = generator.generate(config, out, (done, total, seconds) -> {
            if (!quiet) {
                bar.update(done, total, String.format(Locale.ROOT, "utterances, %.0f s audio,", seconds));
            }
        });
        Files.deleteIfExists(out.resolve(".scratch"));
        PrintWriter w = spec.commandLine().getOut();
        w.println("corpus " + out + " (" + espeak.version() + ")");
        w.println(summary.describe());
        w.flush();
        return 0;
    }
}
