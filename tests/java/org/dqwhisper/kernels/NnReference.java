package org.dqwhisper.kernels;

/**
 * Plain-Java FP64 reference implementations of the nn kernels, written for clarity, used only by
 * tests. Arrays are row-major like the tensors; float inputs are widened to double first.
 */
final class NnReference {
    private NnReference() {}

    // ---- erf / normal distribution -------------------------------------------------------------------

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    /**
     * erf(a) for 0 <= a < 1 by the series erf(a) = 2/sqrt(pi) * exp(-a^2) * sum_n 2^n a^(2n+1) /
     * (1*3*...*(2n+1)) (Abramowitz-Stegun 7.1.6): every term is positive, so there is no cancellation.
     */
    private static double erfSeries(double a) {
        double term = a, sum = a;
        for (int n = 1; n < 500; n++) {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-18) break;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
    }

    /**
     * erfc(a) for a >= 1 by the continued fraction erfc(a) = exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a +
     * (3/2)/(a + 2/(a + ...))))) (A-S 7.1.14), evaluated bottom-up from depth 300 (truncation error
     * 6e-21 relative at a = 1, checked with mpmath, and smaller above).
     */
    private static double erfcContinuedFraction(double a) {
        double f = a;
        for (int k = 300; k >= 1; k--) f = a + (k / 2.0) / f;
        return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    }

    static double erf(double x) {
        if (Double.isNaN(x)) return Double.NaN;
        double a = Math.abs(x);
        double r = a < 1 ? erfSeries(a) : 1 - erfcContinuedFraction(a);
        return Math.copySign(r, x);
    }

    static double erfc(double x) {
        if (Double.isNaN(x)) return Double.NaN;
        if (x < 0) return 2 - erfc(-x);
        return x < 1 ? 1 - erfSeries(x) : erfcContinuedFraction(x);  // 1 - erf loses < 1 digit below 1
    }

    /** Phi(x) = P(N(0,1) <= x) = erfc(-x / sqrt 2) / 2, accurate relative to itself in the lower tail. */
    static double normalCdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    static double normalPdf(double x) {
        return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }

    static double gelu(double x) {
        return x * normalCdf(x);
    }

    static double geluGrad(double x) {
        return normalCdf(x) + x * normalPdf(x);
    }

    // ---- LayerNorm -----------------------------------------------------------------------------------

    /** Rows of x [M,D]: y, and per row mean and rstd = 1/sqrt(var + eps) (biased variance). */
    static double[] layerNorm(double[] x, double[] gamma, double[] beta, double eps, int m, int d, double[] mean, double[] rstd) {
        double[] y = new double[m * d];
        for (int r = 0; r < m; r++) {
            double mu = 0, var = 0;
            for (int j = 0; j < d; j++) mu += x[r * d + j];
            mu /= d;
            for (int j = 0; j < d; j++) var += sq(x[r * d + j] - mu);
            var /= d;
            double rs = 1 / Math.sqrt(var + eps);
            for (int j = 0; j < d; j++) y[r * d + j] = (x[r * d + j] - mu) * rs * gamma[j] + beta[j];
            if (mean != null) mean[r] = mu;
            if (rstd != null) rstd[r] = rs;
        }
        return y;
    }

    /** LayerNorm backward from first principles; returns {dx [M*D], dgamma [D], dbeta [D]}. */
    static double[][] layerNormBackward(double[] dy, double[] x, double[] gamma, double eps, int m, int d) {
        double[] mean = new double[m], rstd = new double[m];
        layerNorm(x, gamma, new double[d], eps, m, d, mean, rstd);
        double[] dx = new double[m * d], dgamma = new double[d], dbeta = new double[d];
        for (int r = 0; r < m; r++) {
            double sumG = 0, sumGx = 0;
            for (int j = 0; j < d; j++) {
                double xhat = (x[r * d + j] - mean[r]) * rstd[r];
                double g = dy[r * d + j] * gamma[j];
                sumG += g;
                sumGx += g * xhat;
                dgamma[j] += dy[r * d + j] * xhat;
                dbeta[j] += dy[r * d + j];
            }
            for (int j = 0; j < d; j++) {
                double xhat = (x[r * d + j] - mean[r]) * rstd[r];
                double g = dy[r * d + j] * gamma[j];
                dx[r * d + j] = rstd[r] * (g - sumG / d - xhat * sumGx / d);
            }
        }
        return new double[][] {dx, dgamma, dbeta};
    }

    // ---- softmax -------------------------------------------------------------------------------------

    static double[] softmaxRows(double[] x, int m, int n) {
        double[] y = new double[m * n];
        for (int r = 0; r < m; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < n; j++) max = Math.max(max, x[r * n + j]);
            for (int j = 0; j < n; j++) sum += y[r * n + j] = Math.exp(x[r * n + j] - max);
            for (int j = 0; j < n; j++) y[r * n + j] /= sum;
        }
        return y;
    }

    /** dx = y * (dy - sum(dy * y)) per row. */
    static double[] softmaxRowsBackward(double[] y, double[] dy, int m, int n) {
        double[] dx = new double[m * n];
        for (int r = 0; r < m; r++) {
            double dot = 0;
            for (int j = 0; j < n; j++) dot += y[r * n + j] * dy[r * n + j];
            for (int j = 0; j < n; j++) dx[r * n + j] = y[r * n + j] * (dy[r * n + j] - dot);
        }
        return dx;
    }

    // ---- attention -------------------------------------------------------------------------------------

    /** Sizes of one attention problem; causalOffset < 0 means no mask. */
    record Attn(int b, int bk, int tq, int tk, int heads, int dh, long causalOffset) {
        int hd() {
            return heads * dh;
        }

        int kvBatch(int batch) {
            return bk == 1 ? 0 : batch;
        }

        /** Highest key index query i may see. */
        int lastKey(int i) {
            return causalOffset < 0 ? tk - 1 : (int) (causalOffset + i);
        }
    }

    /** Probabilities P[b][h][i][j] = softmax_j (q_i . k_j / sqrt(dh)) over the visible keys (0 elsewhere). */
    static double[][][][] attentionProbs(Attn a, double[] q, double[] k) {
        double scale = 1 / Math.sqrt(a.dh());
        double[][][][] p = new double[a.b()][a.heads()][a.tq()][a.tk()];
        for (int b = 0; b < a.b(); b++) {
            for (int h = 0; h < a.heads(); h++) {
                for (int i = 0; i < a.tq(); i++) {
                    double[] row = p[b][h][i];
                    for (int j = 0; j <= a.lastKey(i); j++) {
                        double s = 0;
                        for (int d = 0; d < a.dh(); d++) s += q[qIndex(a, b, i, h, d)] * k[kIndex(a, a.kvBatch(b), j, h, d)];
                        row[j] = s * scale;
                    }
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j <= a.lastKey(i); j++) max = Math.max(max, row[j]);
                    for (int j = 0; j <= a.lastKey(i); j++) sum += row[j] = Math.exp(row[j] - max);
                    for (int j = 0; j <= a.lastKey(i); j++) row[j] /= sum;
                }
            }
        }
        return p;
    }

    static int qIndex(Attn a, int b, int i, int h, int d) {
        return (b * a.tq() + i) * a.hd() + h * a.dh() + d;
    }

    static int kIndex(Attn a, int bk, int j, int h, int d) {
        return (bk * a.tk() + j) * a.hd() + h * a.dh() + d;
    }

    /** Naive materialised attention: out [B,Tq,H*Dh]; lse [B,H,Tq] filled when non-null. */
    static double[] attention(Attn a, double[] q, double[] k, double[] v, double[] lse) {
        double[][][][] p = attentionProbs(a, q, k);
        double[] out = new double[a.b() * a.tq() * a.hd()];
        double scale = 1 / Math.sqrt(a.dh());
        for (int b = 0; b < a.b(); b++) {
            for (int h = 0; h < a.heads(); h++) {
                for (int i = 0; i < a.tq(); i++) {
                    for (int j = 0; j <= a.lastKey(i); j++) {
                        for (int d = 0; d < a.dh(); d++) {
                            out[qIndex(a, b, i, h, d)] += p[b][h][i][j] * v[kIndex(a, a.kvBatch(b), j, h, d)];
                        }
                    }
                    if (lse != null) {
                        double max = Double.NEGATIVE_INFINITY, sum = 0;
                        double[] s = new double[a.lastKey(i) + 1];
                        for (int j = 0; j < s.length; j++) {
                            for (int d = 0; d < a.dh(); d++) s[j] += q[qIndex(a, b, i, h, d)] * k[kIndex(a, a.kvBatch(b), j, h, d)];
                            s[j] *= scale;
                            max = Math.max(max, s[j]);
                        }
                        for (double sj : s) sum += Math.exp(sj - max);
                        lse[(b * a.heads() + h) * a.tq() + i] = max + Math.log(sum);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Attention backward by the chain rule through the materialised probabilities; returns {dq, dk, dv}
     * (dk, dv summed over the batch rows that share them).
     */
    static double[][] attentionBackward(Attn a, double[] q, double[] k, double[] v, double[] dout) {
        double[][][][] p = attentionProbs(a, q, k);
        double scale = 1 / Math.sqrt(a.dh());
        double[] dq = new double[q.length], dk = new double[k.length], dv = new double[v.length];
        for (int b = 0; b < a.b(); b++) {
            int g = a.kvBatch(b);
            for (int h = 0; h < a.heads(); h++) {
                for (int i = 0; i < a.tq(); i++) {
                    int last = a.lastKey(i);
                    double[] dp = new double[last + 1];
                    double rowDot = 0;  // sum_j P_ij dP_ij
                    for (int j = 0; j <= last; j++) {
                        for (int d = 0; d < a.dh(); d++) dp[j] += dout[qIndex(a, b, i, h, d)] * v[kIndex(a, g, j, h, d)];
                        rowDot += p[b][h][i][j] * dp[j];
                    }
                    for (int j = 0; j <= last; j++) {
                        double pij = p[b][h][i][j];
                        double ds = pij * (dp[j] - rowDot) * scale;  // d loss / d (q_i . k_j)
                        for (int d = 0; d < a.dh(); d++) {
                            dq[qIndex(a, b, i, h, d)] += ds * k[kIndex(a, g, j, h, d)];
                            dk[kIndex(a, g, j, h, d)] += ds * q[qIndex(a, b, i, h, d)];
                            dv[kIndex(a, g, j, h, d)] += pij * dout[qIndex(a, b, i, h, d)];
                        }
                    }
                }
            }
        }
        return new double[][] {dq, dk, dv};
    }

    // ---- losses ----------------------------------------------------------------------------------------

    /** log-softmax of row r of x [N,V] scaled by 1/temperature. */
    static double[] logSoftmaxRow(double[] x, int r, int v, double temperature) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < v; j++) max = Math.max(max, x[r * v + j] / temperature);
        for (int j = 0; j < v; j++) sum += Math.exp(x[r * v + j] / temperature - max);
        double lse = max + Math.log(sum);
        double[] out = new double[v];
        for (int j = 0; j < v; j++) out[j] = x[r * v + j] / temperature - lse;
        return out;
    }

    /** PyTorch cross_entropy(reduction='none', label_smoothing=eps, ignore_index): per-row losses. */
    static double[] crossEntropy(double[] logits, int[] targets, int n, int v, int ignoreIndex, double eps) {
        double[] loss = new double[n];
        for (int r = 0; r < n; r++) {
            if (targets[r] == ignoreIndex) continue;
            double[] lp = logSoftmaxRow(logits, r, v, 1);
            double meanNeg = 0;
            for (double l : lp) meanNeg -= l / v;
            loss[r] = (1 - eps) * -lp[targets[r]] + eps * meanNeg;
        }
        return loss;
    }

    /** Gradient of scale * loss[r] w.r.t. the logits. */
    static double[] crossEntropyGrad(double[] logits, int[] targets, int n, int v, int ignoreIndex, double eps, double scale) {
        double[] g = new double[n * v];
        for (int r = 0; r < n; r++) {
            if (targets[r] == ignoreIndex) continue;
            double[] lp = logSoftmaxRow(logits, r, v, 1);
            for (int j = 0; j < v; j++) g[r * v + j] = scale * (Math.exp(lp[j]) - eps / v - (j == targets[r] ? 1 - eps : 0));
        }
        return g;
    }

    /** T^2 * KL(softmax(t/T) || softmax(s/T)) per row; 0 where mask[r] == 0. */
    static double[] klDivergence(double[] s, double[] t, int[] mask, int n, int v, double temperature) {
        double[] loss = new double[n];
        for (int r = 0; r < n; r++) {
            if (mask != null && mask[r] == 0) continue;
            double[] lq = logSoftmaxRow(s, r, v, temperature), lp = logSoftmaxRow(t, r, v, temperature);
            double kl = 0;
            for (int j = 0; j < v; j++) kl += Math.exp(lp[j]) * (lp[j] - lq[j]);
            loss[r] = temperature * temperature * kl;
        }
        return loss;
    }

    /** scale * T * (softmax(s/T) - softmax(t/T)), 0 on masked rows. */
    static double[] klDivergenceGrad(double[] s, double[] t, int[] mask, int n, int v, double temperature, double scale) {
        double[] g = new double[n * v];
        for (int r = 0; r < n; r++) {
            if (mask != null && mask[r] == 0) continue;
            double[] lq = logSoftmaxRow(s, r, v, temperature), lp = logSoftmaxRow(t, r, v, temperature);
            for (int j = 0; j < v; j++) g[r * v + j] = scale * temperature * (Math.exp(lq[j]) - Math.exp(lp[j]));
        }
        return g;
    }

    // ---- layout -----------------------------------------------------------------------------------------

    /** cols[t][ci*kernel + kk] = x[t*stride + kk - pad][ci], 0 outside. */
    static double[] im2col1d(double[] x, int t, int cin, int kernel, int stride, int pad) {
        int tout = (t + 2 * pad - kernel) / stride + 1;
        double[] cols = new double[tout * cin * kernel];
        for (int o = 0; o < tout; o++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int kk = 0; kk < kernel; kk++) {
                    int s = o * stride + kk - pad;
                    if (s >= 0 && s < t) cols[(o * cin + ci) * kernel + kk] = x[s * cin + ci];
                }
            }
        }
        return cols;
    }

    /** Direct conv1d (PyTorch semantics) of x [T,Cin] with w [Cout,Cin,kernel]; output [Tout,Cout]. */
    static double[] conv1d(double[] x, double[] w, int t, int cin, int cout, int kernel, int stride, int pad) {
        int tout = (t + 2 * pad - kernel) / stride + 1;
        double[] y = new double[tout * cout];
        for (int o = 0; o < tout; o++) {
            for (int co = 0; co < cout; co++) {
                double s = 0;
                for (int ci = 0; ci < cin; ci++) {
                    for (int kk = 0; kk < kernel; kk++) {
                        int src = o * stride + kk - pad;
                        if (src >= 0 && src < t) s += w[(co * cin + ci) * kernel + kk] * x[src * cin + ci];
                    }
                }
                y[o * cout + co] = s;
            }
        }
        return y;
    }

    private static double sq(double v) {
        return v * v;
    }
}
