package org.dqwhisper.decode;

import java.util.SplittableRandom;

/**
 * Chooses one token from logits: the argmax at temperature 0, else a draw from the categorical distribution
 * {@code softmax(logits / temperature)} (whisper's {@code Categorical(logits=logits / T).sample()}).
 */
final class TokenSampler {
    private final double temperature;
    private final SplittableRandom random;
    private double[] weights = new double[0]; // scratch of sample(), reused: one draw per token would allocate n_vocab doubles

    /** @param random the random source for temperature > 0 (ignored, may be null, at temperature 0) */
    TokenSampler(double temperature, SplittableRandom random) {
        if (temperature > 0 && random == null) {
            throw new IllegalArgumentException("sampling at temperature " + temperature + " needs a random source");
        }
        this.temperature = temperature;
        this.random = random;
    }

    int next(float[] logits) {
        if (temperature == 0) return Softmax.argmax(logits);
        if (weights.length < logits.length) weights = new double[logits.length];
        return sample(logits, temperature, random, weights);
    }

    /** One draw from {@code softmax(logits / temperature)}; entries of {@code -Infinity} are never drawn. */
    static int sample(float[] logits, double temperature, SplittableRandom random) {
        return sample(logits, temperature, random, new double[logits.length]);
    }

    /** {@link #sample(float[], double, SplittableRandom)} with {@code weights} (at least as long as the logits) as scratch. */
    static int sample(float[] logits, double temperature, SplittableRandom random, double[] weights) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalStateException("every token is suppressed; nothing to sample");
        }
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            double w = Math.exp((logits[i] - max) / temperature);
            weights[i] = w;
            total += w;
        }
        double u = random.nextDouble() * total;
        double cumulative = 0;
        int lastPositive = -1;
        for (int i = 0; i < logits.length; i++) {
            if (weights[i] > 0) {
                cumulative += weights[i];
                lastPositive = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return lastPositive; // u landed in the rounding slack at the very end
    }
}
