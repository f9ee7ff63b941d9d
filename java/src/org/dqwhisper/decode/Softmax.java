package org.dqwhisper.decode;

import org.dqwhisper.kernels.NnKernels;

/**
 * Softmax arithmetic over float logits, with sums and results in double. Entries of {@code -Infinity} get probability 0; a
 * range whose entries are all {@code -Infinity} has log-sum-exp {@code -Infinity}.
 */
public final class Softmax {
    private Softmax() {}

    /**
     * {@code log(sum(exp(x[from..to))))} in FP64 throughout ({@link Math#exp} per entry).
     *
     * @throws IllegalArgumentException when the range holds +Infinity or NaN
     */
    public static double logSumExp(float[] x, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            max = Math.max(max, x[i]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        if (max == Double.POSITIVE_INFINITY || Double.isNaN(max)) {
            throw new IllegalArgumentException("logits must not contain +Infinity or NaN (max is " + max + ")");
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += Math.exp(x[i] - max);
        }
        return max + Math.log(sum);
    }

    /**
     * The log-softmax denominator {@code log(sum(exp(x)))} of a whole row of logits, as every decoded token needs
     * it: natively when finite ({@link NnKernels#logSumExp}: float exponentials summed in double, within ~1e-6 of
     * {@link #logSumExp}, about 20x faster than {@link Math#exp} over a 51,865-token vocabulary), else by
     * {@link #logSumExp} (-Infinity for a row of -Infinity; +Infinity and NaN rejected).
     *
     * @throws IllegalArgumentException when the row holds +Infinity or NaN
     */
    public static double rowLogSumExp(float[] x) {
        if (x.length > 0) {
            double z = NnKernels.logSumExp(x, 0, x.length);
            if (z > Double.NEGATIVE_INFINITY && z < Double.POSITIVE_INFINITY) {
                return z;
            }
        }
        return logSumExp(x, 0, x.length);
    }

    /** {@code log_softmax(x)}, with {@link #rowLogSumExp}. */
    public static double[] logSoftmax(float[] x) {
        double z = rowLogSumExp(x);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - z;
        }
        return out;
    }

    /** {@code log_softmax(x)[index]} without materialising the whole vector, with {@link #rowLogSumExp}. */
    public static double logProbability(float[] x, int index) {
        return x[index] - rowLogSumExp(x);
    }

    /** {@code softmax(x[from..to))}, as an array of {@code to - from} probabilities. */
    public static double[] softmax(float[] x, int from, int to) {
        double z = logSumExp(x, from, to);
        double[] out = new double[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = Math.exp(x[i] - z);
        }
        return out;
    }

    /** Index of the largest entry; the first one on ties (as {@code torch.argmax}). */
    public static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
