package org.dqwhisper.decode;

/**
 * Softmax arithmetic over float logits, carried out in double. Entries of {@code -Infinity} get probability 0; a
 * range whose entries are all {@code -Infinity} has log-sum-exp {@code -Infinity}.
 */
public final class Softmax {
    private Softmax() {}

    /** {@code log(sum(exp(x[from..to))))}. */
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

    /** {@code log_softmax(x)}. */
    public static double[] logSoftmax(float[] x) {
        double z = logSumExp(x, 0, x.length);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - z;
        }
        return out;
    }

    /** {@code log_softmax(x)[index]} without materialising the whole vector. */
    public static double logProbability(float[] x, int index) {
        return x[index] - logSumExp(x, 0, x.length);
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
