package org.dqwhisper.distill;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.FinetuneRun;
import org.dqwhisper.train.LearningRateSchedule;
import org.dqwhisper.train.StepResult;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.train.TrainingCheckpoint;
import org.dqwhisper.train.TrainingData;
import org.dqwhisper.train.TrainingLog;
import org.dqwhisper.train.TrainingRng;
import org.dqwhisper.train.data.ManifestBatchSource;
import org.dqwhisper.train.data.SpecAugment;
import org.dqwhisper.whisper.WhisperModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dqw distill} as an API: loads the teacher and the student (a checkpoint, or {@code studentLayers}
 * decoder blocks copied from the teacher; with {@code resume}, the newest checkpoint in the output folder),
 * distils on a JSONL manifest read through {@link TrainingData} (length-bucketed shuffled batches, log-mel cache
 * on disk under {@code out/feature-cache} unless another folder is given, optional SpecAugment whose masks come
 * from the run's {@link TrainingRng}) with a warm-up + linear decay schedule, prints progress, saves checkpoints
 * every {@code saveEvery} steps and at the end, evaluates the student's dev cross-entropy, and writes
 * {@code out/model} (FP student, master weights), {@code out/model-quantized} (integer export, when a quantizer
 * is set: the QAD result), {@code out/matching.csv}/{@code .png} and the loss curve
 * {@code out/metrics.csv}/{@code curves.png}; with encoder matching also {@code out/matching-encoder.csv}/{@code .png}.
 * Every file is written atomically.
 *
 * <p>A checkpoint {@code out/checkpoint-NNNNNNNN} holds the student (Hugging Face folder, FP32 master weights),
 * in {@code trainer_state.safetensors} the AdamW moments of every trained parameter, the adapter
 * ({@code adapter.weight}, {@code adapter.bias}; with encoder matching {@code encoder_adapter.weight/.bias}) and LSQ scales ({@code fake_quant_scale.<layer>}), in
 * {@code trainer_state.json} the step, RNG state, data position and the run's settings, and the matching log so
 * far ({@code matching.csv}). A resumed run continues bit-identically to an uninterrupted one.
 */
public final class DistillRun {
    private static final Logger LOG = LoggerFactory.getLogger(DistillRun.class);
    private static final long MEL_CACHE_BYTES = 256L << 20;
    private static final String ADAPTER_WEIGHT = "adapter.weight";
    private static final String ADAPTER_BIAS = "adapter.bias";
    /** LSQ: the trained θ = ln(scale) of each quantized Linear (its AdamW moments are saved with the other moments). */
    private static final String LSQ_LOG_SCALE = "lsq_log_scale.";
    private static final String MATCHING_CSV = "matching.csv";
    private static final String ENCODER_MATCHING_CSV = "matching-encoder.csv";

    /**
     * @param saveEvery       checkpoint every N steps (0: only at the end)
     * @param resume          continue from the newest checkpoint in {@code out} (same settings required)
     * @param keepCheckpoints newest checkpoints kept
     * @param stopAfter       stop (with a checkpoint) once this process has done that many steps; ≤ 0 runs to the end
     * @param specAugment     mask the training inputs with {@link SpecAugment#standard()} (off: exactly reproducible inputs)
     * @param featureCache    folder of the on-disk log-mel cache; null: {@code out/feature-cache}
     */
    public record Settings(Path teacher, Path student, int studentLayers, Path train, Path dev, Path out, Distiller.Options options,
                           long steps, int batchSize, double lr, long warmup, int logEvery, int saveEvery, boolean resume,
                           int keepCheckpoints, long stopAfter, boolean specAugment, Path featureCache) {
        public Settings {
            if ((student == null) == (studentLayers < 1)) {
                throw new IllegalArgumentException("distill: give either --student DIR or --student-layers N (>= 1)");
            }
            if (steps < 1 || batchSize < 1 || !(lr > 0) || warmup < 0 || logEvery < 1) {
                throw new IllegalArgumentException("distill: steps, batch size, lr and log-every must be positive, warm-up >= 0");
            }
            if (saveEvery < 0 || keepCheckpoints < 1) {
                throw new IllegalArgumentException("distill: save-every must be >= 0 (0: only at the end), keep-checkpoints >= 1");
            }
        }

        /** The settings a resumed run must share with the run that wrote the checkpoint. */
        JsonObject identity() {
            JsonObject o = new JsonObject();
            o.addProperty("teacher", teacher.toAbsolutePath().normalize().toString());
            o.addProperty("student", student == null ? "teacher-layers:" + studentLayers : student.toAbsolutePath().normalize().toString());
            o.addProperty("train_manifest", train.toAbsolutePath().normalize().toString());
            o.addProperty("match", options.mode().toString());
            o.addProperty("alpha", options.alpha());
            o.addProperty("temperature", options.temperature());
            o.addProperty("reduction", options.reduction().toString());
            o.addProperty("quant", options.quant().toString());
            o.addProperty("train_encoder", options.trainEncoder());
            // recorded only when not the default, so checkpoints written before these switches existed still resume
            if (options.hiddenSource() != HiddenSource.MASKED) o.addProperty("hidden_source", options.hiddenSource().toString());
            if (options.matchesEncoder()) o.addProperty("match_encoder", options.encoderMatch().toString());
            o.addProperty("weight_decay", options.weightDecay());
            o.addProperty("seed", options.seed());
            o.addProperty("steps", steps);
            o.addProperty("batch_size", batchSize);
            o.addProperty("learning_rate", lr);
            o.addProperty("warmup_steps", warmup);
            o.addProperty("spec_augment", specAugment);
            return o;
        }
    }

    /**
     * Final numbers: steps done, last training loss, dev cross-entropy per token (NaN without a dev set or when
     * stopped early), and whether the run finished (false: stopped by {@code stopAfter}, resumable).
     */
    public record Result(long steps, double lastLoss, double devCrossEntropy, boolean finished) {}

    private DistillRun() {}

    public static Result run(Settings s, PrintStream progress) throws IOException {
        Files.createDirectories(s.out());
        Optional<Path> checkpoint = s.resume() ? TrainingCheckpoint.latest(s.out()) : Optional.empty();
        if (s.resume() && checkpoint.isEmpty()) progress.println("distill: no checkpoint in " + s.out() + ", starting afresh");
        JsonObject identity = s.identity();
        if (checkpoint.isPresent()) {
            JsonObject saved = TrainingCheckpoint.readState(checkpoint.get()).options();
            if (!saved.equals(identity)) {
                throw new IllegalArgumentException("cannot resume from " + checkpoint.get() + ": it was made with " + saved + ", this run has "
                        + identity + " (an exact continuation needs the same settings)");
            }
        }
        try (WhisperModel teacher = WhisperModel.load(s.teacher(), Precision.FP32);
                WhisperModel student = checkpoint.isPresent() ? WhisperModel.load(checkpoint.get(), Precision.FP32)
                        : s.student() != null ? WhisperModel.load(s.student(), Precision.FP32)
                        : StudentInit.fromTeacher(teacher, s.studentLayers())) {
            if (teacher.config().nMelFrames() != student.config().nMelFrames()) {
                throw new IllegalArgumentException("distill: the teacher takes " + teacher.config().nMelFrames() + " mel frames, the student "
                        + student.config().nMelFrames() + "; both must see the same input");
            }
            TrainingData data = new TrainingData(student.config(), FinetuneRun.featureCacheFolder(s.out(), s.featureCache()), MEL_CACHE_BYTES);
            ManifestBatchSource source = data.source(s.train(), s.batchSize(), s.options().seed());
            ManifestBatchSource dev = s.dev() == null ? null : data.source(s.dev(), s.batchSize(), 0);
            TrainingRng rng = new TrainingRng(s.options().seed());
            TrainingLog log = new TrainingLog(s.out().resolve("metrics.csv"), s.out().resolve("curves.png"));
            try (Distiller d = new Distiller(teacher, student, s.options())) {
                if (checkpoint.isPresent()) {
                    restore(checkpoint.get(), d, student, rng, source);
                    log.resume(d.steps());
                    progress.println("distill: resumed from " + checkpoint.get().getFileName() + " at step " + d.steps());
                }
                return loop(s, d, student, source, dev, rng, log, identity, progress);
            } catch (UncheckedIOException e) {
                throw e.getCause(); // an utterance that cannot be read, named by the data pipeline
            }
        }
    }

    private static Result loop(Settings s, Distiller d, WhisperModel student, ManifestBatchSource source, ManifestBatchSource dev,
            TrainingRng rng, TrainingLog log, JsonObject identity, PrintStream progress) throws IOException {
        LearningRateSchedule schedule = new LearningRateSchedule(s.lr(), s.warmup(), s.steps(), LearningRateSchedule.Decay.LINEAR, 0.0);
        SpecAugment augment = s.specAugment() ? SpecAugment.standard() : null;
        long startStep = d.steps();
        long t0 = System.nanoTime();
        double last = Double.NaN;
        while (d.steps() < s.steps()) {
            long stepStart = System.nanoTime();
            double lr = schedule.at(d.steps());
            Distiller.StepResult r;
            int samples, tokens;
            try (TrainingBatch b = source.next()) {
                if (augment != null) augment.apply(b, rng);
                samples = b.size();
                tokens = b.targetTokens();
                r = d.step(b, lr);
            }
            long done = d.steps();
            last = r.terms().total();
            log.addStep(new StepResult(done, last, lr, Double.NaN, samples, tokens, (System.nanoTime() - stepStart) / 1e9));
            if (done % s.logEvery() == 0 || done == s.steps()) {
                double secs = (System.nanoTime() - t0) / 1e9;
                String enc = r.encoderMapping().length == 0 ? ""
                        : String.format(Locale.ROOT, "  enc hid %.4f map %s", r.encoderHidden(), Arrays.toString(r.encoderMapping()));
                progress.printf(Locale.ROOT, "distill %d/%d  loss %.4f (ce %.4f kl %.4f hid %.4f)  lr %.3e  map %s%s  %.1f s%n", done, s.steps(),
                        last, r.terms().ce(), r.terms().kl(), r.terms().hidden(), lr, Arrays.toString(r.mapping()), enc, secs);
            }
            boolean stop = done == s.steps() || (s.stopAfter() > 0 && done - startStep >= s.stopAfter());
            if ((s.saveEvery() > 0 && done % s.saveEvery() == 0) || stop) {
                Path ck = save(s.out(), d, student, rng, source, identity);
                TrainingCheckpoint.prune(s.out(), s.keepCheckpoints());
                writeCurves(s.out(), d, log);
                LOG.info("saved {}", ck);
            }
            if (stop && done != s.steps()) {
                progress.println("distill: stopping after " + (done - startStep) + " steps (checkpoint at step " + done + ")");
                return new Result(done, last, Double.NaN, false);
            }
        }
        double devCe = Double.NaN;
        if (dev != null) {
            devCe = devCrossEntropy(d, dev);
            progress.printf(Locale.ROOT, "dev cross-entropy %.4f per token%n", devCe);
        }
        writeCurves(s.out(), d, log);
        TrainingCheckpoint.writeModel(s.out().resolve("model"), student);
        if (s.options().quant().enabled()) QuantizedExport.write(student, s.options().quant(), s.out().resolve("model-quantized"));
        progress.println("distill: done, " + d.steps() + " steps; student in " + s.out().resolve("model"));
        return new Result(d.steps(), last, devCe, true);
    }

    /** Mean student cross-entropy per label token over every dev utterance once (no gradient). */
    private static double devCrossEntropy(Distiller d, ManifestBatchSource dev) {
        double sum = 0;
        long tokens = 0;
        dev.seek(0);
        for (int i = 0; i < dev.batcher().batchesPerEpoch(); i++) {
            try (TrainingBatch b = dev.next()) {
                int n = b.targetTokens();
                sum += d.evaluate(b) * n;
                tokens += n;
            }
        }
        return sum / tokens;
    }

    private static void writeCurves(Path out, Distiller d, TrainingLog log) throws IOException {
        log.write();
        if (d.matchingLog().steps() > 0) {
            d.matchingLog().writeCsv(out.resolve(MATCHING_CSV));
            d.matchingLog().writeHeatMap(out.resolve("matching.png"));
        }
        if (d.encoderMatchingLog() != null && d.encoderMatchingLog().steps() > 0) {
            d.encoderMatchingLog().writeCsv(out.resolve(ENCODER_MATCHING_CSV));
            d.encoderMatchingLog().writeHeatMap(out.resolve("matching-encoder.png"));
        }
    }

    /** The tensors a checkpoint adds to the optimizer moments: the adapter and, with LSQ, the learned scales. */
    private static Map<String, Tensor> extraTensors(Distiller d, WhisperModel student) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(ADAPTER_WEIGHT, d.adapter().weight());
        m.put(ADAPTER_BIAS, d.adapter().bias());
        if (d.encoderAdapter() != null) {
            m.put(Distiller.ENCODER_ADAPTER + ".weight", d.encoderAdapter().weight());
            m.put(Distiller.ENCODER_ADAPTER + ".bias", d.encoderAdapter().bias());
        }
        if (d.options().quant().enabled() && d.options().quant().estimator() == QuantConfig.Estimator.LSQ) {
            for (Map.Entry<String, Linear> e : student.blockLinears().entrySet()) {
                if (e.getValue().lsqLogScaleParameter() != null) m.put(LSQ_LOG_SCALE + e.getKey(), e.getValue().lsqLogScaleParameter().value());
            }
        }
        return m;
    }

    private static Path save(Path out, Distiller d, WhisperModel student, TrainingRng rng, ManifestBatchSource source, JsonObject identity)
            throws IOException {
        return TrainingCheckpoint.save(out, d.steps(), student, d.optimizer(), extraTensors(d, student), rng.state(), source.position(),
                identity, folder -> {
                    if (d.matchingLog().steps() > 0) d.matchingLog().writeCsv(folder.resolve(MATCHING_CSV));
                    if (d.encoderMatchingLog() != null && d.encoderMatchingLog().steps() > 0) {
                        d.encoderMatchingLog().writeCsv(folder.resolve(ENCODER_MATCHING_CSV));
                    }
                });
    }

    /** Restores everything but the student weights (loaded from the checkpoint) into a fresh distiller. */
    private static void restore(Path checkpoint, Distiller d, WhisperModel student, TrainingRng rng, ManifestBatchSource source)
            throws IOException {
        TrainingCheckpoint.State state = TrainingCheckpoint.readState(checkpoint);
        for (Map.Entry<String, Tensor> e : extraTensors(d, student).entrySet()) {
            try (Tensor saved = TrainingCheckpoint.readExtraTensor(checkpoint, e.getKey())) {
                if (saved.numel() != e.getValue().numel()) {
                    throw new IOException(checkpoint + ": " + e.getKey() + " " + saved.describe() + " does not fit " + e.getValue().describe());
                }
                e.getValue().copyFrom(saved.toFloatArray());
            }
        }
        // the quantizers' scales = exp(θ) and ŵ are recomputed from the restored θ at the next forward
        for (Linear l : student.blockLinears().values()) l.invalidate();
        d.restore(state.step(), TrainingCheckpoint.readMoments(checkpoint, d.trainableParameters()));
        Path matching = checkpoint.resolve(MATCHING_CSV);
        if (Files.isRegularFile(matching)) {
            MatchingLog saved = MatchingLog.readCsv(matching, d.matchingLog().studentLayers(), d.matchingLog().teacherLayers());
            for (MatchingLog.Entry e : saved.entries()) d.matchingLog().record(e.step(), e.mapping());
        }
        Path encoderMatching = checkpoint.resolve(ENCODER_MATCHING_CSV);
        if (d.encoderMatchingLog() != null && Files.isRegularFile(encoderMatching)) {
            MatchingLog saved = MatchingLog.readCsv(encoderMatching, d.encoderMatchingLog().studentLayers(), d.encoderMatchingLog().teacherLayers());
            for (MatchingLog.Entry e : saved.entries()) d.encoderMatchingLog().record(e.step(), e.mapping());
        }
        rng.setState(state.rngState());
        source.seek(state.dataPosition());
    }
}
