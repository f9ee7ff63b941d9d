package org.dqwhisper.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.dqwhisper.audio.EnergyVad.Config;
import org.dqwhisper.audio.EnergyVad.Interval;
import org.junit.jupiter.api.Test;

/** Synthetic signals with known speech-like bursts; onsets and offsets must be found to within one frame. */
class EnergyVadTest {
    private static final int SR = 16_000;
    private static final int FRAME = 480; // 30 ms at 16 kHz: the detector's time resolution, hence the tolerance

    /** Gaussian noise of standard deviation sigma. */
    private static float[] noise(int n, double sigma, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (sigma * rnd.nextGaussian());
        }
        return x;
    }

    /** Adds a 440 Hz tone of the given peak amplitude on [from, to) seconds. */
    private static void addTone(float[] x, double from, double to, double amplitude) {
        for (int i = (int) Math.round(from * SR); i < Math.round(to * SR); i++) {
            x[i] += (float) (amplitude * Math.sin(2 * Math.PI * 440 * i / SR));
        }
    }

    private static void assertIntervals(List<Interval> got, double[][] expectedSeconds, int tolerance) {
        assertEquals(expectedSeconds.length, got.size(), "intervals: " + got);
        for (int k = 0; k < got.size(); k++) {
            long start = Math.round(expectedSeconds[k][0] * SR);
            long end = Math.round(expectedSeconds[k][1] * SR);
            assertTrue(Math.abs(got.get(k).start() - start) <= tolerance, "start of " + got.get(k) + " vs " + start);
            assertTrue(Math.abs(got.get(k).end() - end) <= tolerance, "end of " + got.get(k) + " vs " + end);
        }
    }

    private static final Config NO_PAD = Config.defaults().withDurations(100, 200, 0);

    @Test
    void tonesInQuietNoiseAreFoundToWithinOneFrame() {
        float[] x = noise(5 * SR, 0.001, 1); // -60 dBFS background
        addTone(x, 1.0, 1.5, 0.3);
        addTone(x, 3.0, 4.2, 0.3);
        List<Interval> got = new EnergyVad(NO_PAD).detect(x);
        assertIntervals(got, new double[][] {{1.0, 1.5}, {3.0, 4.2}}, FRAME);
    }

    @Test
    void paddingWidensEachIntervalAndIsClippedAtTheEnds() {
        float[] x = noise(5 * SR, 0.001, 2);
        addTone(x, 0.0, 0.5, 0.3);
        addTone(x, 2.0, 2.6, 0.3);
        addTone(x, 4.5, 5.0, 0.3);
        List<Interval> plain = new EnergyVad(NO_PAD).detect(x);
        List<Interval> padded = new EnergyVad(Config.defaults().withDurations(100, 200, 100)).detect(x);
        assertEquals(3, plain.size(), "intervals: " + plain);
        assertEquals(3, padded.size(), "intervals: " + padded);
        int pad = SR / 10;
        for (int k = 0; k < 3; k++) {
            assertEquals(Math.max(0, plain.get(k).start() - pad), padded.get(k).start());
            assertEquals(Math.min(x.length, plain.get(k).end() + pad), padded.get(k).end());
        }
        assertEquals(0, padded.get(0).start());
        assertEquals(x.length, padded.get(2).end());
    }

    @Test
    void steadyLoudNoiseAloneIsNotSpeech() {
        // -26 dBFS noise is far above the absolute floor (-55 dBFS); only the adaptive floor rejects it
        float[] x = noise(6 * SR, 0.05, 3);
        assertEquals(List.of(), new EnergyVad(NO_PAD).detect(x));
        addTone(x, 2.0, 3.0, 0.5); // 17 dB above the noise
        assertIntervals(new EnergyVad(NO_PAD).detect(x), new double[][] {{2.0, 3.0}}, FRAME);
    }

    @Test
    void noiseFloorFollowsASlowlyRisingBackground() {
        int n = 20 * SR;
        float[] x = noise(n, 1.0, 4);
        for (int i = 0; i < n; i++) {
            x[i] *= (float) (0.001 * Math.pow(30, (double) i / n)); // -60 dBFS rising to about -30 dBFS
        }
        double[][] bursts = {{1.0, 1.5}, {5.0, 5.5}, {9.0, 9.5}, {13.0, 13.5}, {17.0, 17.5}};
        for (double[] b : bursts) {
            double sigma = 0.001 * Math.pow(30, b[0] / 20);
            addTone(x, b[0], b[1], sigma * 10 * Math.sqrt(2)); // tone power 20 dB above the local noise
        }
        assertIntervals(new EnergyVad(NO_PAD).detect(x), bursts, FRAME);
        // contrast: one floor for the whole file (a 60 s window) takes the loud end of the background for speech
        List<Interval> global = new EnergyVad(NO_PAD.withNoiseWindow(60_000, 10)).detect(x);
        Interval last = global.get(global.size() - 1);
        assertTrue(last.end() - last.start() > 2 * SR, "expected background noise detected as speech: " + global);
    }

    @Test
    void shortPausesAreBridgedAndShortBlipsDropped() {
        float[] x = noise(4 * SR, 0.001, 5);
        addTone(x, 1.0, 1.6, 0.3);
        addTone(x, 1.75, 2.3, 0.3); // 150 ms pause
        addTone(x, 3.0, 3.06, 0.3); // 60 ms blip
        Config bridging = Config.defaults().withDurations(100, 300, 0);
        assertIntervals(new EnergyVad(bridging).detect(x), new double[][] {{1.0, 2.3}}, FRAME);
        Config splitting = Config.defaults().withDurations(0, 90, 0);
        assertIntervals(new EnergyVad(splitting).detect(x),
                new double[][] {{1.0, 1.6}, {1.75, 2.3}, {3.0, 3.06}}, FRAME);
    }

    @Test
    void silenceEmptyAndBadInput() {
        assertEquals(List.of(), new EnergyVad().detect(new float[SR]));
        assertEquals(List.of(), new EnergyVad().detect(new float[0]));
        float[] bad = new float[1000];
        bad[700] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EnergyVad().detect(bad));
        assertTrue(e.getMessage().contains("sample 700"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Config.defaults().withDurations(-1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Config.defaults().withNoiseWindow(5000, 101));
        assertThrows(IllegalArgumentException.class, () -> Config.defaults().withNoiseWindow(10, 10));
        assertThrows(IllegalArgumentException.class, () -> new Interval(5, 4));
    }

    @Test
    void noiseFloorIsTheWindowPercentile() {
        double[] e = {5, 1, 4, 2, 3, 9, 0};
        // window of 3 frames centred (cut at the ends), lower nearest-rank median (p=50)
        double[] floor = EnergyVad.noiseFloorDb(e, 3, 50);
        // windows: {5,1} {5,1,4} {1,4,2} {4,2,3} {2,3,9} {3,9,0} {9,0}
        assertEquals(List.of(1.0, 4.0, 2.0, 3.0, 3.0, 3.0, 0.0), java.util.Arrays.stream(floor).boxed().toList());
        assertEquals(-3.0103, EnergyVad.frameEnergiesDb(new float[] {1, -1, 0, 0}, 4)[0], 1e-4); // 10 log10(0.5)
    }
}
