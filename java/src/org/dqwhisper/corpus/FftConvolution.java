package org.dqwhisper.corpus;

/**
 * Linear convolution through a radix-2 FFT in double precision (for reverberation: a 3 s utterance with a 0.7 s
 * impulse response is 48000 x 11200 taps, too many for the direct sum).
 */
final class FftConvolution {
    private FftConvolution() {
    }

    /** The full linear convolution {@code a * b}, length {@code a.length + b.length - 1}. */
    static float[] convolve(float[] a, float[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("cannot convolve an empty signal");
        }
        int outLength = a.length + b.length - 1;
        int n = Integer.highestOneBit(outLength);
        if (n < outLength) {
            n <<= 1;
        }
        if (n <= 0) {
            throw new IllegalArgumentException("signals of " + a.length + " and " + b.length + " samples are too long");
        }
        // a in the real part, b in the imaginary part: one forward FFT gives both spectra
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < a.length; i++) {
            re[i] = a[i];
        }
        for (int i = 0; i < b.length; i++) {
            im[i] = b[i];
        }
        transform(re, im, false);
        double[] pr = new double[n];
        double[] pi = new double[n];
        for (int k = 0; k < n; k++) {
            int j = (n - k) & (n - 1);
            // A[k] = (Z[k] + conj Z[n-k]) / 2, B[k] = (Z[k] - conj Z[n-k]) / 2i
            double ar = 0.5 * (re[k] + re[j]);
            double ai = 0.5 * (im[k] - im[j]);
            double br = 0.5 * (im[k] + im[j]);
            double bi = -0.5 * (re[k] - re[j]);
            pr[k] = ar * br - ai * bi;
            pi[k] = ar * bi + ai * br;
        }
        transform(pr, pi, true);
        float[] out = new float[outLength];
        for (int i = 0; i < outLength; i++) {
            out[i] = (float) (pr[i] / n);
        }
        return out;
    }

    /** In-place iterative radix-2 FFT (unnormalized); {@code inverse} uses the conjugate twiddles. */
    static void transform(double[] re, double[] im, boolean inverse) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j |= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double angle = (inverse ? 2 : -2) * Math.PI / len;
            int half = len / 2;
            for (int k = 0; k < half; k++) {
                double wr = Math.cos(angle * k);
                double wi = Math.sin(angle * k);
                for (int start = 0; start < n; start += len) {
                    int p = start + k;
                    int q = p + half;
                    double xr = re[q] * wr - im[q] * wi;
                    double xi = re[q] * wi + im[q] * wr;
                    re[q] = re[p] - xr;
                    im[q] = im[p] - xi;
                    re[p] += xr;
                    im[p] += xi;
                }
            }
        }
    }
}
