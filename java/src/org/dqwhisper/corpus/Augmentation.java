package org.dqwhisper.corpus;

import java.util.Locale;
import java.util.Random;

/**
 * What is done to one synthesized utterance after resampling to 16 kHz, in this order: reverb (a synthetic room
 * impulse response, {@link Reverb}), additive noise at a signal-to-noise ratio ({@link NoiseMixer}), then a gain to
 * a peak level. All parameters are drawn by {@link #draw(Random)} from the ranges below.
 *
 * @param reverbRt60       reverberation time in seconds (energy decays by 60 dB), 0 for no reverb
 * @param directToReverbDb energy of the direct sound over the reverberant tail, dB
 * @param noise            noise colour, or NONE
 * @param snrDb            signal-to-noise ratio over the whole utterance, dB (ignored without noise)
 * @param peakDbfs         peak level of the final signal, dB relative to full scale
 * @param seed             seed of the random impulse response and noise
 */
public record Augmentation(double reverbRt60, double directToReverbDb, NoiseColor noise, double snrDb,
                           double peakDbfs, long seed) {
    /** Probability that an utterance gets reverb. */
    public static final double REVERB_PROBABILITY = 0.4;
    /** Probability that an utterance gets noise (independent of reverb; 24% of utterances stay clean). */
    public static final double NOISE_PROBABILITY = 0.6;
    public static final double MIN_RT60 = 0.2;
    public static final double MAX_RT60 = 0.7;
    public static final double MIN_DRR_DB = 2;
    public static final double MAX_DRR_DB = 10;
    public static final double MIN_SNR_DB = 10;
    public static final double MAX_SNR_DB = 30;
    public static final double MIN_PEAK_DBFS = -12;
    public static final double MAX_PEAK_DBFS = -1;

    /** Noise added to an utterance. */
    public enum NoiseColor { NONE, WHITE, PINK }

    public Augmentation {
        if (reverbRt60 < 0 || !Double.isFinite(reverbRt60)) {
            throw new IllegalArgumentException("reverb RT60 must be >= 0 s, got " + reverbRt60);
        }
        if (peakDbfs > 0 || !Double.isFinite(peakDbfs)) {
            throw new IllegalArgumentException("peak level must be <= 0 dBFS, got " + peakDbfs);
        }
        if (noise == null) {
            throw new IllegalArgumentException("noise colour must not be null (use NONE)");
        }
    }

    /** No reverb, no noise, peak at {@code peakDbfs}. */
    public static Augmentation clean(double peakDbfs) {
        return new Augmentation(0, 0, NoiseColor.NONE, Double.POSITIVE_INFINITY, peakDbfs, 0);
    }

    /** Draws every parameter from {@code rng} (a fixed number of draws, whatever the outcome). */
    public static Augmentation draw(Random rng) {
        boolean reverb = rng.nextDouble() < REVERB_PROBABILITY;
        double rt60 = uniform(rng, MIN_RT60, MAX_RT60);
        double drr = uniform(rng, MIN_DRR_DB, MAX_DRR_DB);
        boolean noisy = rng.nextDouble() < NOISE_PROBABILITY;
        NoiseColor color = rng.nextBoolean() ? NoiseColor.WHITE : NoiseColor.PINK;
        double snr = uniform(rng, MIN_SNR_DB, MAX_SNR_DB);
        double peak = uniform(rng, MIN_PEAK_DBFS, MAX_PEAK_DBFS);
        long seed = rng.nextLong();
        return new Augmentation(reverb ? round3(rt60) : 0, reverb ? round3(drr) : 0,
            noisy ? color : NoiseColor.NONE, noisy ? round3(snr) : Double.POSITIVE_INFINITY, round3(peak), seed);
    }

    public boolean hasReverb() {
        return reverbRt60 > 0;
    }

    public boolean hasNoise() {
        return noise != NoiseColor.NONE;
    }

    /** A short description for manifests, e.g. {@code reverb(rt60=0.412s,drr=5.1dB)+pink(snr=17.3dB)} or "clean". */
    public String describe() {
        StringBuilder s = new StringBuilder();
        if (hasReverb()) {
            s.append(String.format(Locale.ROOT, "reverb(rt60=%.3fs,drr=%.1fdB)", reverbRt60, directToReverbDb));
        }
        if (hasNoise()) {
            if (s.length() > 0) {
                s.append('+');
            }
            s.append(String.format(Locale.ROOT, "%s(snr=%.1fdB)", noise.name().toLowerCase(Locale.ROOT), snrDb));
        }
        return s.length() == 0 ? "clean" : s.toString();
    }

    private static double uniform(Random rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** Parameters are kept to 3 decimals so that their text in the cache key is exact. */
    private static double round3(double x) {
        return Math.round(x * 1000.0) / 1000.0;
    }
}
