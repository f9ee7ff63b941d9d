package org.dqwhisper.train;

/**
 * What one optimizer update did.
 *
 * @param step          updates done after this one (1 for the first)
 * @param loss          mean cross-entropy per target token, averaged over the micro-batches
 * @param learningRate  learning rate the update used
 * @param gradientNorm  global gradient norm before clipping
 * @param samples       utterances in the update (all micro-batches)
 * @param targetTokens  tokens with a loss
 * @param seconds       wall time of the update
 */
public record StepResult(long step, double loss, double learningRate, double gradientNorm, int samples, int targetTokens, double seconds) {}
