package org.dqwhisper.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.WavWriter;
import org.junit.jupiter.api.Test;

/** Noise, reverb and the whole augmentation chain, measured on the signals they produce. */
class AugmentationTest {
    private static final int RATE = 16000;

    /** A speech-like test signal: a 150 Hz harmonic series under a syllable-rate envelope, silent edges. */
    private static float[] speechLike(int seconds, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[seconds * RATE];
        double phaseJitter = rng.nextDouble();
        for (int i = RATE / 4; i < x.length - RATE / 4; i++) {
            double t = i / (double) RATE;
            double envelope = Math.pow(Math.sin(Math.PI * 4 * t + phaseJitter), 2);
            double v = 0;
            for (int h = 1; h <= 12; h++) {
                v += Math.sin(2 * Math.PI * 150 * h * t) / h;
            }
            x[i] = (float) (0.2 * envelope * v);
        }
        return x;
    }

    @Test
    void finalSignalHasTheRequestedSnr() {
        // SNR measured on what is written: the speech part after gain versus (16-bit output - speech part). The
        // 16-bit rounding adds noise about 90 dB below full scale, far below the 0.5 dB allowance at SNR <= 30 dB.
        Random draws = new Random(11);
        for (int trial = 0; trial < 24; trial++) {
            double snr = Augmentation.MIN_SNR_DB + (Augmentation.MAX_SNR_DB - Augmentation.MIN_SNR_DB) * draws.nextDouble();
            Augmentation.NoiseColor color = trial % 2 == 0 ? Augmentation.NoiseColor.WHITE : Augmentation.NoiseColor.PINK;
            double rt60 = trial % 3 == 0 ? 0 : 0.3 + 0.1 * (trial % 4);
            Augmentation a = new Augmentation(rt60, rt60 > 0 ? 4 : 0, color, snr, -1 - trial % 10, trial);
            UtteranceAugmenter.Augmented out = UtteranceAugmenter.apply(speechLike(2, trial), RATE, a);
            double speech = 0;
            double noise = 0;
            double peak = 0;
            for (int i = 0; i < out.samples().length; i++) {
                double written = WavWriter.toPcm16(out.samples()[i]) / 32767.0;
                speech += (double) out.speech()[i] * out.speech()[i];
                noise += (written - out.speech()[i]) * (written - out.speech()[i]);
                peak = Math.max(peak, Math.abs(written));
            }
            double measured = 10 * Math.log10(speech / noise);
            assertEquals(snr, measured, 0.5, a.describe());
            // peak level as requested, within one 16-bit step
            assertEquals(Math.pow(10, a.peakDbfs() / 20), peak, 1.0 / 32767 + 1e-6, a.describe());
        }
    }

    @Test
    void pinkNoiseFallsAboutThreeDecibelsPerOctaveAndWhiteNoiseIsFlat() {
        float[] pink = NoiseMixer.pink(RATE * 8, new Random(3));
        float[] white = NoiseMixer.white(RATE * 8, new Random(3));
        // band powers per Hz: 125-250 Hz vs 4000-8000 Hz is 5 octaves; pink: 10*log10(32) = 15 dB apart
        double pinkDrop = bandDb(pink, 125, 250) - bandDb(pink, 4000, 7800);
        double whiteDrop = bandDb(white, 125, 250) - bandDb(white, 4000, 7800);
        // Voss-McCartney approximates 1/f with ripple of about 1-2 dB; 8 s of noise averages 800 frames
        assertEquals(15, pinkDrop, 3, "pink: " + pinkDrop);
        assertEquals(0, whiteDrop, 1, "white: " + whiteDrop);
    }

    @Test
    void impulseResponseDecaysAtTheRequestedRt60() {
        for (double rt60 : new double[] {0.2, 0.45, 0.7}) {
            float[] h = Reverb.impulseResponse(rt60, 3, RATE, new Random(5));
            assertEquals((int) Math.ceil(rt60 * RATE), h.length);
            assertEquals(1f, h[0]);
            // direct-to-reverberant energy ratio as requested
            double tail = 0;
            for (int i = 1; i < h.length; i++) {
                tail += (double) h[i] * h[i];
            }
            assertEquals(3, 10 * Math.log10(1 / tail), 1e-6);
            // Schroeder backward integration of the tail; T20 (fit from -5 to -25 dB) times 3 estimates RT60.
            // The random tail and its truncation at RT60 make the estimate scatter by a few percent: allow 15%.
            double[] edc = new double[h.length];
            double sum = 0;
            for (int i = h.length - 1; i >= 1; i--) {
                sum += (double) h[i] * h[i];
                edc[i] = sum;
            }
            int t5 = firstBelow(edc, tail * Math.pow(10, -0.5));
            int t25 = firstBelow(edc, tail * Math.pow(10, -2.5));
            double estimated = 3.0 * (t25 - t5) / RATE;
            assertEquals(rt60, estimated, 0.15 * rt60, "RT60 " + rt60);
        }
    }

    @Test
    void reverbLeavesADecayingTailAfterTheSound() {
        float[] burst = new float[RATE / 2];
        Random rng = new Random(9);
        for (int i = 0; i < RATE / 10; i++) {
            burst[i] = (float) rng.nextGaussian() * 0.1f;
        }
        float[] h = Reverb.impulseResponse(0.5, 2, RATE, new Random(1));
        float[] wet = Reverb.apply(burst, h);
        assertEquals(burst.length + h.length - 1, wet.length);
        // energy in 50 ms windows after the burst ends (0.1 s): present, and falling by about 6 dB per 50 ms
        // (60 dB per 0.5 s); window-to-window noise allows +-3 dB
        double previous = Double.NaN;
        for (int w = 0; w < 6; w++) {
            int from = RATE / 10 + RATE / 100 + w * (RATE / 20);
            double e = 0;
            for (int i = from; i < from + RATE / 20; i++) {
                e += (double) wet[i] * wet[i];
            }
            assertTrue(e > 0, "no reverb tail");
            if (!Double.isNaN(previous)) {
                assertEquals(-6, 10 * Math.log10(e / previous), 3, "window " + w);
            }
            previous = e;
        }
        float[] dry = UtteranceAugmenter.apply(burst, RATE, Augmentation.clean(-1)).samples();
        assertEquals(burst.length, dry.length);
        for (int i = RATE / 10; i < dry.length; i++) {
            assertEquals(0f, dry[i], "clean utterance has a tail at " + i);
        }
    }

    @Test
    void fftConvolutionMatchesTheDirectSum() {
        Random rng = new Random(2);
        for (int[] sizes : new int[][] {{1, 1}, {1, 7}, {5, 3}, {100, 37}, {1000, 513}}) {
            float[] a = NoiseMixer.white(sizes[0], rng);
            float[] b = NoiseMixer.white(sizes[1], rng);
            float[] got = FftConvolution.convolve(a, b);
            assertEquals(a.length + b.length - 1, got.length);
            for (int n = 0; n < got.length; n++) {
                double want = 0;
                double scale = 0;
                for (int k = Math.max(0, n - b.length + 1); k <= Math.min(n, a.length - 1); k++) {
                    want += (double) a[k] * b[n - k];
                    scale += Math.abs((double) a[k] * b[n - k]);
                }
                // double FFT error ~ 1e-15 * log2(n) * scale; the float output rounds to 6e-8 relative
                assertEquals(want, got[n], 1e-6 * (scale + 1e-3), "n=" + n + " sizes " + sizes[0] + "x" + sizes[1]);
            }
        }
    }

    @Test
    void augmentationIsDeterministic() {
        Augmentation a = new Augmentation(0.4, 5, Augmentation.NoiseColor.PINK, 15, -3, 42);
        float[] x = speechLike(1, 1);
        assertArrayEquals(UtteranceAugmenter.apply(x, RATE, a).samples(), UtteranceAugmenter.apply(x, RATE, a).samples());
        Augmentation b = new Augmentation(0.4, 5, Augmentation.NoiseColor.PINK, 15, -3, 43);
        assertTrue(!java.util.Arrays.equals(UtteranceAugmenter.apply(x, RATE, a).samples(),
            UtteranceAugmenter.apply(x, RATE, b).samples()));
    }

    @Test
    void misuseIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Reverb.impulseResponse(0, 3, RATE, new Random()));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(-1, 0, Augmentation.NoiseColor.NONE, 0, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(0, 0, Augmentation.NoiseColor.NONE, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> UtteranceAugmenter.apply(new float[100], RATE,
            new Augmentation(0, 0, Augmentation.NoiseColor.WHITE, 20, -1, 0)));
        assertThrows(IllegalArgumentException.class, () -> NoiseMixer.scaledNoise(new float[3], new float[4], 10));
    }

    private static int firstBelow(double[] edc, double level) {
        for (int i = 1; i < edc.length; i++) {
            if (edc[i] < level) {
                return i;
            }
        }
        return edc.length;
    }

    /** Mean power per FFT bin between two frequencies, dB, from the STFT power of 25 ms frames. */
    private static double bandDb(float[] x, double fromHz, double toHz) {
        float[] power = LogMelSpectrogram.stftPower(x);
        int frames = x.length / LogMelSpectrogram.HOP_LENGTH;
        double binHz = RATE / (double) LogMelSpectrogram.N_FFT;
        double sum = 0;
        int count = 0;
        for (int k = (int) Math.ceil(fromHz / binHz); k <= (int) Math.floor(toHz / binHz); k++) {
            for (int f = 0; f < frames; f++) {
                sum += power[k * frames + f];
                count++;
            }
        }
        return 10 * Math.log10(sum / count);
    }
}
