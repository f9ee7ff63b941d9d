package org.dqwhisper.corpus;

import java.util.Random;

/**
 * Synthetic room reverberation: an impulse response made of the direct sound (a unit impulse at 0) and, from
 * {@value #TAIL_START_SECONDS} s on, Gaussian noise under an exponential envelope whose energy falls by 60 dB in
 * RT60 seconds ({@code amplitude ~ exp(-3 ln(10) t / RT60)}). The tail is scaled to a given direct-to-reverberant
 * energy ratio. The response lasts RT60 seconds.
 */
public final class Reverb {
    /** Gap between the direct sound and the first reflections. */
    public static final double TAIL_START_SECONDS = 0.005;

    private Reverb() {
    }

    /** The impulse response for {@code rt60} seconds at {@code sampleRate}, direct-to-reverberant {@code drrDb}. */
    public static float[] impulseResponse(double rt60, double drrDb, int sampleRate, Random rng) {
        if (!(rt60 > 0) || !Double.isFinite(rt60) || rt60 > 10) {
            throw new IllegalArgumentException("RT60 must be in (0, 10] s, got " + rt60);
        }
        int length = (int) Math.ceil(rt60 * sampleRate);
        int start = (int) Math.round(TAIL_START_SECONDS * sampleRate);
        if (length <= start + 1) {
            throw new IllegalArgumentException("RT60 " + rt60 + " s is shorter than the reflections' onset");
        }
        double decay = 3 * Math.log(10) / (rt60 * sampleRate); // amplitude decay per sample
        double[] tail = new double[length];
        double energy = 0;
        for (int t = start; t < length; t++) {
            tail[t] = rng.nextGaussian() * Math.exp(-decay * t);
            energy += tail[t] * tail[t];
        }
        double scale = Math.sqrt(Math.pow(10, -drrDb / 10) / energy);
        float[] h = new float[length];
        h[0] = 1f;
        for (int t = start; t < length; t++) {
            h[t] = (float) (tail[t] * scale);
        }
        return h;
    }

    /** {@code signal} convolved with {@code impulseResponse}; the output keeps the whole tail. */
    public static float[] apply(float[] signal, float[] impulseResponse) {
        return FftConvolution.convolve(signal, impulseResponse);
    }
}
