package org.dqwhisper.decode;

import java.util.Arrays;

/**
 * Whisper's {@code median_filter} along one row: reflect padding of {@code width / 2} on both sides (mirrored about
 * the end samples, which are not repeated), then the median of each window of {@code width}. Rows no longer than
 * {@code width / 2} are returned unchanged, as whisper does (reflect padding would be impossible).
 */
public final class MedianFilter {
    private MedianFilter() {}

    /** @param width an odd number >= 1 */
    public static double[] apply(double[] x, int width) {
        if (width <= 0 || width % 2 == 0) {
            throw new IllegalArgumentException("median filter width must be an odd number > 0, got " + width);
        }
        int pad = width / 2;
        int n = x.length;
        if (n <= pad) {
            return x.clone();
        }
        double[] window = new double[width];
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < width; k++) {
                window[k] = x[reflect(i - pad + k, n)];
            }
            Arrays.sort(window);
            out[i] = window[pad];
        }
        return out;
    }

    /** Index of the reflect-padded position {@code p} in a row of length {@code n} (p in [-(n-1), 2n-2]). */
    private static int reflect(int p, int n) {
        if (p < 0) {
            return -p;
        }
        if (p >= n) {
            return 2 * (n - 1) - p;
        }
        return p;
    }
}
