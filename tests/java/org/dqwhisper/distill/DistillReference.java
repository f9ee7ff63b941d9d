package org.dqwhisper.distill;

/** Plain double-precision references of the distillation losses (tests only). Arrays are row-major. */
final class DistillReference {
    private DistillReference() {}

    static double[] softmaxT(double[] h, int rows, int f, double t) {
        double[] p = new double[rows * f];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < f; k++) max = Math.max(max, h[r * f + k] / t);
            double s = 0;
            for (int k = 0; k < f; k++) s += p[r * f + k] = Math.exp(h[r * f + k] / t - max);
            for (int k = 0; k < f; k++) p[r * f + k] /= s;
        }
        return p;
    }

    /** T^2 * sum_k (ps - pt)^2 per row; masked rows 0. */
    static double[] hiddenRows(double[] ps, double[] pt, int rows, int f, double t, int[] mask) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            if (mask != null && mask[r] == 0) continue;
            double s = 0;
            for (int k = 0; k < f; k++) s += (ps[r * f + k] - pt[r * f + k]) * (ps[r * f + k] - pt[r * f + k]);
            out[r] = t * t * s;
        }
        return out;
    }

    /** d(scale * sum_r rows[r]) / d h_S (which = 0) or / d (A h_T) (which = 1), from the probabilities. */
    static double[] hiddenGrad(double[] ps, double[] pt, int rows, int f, double t, double scale, int[] mask, int which) {
        double[] g = new double[rows * f];
        double[] p = which == 0 ? ps : pt;
        double sign = which == 0 ? 1 : -1;
        for (int r = 0; r < rows; r++) {
            if (mask != null && mask[r] == 0) continue;
            double m = 0;
            for (int k = 0; k < f; k++) m += (ps[r * f + k] - pt[r * f + k]) * p[r * f + k];
            for (int k = 0; k < f; k++) {
                g[r * f + k] = sign * 2 * scale * t * p[r * f + k] * ((ps[r * f + k] - pt[r * f + k]) - m);
            }
        }
        return g;
    }

    /** y = x W^T + b: x [rows, in], W [out, in]. */
    static double[] linear(double[] x, double[] w, double[] b, int rows, int in, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) s += x[r * in + i] * w[o * in + i];
                y[r * out + o] = s;
            }
        return y;
    }

    /** T^2 KL(softmax(t/T) || softmax(s/T)) per row, masked rows 0. */
    static double[] kl(double[] s, double[] te, int rows, int v, double t, int[] mask) {
        double[] ps = softmaxT(s, rows, v, t), pt = softmaxT(te, rows, v, t);
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            if (mask != null && mask[r] == 0) continue;
            double sum = 0;
            for (int k = 0; k < v; k++) {
                double q = pt[r * v + k];
                if (q > 0) sum += q * (Math.log(q) - Math.log(ps[r * v + k]));
            }
            out[r] = t * t * sum;
        }
        return out;
    }

    /** -log softmax(z)[target] per row; rows whose target is ignore give 0. */
    static double[] ce(double[] z, int[] targets, int rows, int v, int ignore) {
        double[] p = softmaxT(z, rows, v, 1);
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) if (targets[r] != ignore) out[r] = -Math.log(p[r * v + targets[r]]);
        return out;
    }

    static double sum(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
