package org.dqwhisper.corpus;

import java.util.Random;

/** Applies an {@link Augmentation} to 16 kHz speech: reverb, then noise at the SNR, then the peak gain. */
public final class UtteranceAugmenter {
    private UtteranceAugmenter() {
    }

    /**
     * The augmented utterance and its two parts after the final gain: {@code samples = speech + noise} (noise all
     * zeros without noise). The SNR is {@code power(speech) / power(noise)} over the whole utterance.
     */
    public record Augmented(float[] samples, float[] speech, float[] noise) {
    }

    /** Augments {@code speech} (not modified). */
    public static Augmented apply(float[] speech, int sampleRate, Augmentation augmentation) {
        if (speech.length == 0) {
            throw new IllegalArgumentException("cannot augment an empty utterance");
        }
        Random rng = new Random(augmentation.seed());
        float[] wet = speech.clone();
        if (augmentation.hasReverb()) {
            float[] ir = Reverb.impulseResponse(augmentation.reverbRt60(), augmentation.directToReverbDb(), sampleRate,
                rng);
            wet = Reverb.apply(speech, ir);
        }
        float[] noise = new float[wet.length];
        if (augmentation.hasNoise()) {
            noise = NoiseMixer.scaledNoise(wet, NoiseMixer.noise(augmentation.noise(), wet.length, rng),
                augmentation.snrDb());
        }
        double peak = 0;
        for (int i = 0; i < wet.length; i++) {
            peak = Math.max(peak, Math.abs((double) wet[i] + noise[i]));
        }
        if (peak == 0) {
            throw new IllegalArgumentException("utterance is silent");
        }
        double gain = Math.pow(10, augmentation.peakDbfs() / 20) / peak;
        float[] out = new float[wet.length];
        for (int i = 0; i < out.length; i++) {
            wet[i] = (float) (wet[i] * gain);
            noise[i] = (float) (noise[i] * gain);
            out[i] = wet[i] + noise[i];
        }
        return new Augmented(out, wet, noise);
    }
}
