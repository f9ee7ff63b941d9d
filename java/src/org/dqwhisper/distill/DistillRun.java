package org.dqwhisper.distill;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.train.LearningRateSchedule;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.train.TrainingCheckpoint;
import org.dqwhisper.train.jsonl.JsonlManifest;
import org.dqwhisper.train.jsonl.ShuffledBatchSource;
import org.dqwhisper.train.jsonl.UtteranceFeatures;
import org.dqwhisper.whisper.WhisperModel;

/**
 * {@code dqw distill} as an API: loads the teacher and the student (a checkpoint, or {@code studentLayers}
 * decoder blocks copied from the teacher), distils on a JSONL manifest with a warm-up + decay schedule,
 * prints progress, evaluates the student's dev cross-entropy, and writes {@code out/model} (FP student,
 * master weights), {@code out/model-quantized} (integer export, when a quantizer is set: the QAD result),
 * {@code out/matching.csv} and {@code out/matching.png}. Every file is written atomically. (No mid-run
 * checkpoints or resume yet.)
 */
public final class DistillRun {
    private static final long MEL_CACHE_BYTES = 256L << 20;

    public record Settings(Path teacher, Path student, int studentLayers, Path train, Path dev, Path out, Distiller.Options options,
                           long steps, int batchSize, double lr, long warmup, int logEvery) {
        public Settings {
            if ((student == null) == (studentLayers < 1)) {
                throw new IllegalArgumentException("distill: give either --student DIR or --student-layers N (>= 1)");
            }
            if (steps < 1 || batchSize < 1 || !(lr > 0) || warmup < 0 || logEvery < 1) {
                throw new IllegalArgumentException("distill: steps, batch size, lr and log-every must be positive, warm-up >= 0");
            }
        }
    }

    /** Final numbers: steps, last training loss, dev cross-entropy per token (NaN without a dev set). */
    public record Result(long steps, double lastLoss, double devCrossEntropy) {}

    private DistillRun() {}

    public static Result run(Settings s, PrintStream progress) throws IOException {
        Files.createDirectories(s.out());
        try (WhisperModel teacher = WhisperModel.load(s.teacher(), Precision.FP32);
                WhisperModel student = s.student() != null ? WhisperModel.load(s.student(), Precision.FP32)
                        : StudentInit.fromTeacher(teacher, s.studentLayers())) {
            WhisperTokenizer tokenizer = WhisperTokenizer.forVocabSize(student.config().nVocab());
            int frames = student.config().nMelFrames(), nMels = student.config().nMels(), ctx = student.config().nTextCtx();
            UtteranceFeatures train = new UtteranceFeatures(JsonlManifest.read(s.train()), tokenizer, nMels, frames, ctx, MEL_CACHE_BYTES);
            UtteranceFeatures dev = s.dev() == null ? null
                    : new UtteranceFeatures(JsonlManifest.read(s.dev()), tokenizer, nMels, frames, ctx, MEL_CACHE_BYTES);
            ShuffledBatchSource source = new ShuffledBatchSource(train, s.batchSize(), s.options().seed());
            LearningRateSchedule schedule = new LearningRateSchedule(s.lr(), s.warmup(), s.steps(), LearningRateSchedule.Decay.LINEAR, 0.0);
            double last = Double.NaN;
            try (Distiller d = new Distiller(teacher, student, s.options())) {
                long t0 = System.nanoTime();
                for (long step = 0; step < s.steps(); step++) {
                    Distiller.StepResult r;
                    try (TrainingBatch b = source.next()) {
                        r = d.step(b, schedule.at(step));
                    }
                    last = r.terms().total();
                    if ((step + 1) % s.logEvery() == 0 || step + 1 == s.steps()) {
                        double secs = (System.nanoTime() - t0) / 1e9;
                        progress.printf(Locale.ROOT, "distill %d/%d  loss %.4f (ce %.4f kl %.4f hid %.4f)  map %s  %.1f s%n", step + 1, s.steps(),
                                last, r.terms().ce(), r.terms().kl(), r.terms().hidden(), java.util.Arrays.toString(r.mapping()), secs);
                    }
                }
                double devCe = Double.NaN;
                if (dev != null) {
                    ShuffledBatchSource devSource = new ShuffledBatchSource(dev, s.batchSize(), 0);
                    int batches = Math.max(1, (dev.size() + s.batchSize() - 1) / s.batchSize());
                    double sum = 0;
                    for (int i = 0; i < batches; i++) {
                        try (TrainingBatch b = devSource.next()) {
                            sum += d.evaluate(b);
                        }
                    }
                    devCe = sum / batches;
                    progress.printf(Locale.ROOT, "dev cross-entropy %.4f per token%n", devCe);
                }
                if (d.matchingLog().steps() > 0) {
                    d.matchingLog().writeCsv(s.out().resolve("matching.csv"));
                    d.matchingLog().writeHeatMap(s.out().resolve("matching.png"));
                }
                TrainingCheckpoint.writeModel(s.out().resolve("model"), student);
                if (s.options().quant().enabled()) QuantizedExport.write(student, s.options().quant(), s.out().resolve("model-quantized"));
                return new Result(s.steps(), last, devCe);
            }
        }
    }
}
