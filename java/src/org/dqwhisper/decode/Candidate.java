package org.dqwhisper.decode;

/**
 * A finished hypothesis of one window: the sampled tokens (without the initial tokens and without end-of-text)
 * and their summed log-probability.
 */
record Candidate(int[] tokens, double sumLogprob) {}
