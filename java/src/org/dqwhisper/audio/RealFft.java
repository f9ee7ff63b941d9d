package org.dqwhisper.audio;

/**
 * One-sided DFT of a real sequence of even length n through a complex DFT of length n/2 (even samples as real part,
 * odd samples as imaginary part, then the usual split into even/odd spectra). Produces bins 0..n/2.
 * Double precision; not thread-safe (scratch arrays), one instance per thread.
 */
final class RealFft {
    private final int n;
    private final int half;
    private final MixedRadixFft complex;
    private final double[] zRe;
    private final double[] zIm;
    private final double[] fRe;
    private final double[] fIm;
    private final double[] wRe; // cos(-2 pi k / n), k = 0..n/2
    private final double[] wIm;

    RealFft(int n) {
        if (n < 2 || n % 2 != 0) {
            throw new IllegalArgumentException("real FFT length must be even and >= 2, got " + n);
        }
        this.n = n;
        this.half = n / 2;
        this.complex = new MixedRadixFft(half);
        this.zRe = new double[half];
        this.zIm = new double[half];
        this.fRe = new double[half];
        this.fIm = new double[half];
        this.wRe = new double[half + 1];
        this.wIm = new double[half + 1];
        for (int k = 0; k <= half; k++) {
            wRe[k] = Math.cos(-2 * Math.PI * k / n);
            wIm[k] = Math.sin(-2 * Math.PI * k / n);
        }
    }

    int size() {
        return n;
    }

    /** {@code x} has n samples; {@code re}, {@code im} receive n/2 + 1 bins. */
    void forward(double[] x, double[] re, double[] im) {
        for (int j = 0; j < half; j++) {
            zRe[j] = x[2 * j];
            zIm[j] = x[2 * j + 1];
        }
        complex.forward(zRe, zIm, fRe, fIm);
        for (int k = 0; k <= half; k++) {
            int a = k == half ? 0 : k;
            int b = k == 0 ? 0 : half - k;
            double ar = fRe[a];
            double ai = fIm[a];
            double br = fRe[b];   // conj(Z[half-k]) = (br, -bi)
            double bi = -fIm[b];
            double er = 0.5 * (ar + br);              // even-sample spectrum
            double ei = 0.5 * (ai + bi);
            double or = 0.5 * (ai - bi);              // odd-sample spectrum: -i (Za - conj Zb) / 2
            double oi = -0.5 * (ar - br);
            re[k] = er + wRe[k] * or - wIm[k] * oi;
            im[k] = ei + wRe[k] * oi + wIm[k] * or;
        }
    }

    /** Power |X[k]|^2 of bins 0..n/2 into {@code power}. {@code re}/{@code im} are scratch of n/2 + 1. */
    void power(double[] x, double[] re, double[] im, double[] power) {
        forward(x, re, im);
        for (int k = 0; k <= half; k++) {
            power[k] = re[k] * re[k] + im[k] * im[k];
        }
    }
}
