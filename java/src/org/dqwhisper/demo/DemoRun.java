package org.dqwhisper.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.dqwhisper.corpus.CorpusConfig;
import org.dqwhisper.corpus.CorpusGenerator;
import org.dqwhisper.corpus.CorpusLanguage;
import org.dqwhisper.corpus.CorpusSummary;
import org.dqwhisper.corpus.EspeakNg;
import org.dqwhisper.corpus.Speaker;
import org.dqwhisper.corpus.Split;
import org.dqwhisper.distill.DistillationLosses;
import org.dqwhisper.distill.Distiller;
import org.dqwhisper.distill.ModelSizeReport;
import org.dqwhisper.distill.QuantizedExport;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.train.LearningRateSchedule;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.train.TrainingCheckpoint;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.WhisperTensorNames;

/**
 * {@code dqw demo} as an API: DQ-Whisper end to end on the built-in multilingual corpus.
 * <ol>
 *   <li>Builds (or reuses) the espeak-ng corpus and loads the bundled teacher and student start point.</li>
 *   <li>Computes both frozen encoders' outputs for the training utterances once (the recipe trains decoders only;
 *       with {@link Settings#trainEncoder} nothing is cached and both encoders run at every step).</li>
 *   <li>Per seed, fine-tunes the student's decoder from the same start point with cross-entropy alone, and with
 *       logits-only, static and dynamic matching distillation, and dynamic distillation with W8 and W4
 *       quantization-aware training; quantizes the dynamic FP student after training (PTQ) as the baseline.</li>
 *   <li>Exports every quantized student to integer weights and scores all systems on the test split (CER/WER per
 *       language) with the integer models running on the integer kernels.</li>
 *   <li>Measures sizes (paper convention and files) and FP32 vs INT8 inference time, and writes the report.</li>
 * </ol>
 */
public final class DemoRun {
    /**
     * @param trainPerLanguage training utterances per language used (≤ 0: all)
     * @param testPerLanguage  test utterances per language scored (≤ 0: all)
     * @param speedUtterances  test utterances timed for the speed table (0: no speed table)
     * @param hiddenWeight     multiplier of the hidden-state term (1: the paper; see {@link Distiller.Options#withHiddenWeight})
     * @param trainEncoder     every student system also fine-tunes its encoder (not the authors' recipe, which keeps it frozen)
     * @param matchEncoder     static and dynamic systems also match the encoder blocks' FFN activations with their own
     *                         strategy ({@link Distiller.Options#withEncoderMatch}); needs {@code trainEncoder}
     */
    public record Settings(Path out, Path corpus, CorpusConfig corpusConfig, Path teacher, Path student, int seeds, int steps, int batchSize,
                           double lr, int warmup, double alpha, int trainPerLanguage, int testPerLanguage, int speedUtterances, int jobs,
                           boolean progress, double hiddenWeight, boolean trainEncoder, boolean matchEncoder) {
        public Settings {
            if (matchEncoder && !trainEncoder) {
                throw new IllegalArgumentException("demo: encoder matching needs a trained student encoder (--train-encoder)");
            }
            if (seeds < 1 || steps < 1 || batchSize < 1 || !(lr > 0) || warmup < 0 || jobs < 1 || speedUtterances < 0) {
                throw new IllegalArgumentException("demo: seeds, steps, batch size, lr and jobs must be positive, warm-up and speed >= 0");
            }
            if (!(hiddenWeight >= 0) || !Double.isFinite(hiddenWeight)) {
                throw new IllegalArgumentException("demo: hidden weight must be finite and >= 0, got " + hiddenWeight);
            }
        }

        /** The paper's loss (hidden weight 1). */
        public Settings(Path out, Path corpus, CorpusConfig corpusConfig, Path teacher, Path student, int seeds, int steps, int batchSize,
                        double lr, int warmup, double alpha, int trainPerLanguage, int testPerLanguage, int speedUtterances, int jobs,
                        boolean progress) {
            this(out, corpus, corpusConfig, teacher, student, seeds, steps, batchSize, lr, warmup, alpha, trainPerLanguage, testPerLanguage,
                    speedUtterances, jobs, progress, 1.0, false, false);
        }
    }

    /**
     * One system's outcome for one seed. {@code curve} has one row per update: {@code {update, total loss, CE, KL,
     * L_hid, L_hid,enc}}, the last four per token (frame) and unweighted ({@link Distiller.StepResult}).
     */
    public record SystemRun(DemoSystem system, int seed, DemoEvaluator.Scores scores, List<double[]> curve, double trainSeconds,
                            Path model, long fileBytes) {}

    private DemoRun() {}

    public static DemoResults run(Settings s, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        PrintStream log = new ElapsedPrefix(out, t0);
        Files.createDirectories(s.out());
        Path corpus = s.corpus() != null ? s.corpus() : s.out().resolve("corpus");
        buildCorpus(s, corpus, log);
        List<DemoSystem> systems = DemoSystem.standard();
        List<SystemRun> runs = new ArrayList<>();
        DemoResults.Speed speed = null;
        Map<String, ModelSizeReport.Breakdown> paperSizes = new LinkedHashMap<>();
        Map<String, Long> parameters = new LinkedHashMap<>();
        try (WhisperModel teacher = WhisperModel.load(s.teacher(), Precision.FP32)) {
            WhisperTokenizer tokenizer = WhisperTokenizer.forVocabSize(teacher.config().nVocab());
            WhisperModel start = WhisperModel.load(s.student(), Precision.FP32);
            try (start) {
                checkPair(teacher, start);
                int nMels = start.config().nMels(), frames = start.config().nMelFrames(), ctx = start.config().nTextCtx();
                log.printf(Locale.ROOT, "demo: teacher %s%n      student %s%n", describe(teacher), describe(start));
                DemoData train = DemoData.load(corpus.resolve("train.jsonl"), tokenizer, nMels, frames, ctx, s.trainPerLanguage());
                DemoData test = DemoData.load(corpus.resolve("test.jsonl"), tokenizer, nMels, frames, ctx, s.testPerLanguage());
                int maxTokens = 2 * longest(train) + 8;
                log.printf(Locale.ROOT, "demo: %d training and %d test utterances (%s), features %d x %d%n", train.size(), test.size(),
                        String.join(",", test.languages()), nMels, frames);
                DemoEvaluator evaluator = new DemoEvaluator(tokenizer, maxTokens);
                runs.add(evaluate(systems.get(0), 0, teacher, evaluator, test, s.teacher(), log));
                runs.add(evaluate(systems.get(1), 0, start, evaluator, test, s.student(), log));
                paperSizes.put("teacher", ModelSizeReport.paperConvention(WhisperTensorNames.expected(teacher.config()), 16));
                parameters.put("teacher", count(teacher));
                parameters.put("student", count(start));
                long te = System.nanoTime();
                // A trained student encoder cannot use cached outputs: every step then runs both encoders on the log-mel.
                try (FrozenEncoderOutputs tAudio = s.trainEncoder() ? null : FrozenEncoderOutputs.compute(teacher, train);
                        FrozenEncoderOutputs sAudio = s.trainEncoder() ? null : FrozenEncoderOutputs.compute(start, train)) {
                    if (s.trainEncoder()) {
                        log.printf(Locale.ROOT, "demo: student encoders are trained too%s%n", s.matchEncoder() ? ", static and dynamic systems"
                                + " also match encoder FFN activations" : "");
                    } else {
                        log.printf(Locale.ROOT, "demo: encoder outputs of %d utterances cached (%.1f s)%n", train.size(), (System.nanoTime() - te) / 1e9);
                    }
                    for (int seed = 1; seed <= s.seeds(); seed++) {
                        Map<String, Path> fpModels = new LinkedHashMap<>();
                        for (DemoSystem sys : systems) {
                            if (sys.kind() == DemoSystem.Kind.TRAINED) {
                                runs.add(train(s, sys, seed, teacher, tAudio, sAudio, train, test, evaluator, fpModels, log));
                            } else if (sys.kind() == DemoSystem.Kind.PTQ) {
                                runs.add(postTrainingQuantization(s, sys, seed, fpModels.get(sys.ptqOf()), test, evaluator, log));
                            }
                        }
                        if (seed == 1 && s.speedUtterances() > 0) {
                            speed = DemoSpeed.measure(s.teacher(), fpModels.get("KD dynamic"), exportOf(runs, "dynamic W8 QAD", 1), test,
                                    evaluator, s.speedUtterances(), log);
                        }
                    }
                }
            }
            for (DemoSystem sys : systems) {
                if (sys.kind() == DemoSystem.Kind.TEACHER) continue;
                int bits = sys.integer() ? sys.bits() : 16;
                try (WhisperModel shape = WhisperModel.load(s.student(), Precision.FP32)) {
                    paperSizes.put(sys.name(), ModelSizeReport.paperConvention(WhisperTensorNames.expected(shape.config()), bits));
                }
            }
        }
        DemoResults results = new DemoResults(s, runs, paperSizes, parameters, speed, CpuRuntime.threads(), (System.nanoTime() - t0) / 1e9);
        results.write(s.out());
        return results;
    }

    private static void buildCorpus(Settings s, Path corpus, PrintStream log) throws IOException {
        Files.createDirectories(corpus);
        EspeakNg espeak = EspeakNg.locate(corpus.resolve(".scratch"));
        Set<String> voices = new LinkedHashSet<>(), variants = new LinkedHashSet<>();
        s.corpusConfig().languages().forEach(code -> voices.addAll(CorpusLanguage.byCode(code).voices()));
        for (Split split : Split.values()) variants.addAll(Speaker.variants(split));
        espeak.requireVoices(voices, variants);
        long t = System.nanoTime();
        CorpusSummary summary = new CorpusGenerator(espeak, s.jobs()).generate(s.corpusConfig(), corpus, (done, total, seconds) -> { });
        Files.deleteIfExists(corpus.resolve(".scratch"));
        log.printf(Locale.ROOT, "demo: corpus %s: %d utterances, %.1f min of audio (%d synthesized, %.1f s)%n", corpus, summary.totalUtterances(),
                summary.totalSeconds() / 60, summary.synthesized(), (System.nanoTime() - t) / 1e9);
    }

    private static void checkPair(WhisperModel teacher, WhisperModel student) {
        if (teacher.config().nVocab() != student.config().nVocab() || teacher.config().nMels() != student.config().nMels()
                || teacher.config().nMelFrames() != student.config().nMelFrames()) {
            throw new IllegalArgumentException("demo: teacher " + teacher.config() + " and student " + student.config()
                    + " must share vocabulary, mel bins and window");
        }
    }

    static String describe(WhisperModel m) {
        var c = m.config();
        return String.format(Locale.ROOT, "%d+%d layers, d=%d, %d heads, %d mels, %.1f s window, %.2f M parameters", c.nAudioLayer(),
                c.nTextLayer(), c.nAudioState(), c.nAudioHead(), c.nMels(), c.nAudioCtx() / 50.0, count(m) / 1e6);
    }

    static long count(WhisperModel m) {
        long n = 0;
        for (Tensor t : m.stateTensors().values()) n += t.numel();
        return n;
    }

    private static int longest(DemoData d) {
        int n = 0;
        for (DemoData.Utterance u : d.utterances()) n = Math.max(n, u.input().length - u.prompt().length + 1);
        return n;
    }

    private static SystemRun evaluate(DemoSystem sys, int seed, WhisperModel model, DemoEvaluator evaluator, DemoData test, Path source,
            PrintStream log) throws IOException {
        long t = System.nanoTime();
        DemoEvaluator.Scores scores = evaluator.evaluate(model, test);
        log.printf(Locale.ROOT, "demo: %-16s seed %d  test CER %6.2f%%  WER %6.2f%%  (scored in %.1f s)%n", sys.name(), seed, 100 * scores.meanCer(),
                100 * scores.meanWer(), (System.nanoTime() - t) / 1e9);
        return new SystemRun(sys, seed, scores, List.of(), 0, source, sizeOf(source));
    }

    /**
     * Fine-tunes the student start point's decoder (and its encoder with {@link Settings#trainEncoder}) as {@code sys}
     * says, exports it (integer when quantized) and scores it. {@code tAudio}/{@code sAudio} are the frozen encoders'
     * cached outputs, null when the student encoder is trained.
     */
    private static SystemRun train(Settings s, DemoSystem sys, int seed, WhisperModel teacher, FrozenEncoderOutputs tAudio,
            FrozenEncoderOutputs sAudio, DemoData train, DemoData test, DemoEvaluator evaluator, Map<String, Path> fpModels, PrintStream log)
            throws IOException {
        Distiller.Options options = new Distiller.Options(sys.mode(), s.alpha(), DistillationLosses.DEFAULT_TEMPERATURE,
                DistillationLosses.Reduction.MEAN_PER_TOKEN, sys.quant(), s.trainEncoder(), 0.0, seed).withHiddenWeight(s.hiddenWeight());
        if (s.matchEncoder() && sys.mode().usesHiddenLoss()) options = options.withEncoderMatch(sys.mode());
        LearningRateSchedule schedule = new LearningRateSchedule(s.lr(), s.warmup(), s.steps(), LearningRateSchedule.Decay.LINEAR, 0.0);
        Path dir = s.out().resolve("models").resolve(slug(sys.name()) + "-seed" + seed);
        deleteTree(dir);
        List<double[]> curve = new ArrayList<>();
        long t = System.nanoTime();
        double secs;
        try (WhisperModel student = WhisperModel.load(s.student(), Precision.FP32); Distiller d = new Distiller(teacher, student, options)) {
            Random order = new Random(seed * 1_000_003L + 17);
            int[] perm = permutation(train.size(), order);
            int pos = 0;
            for (int step = 0; step < s.steps(); step++) {
                int b = Math.min(s.batchSize(), train.size());
                int[] idx = new int[b];
                for (int i = 0; i < b; i++) {
                    if (pos == perm.length) {
                        perm = permutation(train.size(), order);
                        pos = 0;
                    }
                    idx[i] = perm[pos++];
                }
                int[][] in = new int[b][], tg = new int[b][];
                for (int i = 0; i < b; i++) {
                    in[i] = train.get(idx[i]).input();
                    tg[i] = train.get(idx[i]).target();
                }
                Distiller.StepResult r;
                if (s.trainEncoder()) {
                    try (TrainingBatch batch = new TrainingBatch(train.mel(idx), in, tg)) {
                        r = d.step(batch, schedule.at(step));
                    }
                } else {
                    try (Tensor sa = sAudio.gather(idx); Tensor ta = sys.mode().usesKl() ? tAudio.gather(idx) : null) {
                        r = d.step(sa, ta, in, tg, schedule.at(step));
                    }
                }
                curve.add(new double[] {step + 1, r.terms().total(), r.terms().ce(), r.terms().kl(), r.terms().hidden(), r.encoderHidden()});
                if (!Double.isFinite(r.terms().total())) throw new IllegalStateException("demo: " + sys.name() + " loss diverged at step " + (step + 1));
                if (s.progress() && ((step + 1) % Math.max(1, s.steps() / 4) == 0)) {
                    log.printf(Locale.ROOT, "demo: %-16s seed %d  step %d/%d  loss %.4f (ce %.4f)%n", sys.name(), seed, step + 1, s.steps(),
                            r.terms().total(), r.terms().ce());
                }
            }
            secs = (System.nanoTime() - t) / 1e9;
            if (sys.integer()) {
                QuantizedExport.write(student, sys.quant(), dir, true);
            } else {
                TrainingCheckpoint.writeModel(dir, student);
                fpModels.put(sys.name(), dir);
            }
            if (!sys.integer()) {
                SystemRun run = evaluate(sys, seed, student, evaluator, test, dir, log);
                return new SystemRun(sys, seed, run.scores(), curve, secs, dir, sizeOf(dir));
            }
        }
        try (WhisperModel exported = WhisperModel.load(dir, Precision.FP32)) { // integer block Linears on the integer kernels
            SystemRun run = evaluate(sys, seed, exported, evaluator, test, dir, log);
            return new SystemRun(sys, seed, run.scores(), curve, secs, dir, sizeOf(dir));
        }
    }

    private static SystemRun postTrainingQuantization(Settings s, DemoSystem sys, int seed, Path fpModel, DemoData test, DemoEvaluator evaluator,
            PrintStream log) throws IOException {
        if (fpModel == null) throw new IllegalStateException("demo: PTQ of " + sys.ptqOf() + " before it was trained");
        Path dir = s.out().resolve("models").resolve(slug(sys.name()) + "-seed" + seed);
        deleteTree(dir);
        try (WhisperModel m = WhisperModel.load(fpModel, Precision.FP32)) {
            QuantizedExport.quantizeAndWrite(m, sys.quant(), dir, true);
        }
        try (WhisperModel exported = WhisperModel.load(dir, Precision.FP32)) {
            return evaluate(sys, seed, exported, evaluator, test, dir, log);
        }
    }

    static Path exportOf(List<SystemRun> runs, String name, int seed) {
        for (SystemRun r : runs) if (r.system().name().equals(name) && r.seed() == seed) return r.model();
        throw new IllegalStateException("demo: no run of " + name + " seed " + seed);
    }

    private static int[] permutation(int n, Random r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), x = p[i];
            p[i] = p[j];
            p[j] = x;
        }
        return p;
    }

    static String slug(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    static long sizeOf(Path p) throws IOException {
        if (p == null || !Files.exists(p)) return 0;
        if (Files.isRegularFile(p)) return Files.size(p);
        try (Stream<Path> files = Files.walk(p)) {
            long n = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) n += Files.size(f);
            return n;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }

    /** Prefixes every line with the run's elapsed time [mm:ss], so the log shows what each stage cost. */
    private static final class ElapsedPrefix extends PrintStream {
        private final long t0;

        ElapsedPrefix(PrintStream out, long t0) {
            super(out, true, java.nio.charset.StandardCharsets.UTF_8);
            this.t0 = t0;
        }

        @Override
        public PrintStream printf(Locale l, String format, Object... args) {
            long s = (System.nanoTime() - t0) / 1_000_000_000L;
            return super.printf(l, "[%02d:%02d] " + format, java.util.stream.Stream.concat(java.util.stream.Stream.of(s / 60, s % 60),
                    java.util.Arrays.stream(args)).toArray());
        }
    }

    /** Quantization configs the demo uses, for the report. */
    static String describe(QuantConfig q) {
        return q.enabled() ? q.toString() : "FP";
    }
}
