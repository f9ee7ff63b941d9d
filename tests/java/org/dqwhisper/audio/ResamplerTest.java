package org.dqwhisper.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resampler checks on synthetic tones, measured with a single-bin DFT over a whole number of periods in the
 * interior of the output (away from the zero-padded edges).
 */
class ResamplerTest {
    private static final int OUT = Resampler.WHISPER_RATE;
    /** Output samples to ignore at each end (the filter reaches past the input there: about 40 output samples). */
    private static final int EDGE = 400;

    /**
     * In-band tones: the Kaiser design has passband ripple 10^(-80/20) = 1e-4 and the stored float coefficients add
     * ~1e-7; a 1e-3 bound on amplitude and on the per-sample error against the ideal tone leaves margin for the
     * transition-band roll-off not reached by these frequencies (<= 0.85 of the lower Nyquist).
     */
    private static final double PASSBAND_TOLERANCE = 1e-3;

    @ParameterizedTest
    @CsvSource({"8000, 1000", "8000, 3000", "11025, 4000", "22050, 1000", "22050, 6000", "32000, 5000",
        "44100, 1000", "44100, 6500", "48000, 3000", "96000, 6000", "44101, 2500", "15999, 5000"})
    void inBandToneKeepsAmplitudeFrequencyAndPhase(int rate, double hz) {
        double amp = 0.5;
        int n = 3 * rate; // 3 seconds
        float[] in = tone(n, rate, hz, amp);
        float[] out = new Resampler(rate, OUT).process(in);
        // 1 second (16000 samples) holds a whole number of periods for every tone here
        int from = EDGE;
        int len = OUT;
        double measured = amplitude(out, from, len, hz);
        assertEquals(amp, measured, PASSBAND_TOLERANCE * amp, rate + " Hz -> 16 kHz, " + hz + " Hz tone amplitude");
        double worst = 0;
        for (int i = EDGE; i < out.length - EDGE; i++) {
            double ideal = amp * Math.sin(2 * Math.PI * hz * i / OUT); // output sample i sits at time i / 16000
            worst = Math.max(worst, Math.abs(out[i] - ideal));
        }
        assertTrue(worst <= PASSBAND_TOLERANCE * amp, rate + " Hz: worst deviation from the ideal tone " + worst);
    }

    /** A tone above 8 kHz must not alias into the 16 kHz output: at least 60 dB down (designed for 80). */
    @ParameterizedTest
    @CsvSource({"44100, 8000", "44100, 8500", "44100, 10000", "44100, 15000", "44100, 21000", "48000, 9000",
        "48000, 23000", "22050, 10000", "96000, 40000", "32000, 12000"})
    void toneAboveNewNyquistIsAttenuated(int rate, double hz) {
        float[] out = new Resampler(rate, OUT).process(tone(3 * rate, rate, hz, 1.0));
        double rms = rms(out, EDGE, out.length - 2 * EDGE);
        double db = 20 * Math.log10(rms / Math.sqrt(0.5));
        assertTrue(db <= -60, rate + " Hz, tone " + hz + " Hz: residual " + db + " dB");
    }

    /** Upsampling must not create images above the old Nyquist (8 kHz -> 16 kHz: a 3 kHz tone's image at 5 kHz). */
    @Test
    void upsamplingSuppressesImages() {
        float[] out = new Resampler(8000, OUT).process(tone(24000, 8000, 3000, 1.0));
        double image = amplitude(out, EDGE, OUT, 5000);
        double db = 20 * Math.log10(image);
        assertTrue(db <= -60, "image at 5 kHz: " + db + " dB");
    }

    @ParameterizedTest
    @ValueSource(ints = {8000, 22050, 44100, 48000, 44101})
    void dcIsPreserved(int rate) {
        float[] in = new float[rate];
        java.util.Arrays.fill(in, 0.3f);
        float[] out = new Resampler(rate, OUT).process(in);
        // every phase is normalised to unit gain in double; float taps and float accumulation leave ~1e-7
        for (int i = EDGE; i < out.length - EDGE; i++) {
            assertEquals(0.3, out[i], 1e-5, "sample " + i);
        }
    }

    @Test
    void identityAtSameRate() {
        float[] in = tone(1000, OUT, 440, 0.7);
        float[] out = Resampler.toWhisperRate(in, OUT);
        assertNotSame(in, out);
        assertArrayEquals(in, out);
    }

    @ParameterizedTest
    @ValueSource(ints = {8000, 11025, 22050, 44100, 48000, 96000, 44101, 7919})
    void lengthIsRoundedRatio(int rate) {
        Resampler r = new Resampler(rate, OUT);
        for (int n : new int[] {0, 1, 2, 3, 17, 441, 1000, 44099, 44100, 44101, 123457}) {
            long expected = Math.round(n * (double) OUT / rate);
            long got = r.outputLength(n);
            assertTrue(Math.abs(got - expected) <= 1, rate + " Hz, n=" + n + ": " + got + " vs " + expected);
            if (n <= 44101) {
                assertEquals(got, r.process(new float[n]).length);
            }
        }
    }

    @Test
    void exactPhasesForCommonRatesInterpolatedForOddOnes() {
        assertTrue(new Resampler(44100, OUT).usesExactPhases());
        assertTrue(new Resampler(48000, OUT).usesExactPhases());
        assertTrue(new Resampler(8000, OUT).usesExactPhases());
        assertFalse(new Resampler(44101, OUT).usesExactPhases());
    }

    @Test
    void longInputIsTheSameInParallelAndInPieces() {
        // process() runs chunks in parallel for long outputs; every output sample must still depend only on
        // its own position: compare a long run with a direct recomputation on a short window around a sample.
        Resampler r = new Resampler(44100, OUT);
        float[] in = tone(44100 * 10, 44100, 1234.5, 0.4);
        float[] out = r.process(in);
        // output sample 80000 sits at input 220500; a window starting at input 44100*5 - 0 keeps the same phase
        // when its start is a multiple of 441 input samples (= 160 output samples)
        int startIn = 441 * 400;
        float[] window = java.util.Arrays.copyOfRange(in, startIn, startIn + 441 * 200);
        float[] part = r.process(window);
        for (int i = 60; i < part.length - 60; i++) {
            assertEquals(out[160 * 400 + i], part[i], 0f, "sample " + i);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new Resampler(0, OUT));
        assertThrows(IllegalArgumentException.class, () -> new Resampler(44100, -1));
        assertThrows(IllegalArgumentException.class, () -> new Resampler(44100, OUT).process(null));
        assertThrows(IllegalArgumentException.class, () -> new Resampler(44100, OUT).outputLength(-1));
    }

    @Test
    void ratesTooFarApartAreRefusedByName() {
        // a corrupt header's rate once overflowed the filter table (NegativeArraySizeException)
        for (int in : new int[] {352_554_908, Integer.MAX_VALUE, 2_000_003}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Resampler(in, OUT));
            assertTrue(e.getMessage().contains(in + " Hz to " + OUT + " Hz") && e.getMessage().contains("taps"), e.getMessage());
        }
        // the highest WAV rate the reader accepts still converts: the filter stays under the cap
        Resampler r = new Resampler(WavReader.MAX_SAMPLE_RATE, OUT);
        float[] y = r.process(tone(50_000, WavReader.MAX_SAMPLE_RATE, 440, 0.5));
        assertEquals(800, y.length);
        assertEquals(0.5, amplitude(y, 200, 400, 440), 0.01, "a 440 Hz tone keeps its amplitude");
    }

    private static float[] tone(int n, int rate, double hz, double amp) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    /** Amplitude of the {@code hz} component over {@code len} samples (Goertzel-style single DFT bin). */
    private static double amplitude(float[] x, int from, int len, double hz) {
        double re = 0;
        double im = 0;
        for (int i = 0; i < len; i++) {
            double a = 2 * Math.PI * hz * i / OUT;
            re += x[from + i] * Math.cos(a);
            im -= x[from + i] * Math.sin(a);
        }
        return 2 * Math.hypot(re, im) / len;
    }

    private static double rms(float[] x, int from, int len) {
        double s = 0;
        for (int i = from; i < from + len; i++) {
            s += (double) x[i] * x[i];
        }
        return Math.sqrt(s / len);
    }
}
