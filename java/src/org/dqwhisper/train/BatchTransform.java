package org.dqwhisper.train;

/**
 * A stochastic change to a batch before the forward pass (e.g. SpecAugment), drawing its randomness
 * from the run's {@link TrainingRng} so that it is reproduced on resume. May return the same batch
 * modified in place, or a new one (closing the old).
 */
@FunctionalInterface
public interface BatchTransform {
    TrainingBatch apply(TrainingBatch batch, TrainingRng rng);
}
