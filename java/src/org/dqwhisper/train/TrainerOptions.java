package org.dqwhisper.train;

/**
 * Hyper-parameters of a training run.
 *
 * @param steps          optimizer updates in the whole run (the schedule's length)
 * @param learningRate   peak learning rate
 * @param warmupSteps    linear warm-up updates
 * @param decay          decay after warm-up
 * @param weightDecay    AdamW decoupled weight decay (matrices and embeddings only)
 * @param clipNorm       global gradient-norm limit; 0 disables clipping
 * @param accumulation   micro-batches whose gradients are summed per update
 * @param labelSmoothing cross-entropy label smoothing in [0, 1)
 * @param seed           seed of the run's {@link TrainingRng}
 * @param beta1          AdamW β1
 * @param beta2          AdamW β2
 * @param epsilon        AdamW ε
 */
public record TrainerOptions(long steps, double learningRate, long warmupSteps, LearningRateSchedule.Decay decay, double weightDecay,
                             double clipNorm, int accumulation, double labelSmoothing, long seed, double beta1, double beta2,
                             double epsilon) {
    public TrainerOptions {
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        if (accumulation < 1) throw new IllegalArgumentException("gradient accumulation must be >= 1, got " + accumulation);
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
        if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) throw new IllegalArgumentException("clip norm must be finite and >= 0, got " + clipNorm);
        new LearningRateSchedule(learningRate, warmupSteps, steps, decay, 0); // validates
        new AdamW(beta1, beta2, epsilon, weightDecay).close(); // validates
    }

    /** Fine-tuning defaults: lr 1e-5, 10% linear warm-up then linear decay, weight decay 0.01, clip 1.0, no accumulation or smoothing, seed 0, AdamW (0.9, 0.999, 1e-8). */
    public static TrainerOptions defaults(long steps) {
        return new TrainerOptions(steps, 1e-5, Math.max(0, steps / 10), LearningRateSchedule.Decay.LINEAR, 0.01, 1.0, 1, 0.0, 0, 0.9,
                0.999, 1e-8);
    }

    public TrainerOptions withLearningRate(double lr, long warmup, LearningRateSchedule.Decay d) {
        return new TrainerOptions(steps, lr, warmup, d, weightDecay, clipNorm, accumulation, labelSmoothing, seed, beta1, beta2, epsilon);
    }

    public TrainerOptions withRegularisation(double wd, double clip, double smoothing) {
        return new TrainerOptions(steps, learningRate, warmupSteps, decay, wd, clip, accumulation, smoothing, seed, beta1, beta2, epsilon);
    }

    public TrainerOptions withAccumulation(int accum) {
        return new TrainerOptions(steps, learningRate, warmupSteps, decay, weightDecay, clipNorm, accum, labelSmoothing, seed, beta1, beta2,
                epsilon);
    }

    public TrainerOptions withSeed(long s) {
        return new TrainerOptions(steps, learningRate, warmupSteps, decay, weightDecay, clipNorm, accumulation, labelSmoothing, s, beta1, beta2,
                epsilon);
    }

    public LearningRateSchedule schedule() {
        return new LearningRateSchedule(learningRate, warmupSteps, steps, decay, 0);
    }
}
