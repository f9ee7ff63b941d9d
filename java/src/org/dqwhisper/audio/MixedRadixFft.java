package org.dqwhisper.audio;

/**
 * Forward complex DFT of any length {@code n >= 1} in double precision: mixed-radix Cooley-Tukey (decimation in
 * time) with radix-4/2/3/5 butterflies and a direct O(r^2) butterfly for any other prime factor. The input is
 * scattered into digit-reversed order once, then every stage runs in place.
 *
 * <p>{@code X[k] = sum_j x[j] * exp(-2 pi i j k / n)}, unnormalised. Not thread-safe (uses scratch arrays); make
 * one instance per thread.
 */
final class MixedRadixFft {
    private static final double SIN_60 = Math.sqrt(3) / 2;
    private static final double C1_5 = Math.cos(2 * Math.PI / 5);
    private static final double C2_5 = Math.cos(4 * Math.PI / 5);
    private static final double S1_5 = Math.sin(2 * Math.PI / 5);
    private static final double S2_5 = Math.sin(4 * Math.PI / 5);

    private final int n;
    private final int[] radix;        // radix of stage t (t = 0 is the outermost split)
    private final int[] span;         // m_t: length of the sub-transforms combined at stage t
    private final double[][] twiddle; // per stage: (k * (r - 1) + a - 1) * 2 -> cos, sin of -2 pi a k / (r m_t)
    private final int[] digitReversed;
    private final double[] scratchRe;
    private final double[] scratchIm;
    private final double[][] unitRoots; // per stage with a generic radix r: cos, sin of -2 pi j / r

    MixedRadixFft(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("FFT length must be >= 1, got " + n);
        }
        this.n = n;
        this.radix = factor(n);
        int stages = radix.length;
        this.span = new int[stages];
        int m = n;
        for (int t = 0; t < stages; t++) {
            m /= radix[t];
            span[t] = m;
        }
        this.twiddle = new double[stages][];
        this.unitRoots = new double[stages][];
        int maxRadix = 1;
        for (int t = 0; t < stages; t++) {
            int r = radix[t];
            maxRadix = Math.max(maxRadix, r);
            int len = r * span[t];
            double[] w = new double[span[t] * (r - 1) * 2];
            for (int k = 0; k < span[t]; k++) {
                for (int a = 1; a < r; a++) {
                    double angle = -2 * Math.PI * ((long) a * k % len) / len;
                    int at = (k * (r - 1) + a - 1) * 2;
                    w[at] = Math.cos(angle);
                    w[at + 1] = Math.sin(angle);
                }
            }
            twiddle[t] = w;
            if (r > 5 || r == 1) {
                double[] roots = new double[2 * r];
                for (int j = 0; j < r; j++) {
                    roots[2 * j] = Math.cos(-2 * Math.PI * j / r);
                    roots[2 * j + 1] = Math.sin(-2 * Math.PI * j / r);
                }
                unitRoots[t] = roots;
            }
        }
        this.digitReversed = new int[n];
        for (int i = 0; i < n; i++) {
            int rest = i;
            int pos = 0;
            for (int t = 0; t < stages; t++) {
                pos += (rest % radix[t]) * span[t];
                rest /= radix[t];
            }
            digitReversed[i] = pos;
        }
        this.scratchRe = new double[maxRadix];
        this.scratchIm = new double[maxRadix];
    }

    int size() {
        return n;
    }

    /** Transforms {@code (inRe, inIm)} into {@code (outRe, outIm)}; all arrays of length >= n, in != out. */
    void forward(double[] inRe, double[] inIm, double[] outRe, double[] outIm) {
        for (int i = 0; i < n; i++) {
            int p = digitReversed[i];
            outRe[p] = inRe[i];
            outIm[p] = inIm[i];
        }
        for (int t = radix.length - 1; t >= 0; t--) {
            int r = radix[t];
            int m = span[t];
            int len = r * m;
            double[] w = twiddle[t];
            for (int base = 0; base < n; base += len) {
                for (int k = 0; k < m; k++) {
                    int first = base + k;
                    int tw = k * (r - 1) * 2;
                    switch (r) {
                        case 2 -> radix2(outRe, outIm, first, m, w, tw);
                        case 3 -> radix3(outRe, outIm, first, m, w, tw);
                        case 4 -> radix4(outRe, outIm, first, m, w, tw);
                        case 5 -> radix5(outRe, outIm, first, m, w, tw);
                        default -> radixGeneric(outRe, outIm, first, m, r, w, tw, unitRoots[t]);
                    }
                }
            }
        }
    }

    private static void radix2(double[] re, double[] im, int i0, int m, double[] w, int tw) {
        int i1 = i0 + m;
        double xr = re[i1] * w[tw] - im[i1] * w[tw + 1];
        double xi = re[i1] * w[tw + 1] + im[i1] * w[tw];
        re[i1] = re[i0] - xr;
        im[i1] = im[i0] - xi;
        re[i0] += xr;
        im[i0] += xi;
    }

    private static void radix3(double[] re, double[] im, int i0, int m, double[] w, int tw) {
        int i1 = i0 + m;
        int i2 = i1 + m;
        double ar = re[i1] * w[tw] - im[i1] * w[tw + 1];
        double ai = re[i1] * w[tw + 1] + im[i1] * w[tw];
        double br = re[i2] * w[tw + 2] - im[i2] * w[tw + 3];
        double bi = re[i2] * w[tw + 3] + im[i2] * w[tw + 2];
        double sr = ar + br;
        double si = ai + bi;
        double tr = re[i0] - 0.5 * sr;
        double ti = im[i0] - 0.5 * si;
        double dr = SIN_60 * (ar - br);
        double di = SIN_60 * (ai - bi);
        re[i0] += sr;
        im[i0] += si;
        re[i1] = tr + di;  // t - i*d
        im[i1] = ti - dr;
        re[i2] = tr - di;  // t + i*d
        im[i2] = ti + dr;
    }

    private static void radix4(double[] re, double[] im, int i0, int m, double[] w, int tw) {
        int i1 = i0 + m;
        int i2 = i1 + m;
        int i3 = i2 + m;
        double x0r = re[i0];
        double x0i = im[i0];
        double x1r = re[i1] * w[tw] - im[i1] * w[tw + 1];
        double x1i = re[i1] * w[tw + 1] + im[i1] * w[tw];
        double x2r = re[i2] * w[tw + 2] - im[i2] * w[tw + 3];
        double x2i = re[i2] * w[tw + 3] + im[i2] * w[tw + 2];
        double x3r = re[i3] * w[tw + 4] - im[i3] * w[tw + 5];
        double x3i = re[i3] * w[tw + 5] + im[i3] * w[tw + 4];
        double s02r = x0r + x2r;
        double s02i = x0i + x2i;
        double d02r = x0r - x2r;
        double d02i = x0i - x2i;
        double s13r = x1r + x3r;
        double s13i = x1i + x3i;
        double d13r = x1r - x3r;
        double d13i = x1i - x3i;
        re[i0] = s02r + s13r;
        im[i0] = s02i + s13i;
        re[i2] = s02r - s13r;
        im[i2] = s02i - s13i;
        re[i1] = d02r + d13i;  // d02 - i*d13
        im[i1] = d02i - d13r;
        re[i3] = d02r - d13i;  // d02 + i*d13
        im[i3] = d02i + d13r;
    }

    private static void radix5(double[] re, double[] im, int i0, int m, double[] w, int tw) {
        int i1 = i0 + m;
        int i2 = i1 + m;
        int i3 = i2 + m;
        int i4 = i3 + m;
        double x0r = re[i0];
        double x0i = im[i0];
        double x1r = re[i1] * w[tw] - im[i1] * w[tw + 1];
        double x1i = re[i1] * w[tw + 1] + im[i1] * w[tw];
        double x2r = re[i2] * w[tw + 2] - im[i2] * w[tw + 3];
        double x2i = re[i2] * w[tw + 3] + im[i2] * w[tw + 2];
        double x3r = re[i3] * w[tw + 4] - im[i3] * w[tw + 5];
        double x3i = re[i3] * w[tw + 5] + im[i3] * w[tw + 4];
        double x4r = re[i4] * w[tw + 6] - im[i4] * w[tw + 7];
        double x4i = re[i4] * w[tw + 7] + im[i4] * w[tw + 6];
        double s14r = x1r + x4r;
        double s14i = x1i + x4i;
        double d14r = x1r - x4r;
        double d14i = x1i - x4i;
        double s23r = x2r + x3r;
        double s23i = x2i + x3i;
        double d23r = x2r - x3r;
        double d23i = x2i - x3i;
        double a1r = x0r + C1_5 * s14r + C2_5 * s23r;
        double a1i = x0i + C1_5 * s14i + C2_5 * s23i;
        double a2r = x0r + C2_5 * s14r + C1_5 * s23r;
        double a2i = x0i + C2_5 * s14i + C1_5 * s23i;
        double b1r = S1_5 * d14r + S2_5 * d23r;
        double b1i = S1_5 * d14i + S2_5 * d23i;
        double b2r = S2_5 * d14r - S1_5 * d23r;
        double b2i = S2_5 * d14i - S1_5 * d23i;
        re[i0] = x0r + s14r + s23r;
        im[i0] = x0i + s14i + s23i;
        re[i1] = a1r + b1i;  // a1 - i*b1
        im[i1] = a1i - b1r;
        re[i4] = a1r - b1i;  // a1 + i*b1
        im[i4] = a1i + b1r;
        re[i2] = a2r + b2i;  // a2 - i*b2
        im[i2] = a2i - b2r;
        re[i3] = a2r - b2i;  // a2 + i*b2
        im[i3] = a2i + b2r;
    }

    private void radixGeneric(double[] re, double[] im, int i0, int m, int r, double[] w, int tw, double[] roots) {
        double[] xr = scratchRe;
        double[] xi = scratchIm;
        xr[0] = re[i0];
        xi[0] = im[i0];
        for (int a = 1; a < r; a++) {
            int i = i0 + a * m;
            double c = w[tw + 2 * (a - 1)];
            double s = w[tw + 2 * (a - 1) + 1];
            xr[a] = re[i] * c - im[i] * s;
            xi[a] = re[i] * s + im[i] * c;
        }
        for (int q = 0; q < r; q++) {
            double sr = 0;
            double si = 0;
            for (int a = 0; a < r; a++) {
                int j = (int) ((long) a * q % r);
                double c = roots[2 * j];
                double s = roots[2 * j + 1];
                sr += xr[a] * c - xi[a] * s;
                si += xr[a] * s + xi[a] * c;
            }
            re[i0 + q * m] = sr;
            im[i0 + q * m] = si;
        }
    }

    /** Radices, 4s first, then 2, 3, 5 and any remaining primes. */
    private static int[] factor(int n) {
        int[] tmp = new int[32];
        int count = 0;
        int rest = n;
        while (rest % 4 == 0) {
            tmp[count++] = 4;
            rest /= 4;
        }
        for (int p = 2; rest > 1; p++) {
            if ((long) p * p > rest) {
                p = rest;
            }
            while (rest % p == 0) {
                tmp[count++] = p;
                rest /= p;
            }
        }
        if (count == 0) {
            return new int[] {1};
        }
        return java.util.Arrays.copyOf(tmp, count);
    }
}
