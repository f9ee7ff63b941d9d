package org.dqwhisper.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.nn.Workspace;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperModel;

/**
 * The training loop of one run: per update, {@code accumulation} micro-batches from the
 * {@link BatchSource} (optionally changed by a {@link BatchTransform}), each a training forward,
 * the label-smoothed cross-entropy over the next-token targets (mean per target token, divided by
 * the number of micro-batches) and a backward that adds into the parameter gradients; then
 * global-norm clipping, one AdamW update at the scheduled learning rate, repacking of the weights
 * and zeroed gradients.
 *
 * <p>Everything that decides the next update is state that a checkpoint saves: the weights, the
 * optimizer moments and update count, {@link #stepsDone()}, the {@link TrainingRng} state and the
 * source's position; every computation is deterministic (the kernels give the same bits for any
 * thread count), so a resumed run reproduces an uninterrupted one bit for bit.
 */
public final class Trainer implements AutoCloseable {
    private final WhisperModel model;
    private final BatchSource source;
    private final TrainerOptions options;
    private final LearningRateSchedule schedule;
    private final AdamW optimizer;
    private final TrainingRng rng;
    private final int padToken;
    private BatchTransform transform;
    private long step;

    public Trainer(WhisperModel model, BatchSource source, TrainerOptions options) {
        this.model = model;
        this.source = source;
        this.options = options;
        this.schedule = options.schedule();
        this.optimizer = new AdamW(options.beta1(), options.beta2(), options.epsilon(), options.weightDecay());
        this.rng = new TrainingRng(options.seed());
        this.padToken = model.config().eotId().orElse(0);
        if (trainable().isEmpty()) throw new IllegalArgumentException("every parameter of the model is frozen: nothing to train");
    }

    public WhisperModel model() {
        return model;
    }

    public TrainerOptions options() {
        return options;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public TrainingRng rng() {
        return rng;
    }

    public BatchSource source() {
        return source;
    }

    /** Optimizer updates done. */
    public long stepsDone() {
        return step;
    }

    public boolean finished() {
        return step >= options.steps();
    }

    public void setBatchTransform(BatchTransform transform) {
        this.transform = transform;
    }

    /** The parameters that take gradients (with the learned LSQ step sizes of a fake-quantized model). */
    public List<Parameter> trainable() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : model.parameters()) if (p.requiresGrad()) out.add(p);
        for (Parameter p : model.quantizerParameters()) if (p.requiresGrad()) out.add(p); // LSQ step sizes
        return out;
    }

    /** Restores the loop state of a checkpoint (the model weights are restored by loading the model). */
    public void restore(long stepsDone, long rngState, long dataPosition, Map<String, Tensor[]> moments) {
        if (stepsDone < 0) throw new IllegalArgumentException("steps done must be >= 0, got " + stepsDone);
        optimizer.restore(stepsDone, moments, trainable());
        rng.setState(rngState);
        source.seek(dataPosition);
        step = stepsDone;
    }

    /** One optimizer update: {@link #accumulateGradients()}, clipping, AdamW, repacking, zeroed gradients. */
    public StepResult step() {
        long start = System.nanoTime();
        List<Parameter> params = trainable();
        Accumulated a = accumulateGradients();
        double norm = GradientClipping.clip(params, options.clipNorm());
        double lr = schedule.at(step);
        optimizer.step(params, lr);
        model.invalidatePackedWeights();
        for (Parameter p : params) p.zeroGrad();
        Workspace.endStep();
        step++;
        return new StepResult(step, a.loss(), lr, norm, a.samples(), a.targetTokens(), (System.nanoTime() - start) / 1e9);
    }

    /** Loss and counts of the micro-batches of one update. */
    public record Accumulated(double loss, int samples, int targetTokens) {}

    /**
     * Runs the {@code accumulation} micro-batches of one update and adds their gradients into the
     * parameters (each micro-batch's mean token loss weighted 1/accumulation) without updating.
     */
    public Accumulated accumulateGradients() {
        double lossSum = 0;
        int samples = 0;
        int tokens = 0;
        for (int micro = 0; micro < options.accumulation(); micro++) {
            TrainingBatch batch = source.next();
            try {
                if (transform != null) batch = transform.apply(batch, rng);
                lossSum += forwardBackward(batch, 1.0 / options.accumulation());
                samples += batch.size();
                tokens += batch.targetTokens();
            } finally {
                batch.close();
            }
        }
        return new Accumulated(lossSum / options.accumulation(), samples, tokens);
    }

    /** Forward, loss and backward of one micro-batch with the loss scaled by {@code weight}; returns its mean token loss. */
    private double forwardBackward(TrainingBatch batch, double weight) {
        int b = batch.size();
        int t = 0;
        for (int[] row : batch.decoderInputs()) t = Math.max(t, row.length);
        int[][] inputs = new int[b][t];
        int[] targets = new int[b * t];
        int kept = 0;
        for (int i = 0; i < b; i++) {
            int n = batch.decoderInputs()[i].length;
            System.arraycopy(batch.decoderInputs()[i], 0, inputs[i], 0, n);
            java.util.Arrays.fill(inputs[i], n, t, padToken);
            for (int j = 0; j < t; j++) {
                int target = j < n ? batch.targets()[i][j] : TrainingBatch.IGNORE_INDEX;
                targets[i * t + j] = target;
                if (target != TrainingBatch.IGNORE_INDEX) kept++;
            }
        }
        if (kept == 0) throw new IllegalArgumentException("training batch has no target tokens (all are " + TrainingBatch.IGNORE_INDEX + ")");
        try (WhisperModel.TrainingPass pass = model.forwardTrain(batch.mel(), inputs);
                Tensor targetIds = Tensor.of(targets, (long) b * t);
                Tensor losses = Tensor.allocate("losses", DType.F32, (long) b * t)) {
            Tensor logits = pass.logits();
            NnKernels.crossEntropy(logits, targetIds, TrainingBatch.IGNORE_INDEX, (float) options.labelSmoothing(), losses, logits,
                    (float) (weight / kept));
            model.backward(pass, logits);
            double sum = 0;
            for (float l : losses.toFloatArray()) sum += l;
            return sum / kept;
        }
    }

    @Override
    public void close() {
        optimizer.close();
        for (Parameter p : model.parameters()) p.releaseGrad();
        Workspace.releaseIdle();
    }
}
