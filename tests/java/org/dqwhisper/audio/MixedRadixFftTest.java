package org.dqwhisper.audio;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The FFTs against a direct O(n^2) DFT evaluated in double with exactly reduced angles. */
class MixedRadixFftTest {
    /**
     * Both sides are double; FFT rounding grows like eps * log(n) * |x|_2 * sqrt(n) and the direct sum like
     * eps * n * max|x|. For n <= 1000 and |x| <= 1 both stay below 1e-12; 1e-10 leaves a wide margin while still
     * failing on any wrong twiddle (errors of order 1).
     */
    private static final double TOLERANCE = 1e-10;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 25, 27, 30, 49, 64, 100, 121, 143, 200, 210, 256, 400,
        1000})
    void complexMatchesDirectDft(int n) {
        Random rnd = new Random(n);
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = rnd.nextDouble() * 2 - 1;
            im[i] = rnd.nextDouble() * 2 - 1;
        }
        double[] outRe = new double[n];
        double[] outIm = new double[n];
        MixedRadixFft fft = new MixedRadixFft(n);
        fft.forward(re, im, outRe, outIm);
        fft.forward(re, im, outRe, outIm); // a second call on the same instance gives the same answer
        for (int k = 0; k < n; k++) {
            double sr = 0;
            double si = 0;
            for (int j = 0; j < n; j++) {
                double angle = -2 * Math.PI * ((long) j * k % n) / n;
                sr += re[j] * Math.cos(angle) - im[j] * Math.sin(angle);
                si += re[j] * Math.sin(angle) + im[j] * Math.cos(angle);
            }
            assertTrue(Math.abs(outRe[k] - sr) <= TOLERANCE && Math.abs(outIm[k] - si) <= TOLERANCE,
                "n=" + n + " bin " + k + ": (" + outRe[k] + ", " + outIm[k] + ") vs (" + sr + ", " + si + ")");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 6, 10, 50, 400, 402})
    void realMatchesDirectDft(int n) {
        Random rnd = new Random(7 * n);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextDouble() * 2 - 1;
        }
        RealFft fft = new RealFft(n);
        double[] re = new double[n / 2 + 1];
        double[] im = new double[n / 2 + 1];
        double[] power = new double[n / 2 + 1];
        fft.power(x, re, im, power);
        for (int k = 0; k <= n / 2; k++) {
            double sr = 0;
            double si = 0;
            for (int j = 0; j < n; j++) {
                double angle = -2 * Math.PI * ((long) j * k % n) / n;
                sr += x[j] * Math.cos(angle);
                si += x[j] * Math.sin(angle);
            }
            assertTrue(Math.abs(re[k] - sr) <= TOLERANCE && Math.abs(im[k] - si) <= TOLERANCE,
                "n=" + n + " bin " + k + ": (" + re[k] + ", " + im[k] + ") vs (" + sr + ", " + si + ")");
            assertTrue(Math.abs(power[k] - (sr * sr + si * si)) <= TOLERANCE * n, "power bin " + k);
        }
    }

    @Test
    void rejectsBadLengths() {
        assertThrows(IllegalArgumentException.class, () -> new MixedRadixFft(0));
        assertThrows(IllegalArgumentException.class, () -> new RealFft(401));
        assertThrows(IllegalArgumentException.class, () -> new RealFft(0));
    }
}
