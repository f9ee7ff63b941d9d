package org.dqwhisper.decode;

import java.util.List;

/**
 * Whisper's {@code MaximumLikelihoodRanker}: picks the candidate with the highest length-normalised sum
 * log-probability. Without a length penalty the sum is divided by the length (mean log-probability); with alpha
 * it is divided by {@code ((5 + length) / 6)^alpha} as in the Google NMT paper (arXiv:1609.08144).
 */
public final class SequenceRanker {
    private final Double lengthPenalty;

    /** @param lengthPenalty alpha in [0, 1], or null for plain length normalisation */
    public SequenceRanker(Double lengthPenalty) {
        this.lengthPenalty = lengthPenalty;
    }

    /** The score of one candidate of {@code length} tokens (end-of-text not counted). */
    public double score(double sumLogprob, int length) {
        double penalty = lengthPenalty == null ? length : Math.pow((5.0 + length) / 6.0, lengthPenalty);
        return sumLogprob / penalty;
    }

    /**
     * Index of the best candidate; the first one on ties. A NaN score (0 / 0 for an empty candidate that was
     * certain) wins, as in numpy's argmax.
     */
    public int rank(List<int[]> tokens, List<Double> sumLogprobs) {
        if (tokens.isEmpty() || tokens.size() != sumLogprobs.size()) {
            throw new IllegalArgumentException("need as many candidates as scores (at least one), got "
                    + tokens.size() + " and " + sumLogprobs.size());
        }
        int best = 0;
        double bestScore = score(sumLogprobs.get(0), tokens.get(0).length);
        for (int i = 1; i < tokens.size() && !Double.isNaN(bestScore); i++) {
            double s = score(sumLogprobs.get(i), tokens.get(i).length);
            if (Double.isNaN(s) || s > bestScore) {
                best = i;
                bestScore = s;
            }
        }
        return best;
    }
}
