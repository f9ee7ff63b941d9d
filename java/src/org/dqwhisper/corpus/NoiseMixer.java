package org.dqwhisper.corpus;

import java.util.Random;

/**
 * Additive noise: white (Gaussian) or pink (about -3 dB per octave, Voss-McCartney: a sum of random values held for
 * 1, 2, 4, ... samples), mixed at a signal-to-noise ratio measured as mean power over the whole signal.
 */
public final class NoiseMixer {
    private static final int PINK_ROWS = 16;

    private NoiseMixer() {
    }

    /** {@code n} samples of the given colour with unit-ish variance (the mixer rescales anyway). */
    public static float[] noise(Augmentation.NoiseColor color, int n, Random rng) {
        return switch (color) {
            case WHITE -> white(n, rng);
            case PINK -> pink(n, rng);
            case NONE -> new float[n];
        };
    }

    /** Gaussian white noise, unit variance. */
    public static float[] white(int n, Random rng) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) rng.nextGaussian();
        }
        return out;
    }

    /**
     * Pink noise: row {@code k} of {@value #PINK_ROWS} draws a new Gaussian value every {@code 2^k} samples (at the
     * samples whose index has k trailing zero bits), and the output is the sum of all rows plus a fresh white value.
     * Each octave of the spectrum gets about the same power down to {@code rate / 2^17} Hz.
     */
    public static float[] pink(int n, Random rng) {
        double[] rows = new double[PINK_ROWS];
        double sum = 0;
        for (int k = 0; k < PINK_ROWS; k++) {
            rows[k] = rng.nextGaussian();
            sum += rows[k];
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                int k = Integer.numberOfTrailingZeros(i);
                if (k < PINK_ROWS) {
                    sum -= rows[k];
                    rows[k] = rng.nextGaussian();
                    sum += rows[k];
                }
            }
            out[i] = (float) ((sum + rng.nextGaussian()) / Math.sqrt(PINK_ROWS + 1));
        }
        return out;
    }

    /** Mean power {@code sum(x^2) / n} in double precision. */
    public static double power(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return x.length == 0 ? 0 : s / x.length;
    }

    /**
     * {@code noise} scaled so that {@code power(signal) / power(scaled) = 10^(snrDb / 10)}; same length as the
     * signal.
     */
    public static float[] scaledNoise(float[] signal, float[] noise, double snrDb) {
        if (noise.length != signal.length) {
            throw new IllegalArgumentException("noise has " + noise.length + " samples, signal " + signal.length);
        }
        if (!Double.isFinite(snrDb)) {
            throw new IllegalArgumentException("SNR must be finite, got " + snrDb);
        }
        double ps = power(signal);
        double pn = power(noise);
        if (ps == 0 || pn == 0) {
            throw new IllegalArgumentException("cannot mix at an SNR: signal power " + ps + ", noise power " + pn);
        }
        double gain = Math.sqrt(ps / (pn * Math.pow(10, snrDb / 10)));
        float[] out = new float[noise.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (noise[i] * gain);
        }
        return out;
    }
}
