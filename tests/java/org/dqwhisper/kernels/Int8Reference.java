package org.dqwhisper.kernels;

/**
 * Independent plain-Java references for the INT8 GEMM tests: exact integer GEMM, the row quantization
 * in the same float operations as the contract, and FP64 erf / erfc / GELU written from the textbook
 * series and continued fraction (Java has no erf).
 */
final class Int8Reference {
    private Int8Reference() {}

    /** c[m][n] = sum_k a[m][k] * w[n][k], exact (long accumulation; fits int for K <= 131071). */
    static int[] gemmS32(byte[] a, byte[] w, int m, int k, int n) {
        int[] c = new int[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long s = 0;
                int ai = i * k, wj = j * k;
                for (int kk = 0; kk < k; kk++) s += a[ai + kk] * w[wj + kk];
                c[i * n + j] = Math.toIntExact(s);
            }
        }
        return c;
    }

    /** The documented row quantization, in float arithmetic like the contract says. */
    static void quantizeRows(float[] x, int m, int k, byte[] q, float[] scale) {
        for (int i = 0; i < m; i++) {
            float amax = 0f;
            for (int kk = 0; kk < k; kk++) amax = Math.max(amax, Math.abs(x[i * k + kk]));
            float inv = 127f / amax;
            if (Float.isInfinite(inv)) {
                for (int kk = 0; kk < k; kk++) q[i * k + kk] = 0;
                scale[i] = 0f;
                continue;
            }
            for (int kk = 0; kk < k; kk++) {
                float v = x[i * k + kk] * inv; // float product
                long r = (long) Math.rint(v); // round half even
                q[i * k + kk] = (byte) Math.max(-127, Math.min(127, r));
            }
            scale[i] = amax / 127f;
        }
    }

    // ---- FP64 erf / erfc / GELU --------------------------------------------------------------------

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    /** erf(x) for |x| < 3 by the all-positive series 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1) / (1*3*...*(2n+1)). */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax >= 3.0) return Math.copySign(1.0 - erfc(ax), x);
        double term = ax, sum = ax, x2 = ax * ax;
        for (int n = 1; n < 200; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return Math.copySign(TWO_OVER_SQRT_PI * Math.exp(-x2) * sum, x);
    }

    /**
     * erfc(x): 1 - erf(x) below 2 (loses at most ~2 digits there, erfc(2) = 0.0047), else the
     * continued fraction e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))),
     * evaluated backwards from depth 100 (converged to 1 ulp from x = 2 on).
     */
    static double erfc(double x) {
        if (x < 2.0) return 1.0 - erf(x);
        double f = x;
        for (int n = 100; n >= 1; n--) f = x + (n / 2.0) / f;
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    /** GELU(x) = x Phi(x) = 0.5 x erfc(-x/sqrt 2), written so that it never cancels. */
    static double gelu(double x) {
        double t = x / Math.sqrt(2.0);
        return x >= 0 ? x * (1.0 - 0.5 * erfc(t)) : 0.5 * x * erfc(-t);
    }
}
