package org.dqwhisper.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.dqwhisper.nn.Precision;
import java.io.UncheckedIOException;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.train.data.FeatureCache;
import org.dqwhisper.train.data.SpecAugment;
import org.dqwhisper.whisper.WhisperModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole fine-tuning run over JSONL manifests (what {@code dqw finetune} does): load the model (or,
 * with {@code resume}, the newest checkpoint in the output folder), read the data through
 * {@link TrainingData} (feature cache on disk under {@code out/feature-cache} unless another folder is
 * given; optional SpecAugment with {@link SpecAugment#standard()} masks drawn from the run's generator),
 * train with progress lines,
 * evaluate on the dev set every {@code evalEvery} updates, save checkpoints every
 * {@code saveEvery} updates (and when stopping), and finally write the model to {@code out/model}
 * plus the curves {@code out/metrics.csv} and {@code out/curves.png}.
 */
public final class FinetuneRun {
    private static final Logger LOG = LoggerFactory.getLogger(FinetuneRun.class);
    /** Cached mel bytes per manifest. */
    private static final long MEL_CACHE_BYTES = 1L << 30;

    /**
     * @param stopAfter    stop (with a checkpoint) once this process has done that many updates; ≤ 0 runs to the end
     * @param specAugment  mask the training inputs with {@link SpecAugment#standard()} (off: exactly reproducible inputs)
     * @param featureCache folder of the on-disk log-mel cache; null: {@code out/feature-cache}
     */
    public record Settings(Path model, Path train, Path dev, Path out, TrainerOptions options, int batchSize, int evalEvery, int saveEvery,
                           int logEvery, boolean freezeEncoder, boolean resume, int keepCheckpoints, long stopAfter, boolean specAugment,
                           Path featureCache, FeatureCache.Framing framing) {
        /** Settings with whisper.transcribe's input framing ({@link FeatureCache.Framing#TRANSCRIBE_WINDOW}). */
        public Settings(Path model, Path train, Path dev, Path out, TrainerOptions options, int batchSize, int evalEvery, int saveEvery,
                        int logEvery, boolean freezeEncoder, boolean resume, int keepCheckpoints, long stopAfter, boolean specAugment,
                        Path featureCache) {
            this(model, train, dev, out, options, batchSize, evalEvery, saveEvery, logEvery, freezeEncoder, resume, keepCheckpoints, stopAfter,
                    specAugment, featureCache, FeatureCache.Framing.TRANSCRIBE_WINDOW);
        }

        public Settings {
            if (framing == null) throw new IllegalArgumentException("no input framing given");
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            if (evalEvery < 0 || saveEvery < 0 || logEvery < 1) {
                throw new IllegalArgumentException("eval-every and save-every must be >= 0 (0: only at the end), log-every >= 1");
            }
            if (keepCheckpoints < 1) throw new IllegalArgumentException("keep-checkpoints must be >= 1, got " + keepCheckpoints);
        }

        /** The options a resumed run must share with the run that wrote the checkpoint. */
        JsonObject identity() {
            JsonObject o = new JsonObject();
            o.addProperty("steps", options.steps());
            o.addProperty("learning_rate", options.learningRate());
            o.addProperty("warmup_steps", options.warmupSteps());
            o.addProperty("decay", options.decay().name().toLowerCase(Locale.ROOT));
            o.addProperty("weight_decay", options.weightDecay());
            o.addProperty("clip_norm", options.clipNorm());
            o.addProperty("accumulation", options.accumulation());
            o.addProperty("label_smoothing", options.labelSmoothing());
            o.addProperty("seed", options.seed());
            o.addProperty("batch_size", batchSize);
            o.addProperty("freeze_encoder", freezeEncoder);
            o.addProperty("spec_augment", specAugment);
            // only a non-default framing is recorded, so checkpoints written before the option existed still resume
            if (framing != FeatureCache.Framing.TRANSCRIBE_WINDOW) o.addProperty("framing", framing.name().toLowerCase(Locale.ROOT));
            o.addProperty("train_manifest", train.toAbsolutePath().normalize().toString());
            return o;
        }
    }

    /** Outcome: the final model folder, updates done, last training loss, last dev scores (null without a dev set). */
    public record Result(Path finalModel, long steps, double lastLoss, DevEvaluator.Result dev) {}

    private FinetuneRun() {}

    public static Result run(Settings s, PrintStream progress) throws IOException {
        Files.createDirectories(s.out());
        Optional<Path> checkpoint = s.resume() ? TrainingCheckpoint.latest(s.out()) : Optional.empty();
        if (s.resume() && checkpoint.isEmpty()) progress.println("finetune: no checkpoint in " + s.out() + ", starting from " + s.model());
        JsonObject identity = s.identity();
        if (checkpoint.isPresent()) {
            JsonObject saved = TrainingCheckpoint.readState(checkpoint.get()).options();
            if (!saved.equals(identity)) {
                throw new IllegalArgumentException("cannot resume from " + checkpoint.get() + ": it was trained with " + saved
                        + ", this run has " + identity + " (an exact continuation needs the same settings)");
            }
        }
        Path modelPath = checkpoint.orElse(s.model());
        try (WhisperModel model = WhisperModel.load(modelPath, Precision.FP32)) {
            WhisperTokenizer tokenizer = WhisperTokenizer.forVocabSize(model.config().nVocab());
            TrainingData data = new TrainingData(model.config(), featureCacheFolder(s.out(), s.featureCache()), MEL_CACHE_BYTES, s.framing());
            BatchSource source = data.source(s.train(), s.batchSize(), s.options().seed());
            List<DevEvaluator.Item> dev = s.dev() == null ? null : data.devItems(s.dev());
            if (s.freezeEncoder()) model.encoder().setRequiresGrad(false);
            TrainingLog log = new TrainingLog(s.out().resolve("metrics.csv"), s.out().resolve("curves.png"));
            try (Trainer trainer = new Trainer(model, source, s.options())) {
                if (s.specAugment()) trainer.setBatchTransform(SpecAugment.standard());
                if (checkpoint.isPresent()) {
                    TrainingCheckpoint.restore(checkpoint.get(), trainer);
                    log.resume(trainer.stepsDone());
                    progress.println("finetune: resumed from " + checkpoint.get().getFileName() + " at update " + trainer.stepsDone());
                }
                return loop(s, trainer, log, dev, tokenizer, identity, progress);
            } catch (UncheckedIOException e) {
                throw e.getCause(); // an utterance that cannot be read, named by the data pipeline
            }
        }
    }

    /** The on-disk feature cache: {@code folder}, or {@code out/feature-cache} when null. */
    public static Path featureCacheFolder(Path out, Path folder) {
        return folder != null ? folder : out.resolve("feature-cache");
    }

    private static Result loop(Settings s, Trainer trainer, TrainingLog log, List<DevEvaluator.Item> dev, WhisperTokenizer tokenizer,
            JsonObject identity, PrintStream progress) throws IOException {
        long total = s.options().steps();
        long startStep = trainer.stepsDone();
        long startNanos = System.nanoTime();
        long samples = 0;
        double lastLoss = Double.NaN;
        DevEvaluator.Result lastDev = null;
        boolean saved = true;
        while (!trainer.finished()) {
            StepResult r = trainer.step();
            samples += r.samples();
            lastLoss = r.loss();
            log.addStep(r);
            saved = false;
            long done = r.step();
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            if (done % s.logEvery() == 0 || done == total) {
                double perStep = elapsed / (done - startStep);
                progress.printf(Locale.ROOT, "step %d/%d | loss %.4f | lr %.3e | grad norm %.3f | %.2f samples/s | ETA %s%n", done, total,
                        r.loss(), r.learningRate(), r.gradientNorm(), samples / elapsed, duration(perStep * (total - done)));
            }
            boolean last = done == total || (s.stopAfter() > 0 && done - startStep >= s.stopAfter());
            if (dev != null && ((s.evalEvery() > 0 && done % s.evalEvery() == 0) || last)) {
                lastDev = evaluate(trainer, dev, tokenizer);
                log.addEvaluation(done, lastDev.wer(), lastDev.cer());
                progress.printf(Locale.ROOT, "dev @ step %d: WER %.2f%% | CER %.2f%% (%d utterances, %d words)%n", done, 100 * lastDev.wer(),
                        100 * lastDev.cer(), dev.size(), lastDev.words().referenceLength());
                log.write();
            }
            if ((s.saveEvery() > 0 && done % s.saveEvery() == 0) || last) {
                Path ck = TrainingCheckpoint.save(s.out(), trainer, identity);
                TrainingCheckpoint.prune(s.out(), s.keepCheckpoints());
                log.write();
                saved = true;
                LOG.info("saved {}", ck);
            }
            if (last && done != total) {
                progress.println("finetune: stopping after " + (done - startStep) + " updates (checkpoint at update " + done + ")");
                return new Result(null, done, lastLoss, lastDev);
            }
        }
        if (!saved) TrainingCheckpoint.save(s.out(), trainer, identity);
        Path finalModel = s.out().resolve("model");
        TrainingCheckpoint.writeModel(finalModel, trainer.model());
        log.write();
        progress.println("finetune: done, " + trainer.stepsDone() + " updates; model in " + finalModel);
        return new Result(finalModel, trainer.stepsDone(), lastLoss, lastDev);
    }

    private static DevEvaluator.Result evaluate(Trainer trainer, List<DevEvaluator.Item> dev, WhisperTokenizer tokenizer) {
        return new DevEvaluator(tokenizer).evaluate(trainer.model(), dev);
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
