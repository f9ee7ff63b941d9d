package org.dqwhisper.audio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Energy-based voice activity detection with an adaptive noise floor, for mono float audio (normally 16 kHz,
 * samples in [-1, 1]). It finds the stretches worth sending to the recognizer; it does not tell speech from other
 * loud sounds (music, a door). A model-based VAD such as Silero is more selective.
 *
 * <p><b>Algorithm.</b>
 * <ol>
 *   <li><b>Frames.</b> The signal is cut into consecutive, non-overlapping frames of {@code frameMs} (30 ms = 480
 *       samples at 16 kHz); the last frame may be shorter. Each frame's log energy is
 *       {@code 10 log10(mean(x^2) + 1e-12)} dB relative to full scale (a full-scale sine is -3 dB, digital
 *       silence -120 dB).</li>
 *   <li><b>Noise floor.</b> For each frame, the noise floor is the {@code noisePercentile}-th percentile (lower
 *       nearest rank: element {@code floor(p/100 * (k-1))} of the k sorted energies) of the frame energies in a
 *       window of {@code noiseWindowMs} centred on the frame (cut at the ends of the signal). As long as at least
 *       that percentage of a window is non-speech, the floor follows the background level, so slowly changing
 *       noise is tracked. An abrupt change of the background level is followed within about half a window.</li>
 *   <li><b>Decision.</b> A frame is active when its energy is at least {@code thresholdDb} above its noise floor
 *       and at least {@code absoluteFloorDb} (so that near-silent recordings do not turn faint hiss into
 *       speech).</li>
 *   <li><b>Hangover (minimum silence).</b> Runs of active frames separated by a gap shorter than
 *       {@code minSilenceMs} are joined: the speech state is held through short pauses between words.</li>
 *   <li><b>Minimum speech.</b> Joined runs shorter than {@code minSpeechMs} are dropped (clicks, pops).</li>
 *   <li><b>Padding.</b> Each run, in samples ({@code [first frame start, last frame end)}), is widened by
 *       {@code padMs} on both sides, clipped to the signal, and runs that then overlap or touch are merged.</li>
 * </ol>
 * Onsets and offsets are therefore located to within one frame (before padding). Cost: O(n) for the energies and
 * O(frames x window frames) for the sliding percentile, about 4e7 simple steps per hour of audio with the
 * defaults.
 */
public final class EnergyVad {
    /**
     * Tuning of the detector; every duration in milliseconds.
     *
     * @param sampleRate samples per second of the input
     * @param frameMs frame length
     * @param noiseWindowMs length of the centred window for the noise-floor percentile
     * @param noisePercentile which percentile of the window's frame energies is the noise floor, in [0, 100]
     * @param thresholdDb how far above the noise floor a frame must be to count as speech
     * @param absoluteFloorDb the least energy (dBFS) a speech frame must have
     * @param minSpeechMs speech runs shorter than this are dropped
     * @param minSilenceMs pauses shorter than this do not end a speech run
     * @param padMs added before and after each speech run
     */
    public record Config(int sampleRate, double frameMs, double noiseWindowMs, double noisePercentile,
            double thresholdDb, double absoluteFloorDb, double minSpeechMs, double minSilenceMs, double padMs) {
        public Config {
            if (sampleRate <= 0) {
                throw new IllegalArgumentException("sampleRate must be > 0, got " + sampleRate);
            }
            if (!(frameMs > 0) || Math.round(sampleRate * frameMs / 1000.0) < 1) {
                throw new IllegalArgumentException("frameMs must give at least one sample per frame, got " + frameMs);
            }
            if (!(noiseWindowMs >= frameMs)) {
                throw new IllegalArgumentException("noiseWindowMs must be >= frameMs, got " + noiseWindowMs);
            }
            if (!(noisePercentile >= 0 && noisePercentile <= 100)) {
                throw new IllegalArgumentException("noisePercentile must be in [0, 100], got " + noisePercentile);
            }
            if (!Double.isFinite(thresholdDb) || !Double.isFinite(absoluteFloorDb)) {
                throw new IllegalArgumentException(
                        "thresholdDb and absoluteFloorDb must be finite, got " + thresholdDb + ", " + absoluteFloorDb);
            }
            if (!(minSpeechMs >= 0) || !(minSilenceMs >= 0) || !(padMs >= 0) || Double.isInfinite(padMs)) {
                throw new IllegalArgumentException("minSpeechMs, minSilenceMs and padMs must be finite and >= 0, got "
                        + minSpeechMs + ", " + minSilenceMs + ", " + padMs);
            }
        }

        /** 16 kHz, 30 ms frames, 10th percentile over 5 s, 10 dB above it and above -55 dBFS, speech >= 250 ms,
         * pauses < 300 ms bridged, 100 ms padding. */
        public static Config defaults() {
            return new Config(16_000, 30, 5_000, 10, 10, -55, 250, 300, 100);
        }

        public Config withThresholdDb(double db) {
            return new Config(sampleRate, frameMs, noiseWindowMs, noisePercentile, db, absoluteFloorDb, minSpeechMs,
                    minSilenceMs, padMs);
        }

        public Config withDurations(double minSpeech, double minSilence, double pad) {
            return new Config(sampleRate, frameMs, noiseWindowMs, noisePercentile, thresholdDb, absoluteFloorDb,
                    minSpeech, minSilence, pad);
        }

        public Config withNoiseWindow(double windowMs, double percentile) {
            return new Config(sampleRate, frameMs, windowMs, percentile, thresholdDb, absoluteFloorDb, minSpeechMs,
                    minSilenceMs, padMs);
        }

        /** Samples per frame. */
        public int frameSamples() {
            return (int) Math.round(sampleRate * frameMs / 1000.0);
        }
    }

    /** A speech interval {@code [start, end)} in samples. */
    public record Interval(int start, int end) {
        public Interval {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("interval needs 0 <= start <= end, got [" + start + ", " + end + ")");
            }
        }

        public int length() {
            return end - start;
        }

        public double startSeconds(int sampleRate) {
            return (double) start / sampleRate;
        }

        public double endSeconds(int sampleRate) {
            return (double) end / sampleRate;
        }
    }

    private static final double ENERGY_EPSILON = 1e-12;

    private final Config config;

    public EnergyVad(Config config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public EnergyVad() {
        this(Config.defaults());
    }

    public Config config() {
        return config;
    }

    /**
     * The speech intervals of {@code samples}, in order, disjoint and not touching.
     *
     * @throws IllegalArgumentException when a sample is NaN or infinite
     */
    public List<Interval> detect(float[] samples) {
        Objects.requireNonNull(samples, "samples");
        if (samples.length == 0) {
            return List.of();
        }
        int frame = config.frameSamples();
        double[] energy = frameEnergiesDb(samples, frame);
        double[] floor = noiseFloorDb(energy, framesIn(config.noiseWindowMs()), config.noisePercentile());
        boolean[] active = new boolean[energy.length];
        for (int t = 0; t < energy.length; t++) {
            active[t] = energy[t] >= floor[t] + config.thresholdDb() && energy[t] >= config.absoluteFloorDb();
        }
        List<int[]> runs = activeRuns(active);
        runs = bridgeGaps(runs, framesIn(config.minSilenceMs()));
        runs.removeIf(r -> (r[1] - r[0]) < framesIn(config.minSpeechMs()));
        return padAndMerge(runs, frame, samples.length, (int) Math.round(config.padMs() * config.sampleRate() / 1000.0));
    }

    /** Log energy in dBFS of each frame of {@code frame} samples (the last one possibly shorter). */
    static double[] frameEnergiesDb(float[] samples, int frame) {
        int frames = (samples.length + frame - 1) / frame;
        double[] energy = new double[frames];
        for (int t = 0; t < frames; t++) {
            int begin = t * frame;
            int end = Math.min(samples.length, begin + frame);
            double sum = 0;
            for (int i = begin; i < end; i++) {
                float x = samples[i];
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException("sample " + i + " is " + x + "; audio must be finite");
                }
                sum += (double) x * x;
            }
            energy[t] = 10 * Math.log10(sum / (end - begin) + ENERGY_EPSILON);
        }
        return energy;
    }

    /**
     * The percentile of {@code energy} over a window of {@code windowFrames} centred on each frame, by a sliding
     * sorted window (insert and remove by binary search).
     */
    static double[] noiseFloorDb(double[] energy, int windowFrames, double percentile) {
        int n = energy.length;
        int half = Math.max(0, (windowFrames - 1) / 2);
        double[] sorted = new double[Math.min(n, 2 * half + 1)];
        int size = 0;
        for (int i = 0; i <= Math.min(n - 1, half); i++) {
            size = insert(sorted, size, energy[i]);
        }
        double[] floor = new double[n];
        for (int t = 0; t < n; t++) {
            floor[t] = sorted[(int) Math.floor(percentile / 100.0 * (size - 1))];
            int leaving = t - half;
            int entering = t + half + 1;
            if (leaving >= 0) {
                size = remove(sorted, size, energy[leaving]);
            }
            if (entering < n) {
                size = insert(sorted, size, energy[entering]);
            }
        }
        return floor;
    }

    private static int insert(double[] sorted, int size, double value) {
        int at = Arrays.binarySearch(sorted, 0, size, value);
        if (at < 0) {
            at = -at - 1;
        }
        System.arraycopy(sorted, at, sorted, at + 1, size - at);
        sorted[at] = value;
        return size + 1;
    }

    private static int remove(double[] sorted, int size, double value) {
        int at = Arrays.binarySearch(sorted, 0, size, value);
        if (at < 0) {
            throw new IllegalStateException("noise window lost track of value " + value);
        }
        System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
        return size - 1;
    }

    /** Maximal runs of active frames as {@code [first, end)} frame indices. */
    private static List<int[]> activeRuns(boolean[] active) {
        List<int[]> runs = new ArrayList<>();
        int t = 0;
        while (t < active.length) {
            if (!active[t]) {
                t++;
                continue;
            }
            int begin = t;
            while (t < active.length && active[t]) {
                t++;
            }
            runs.add(new int[] {begin, t});
        }
        return runs;
    }

    private static List<int[]> bridgeGaps(List<int[]> runs, int minGapFrames) {
        List<int[]> out = new ArrayList<>();
        for (int[] r : runs) {
            int[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r[0] - last[1] < minGapFrames) {
                last[1] = r[1];
            } else {
                out.add(r.clone());
            }
        }
        return out;
    }

    private static List<Interval> padAndMerge(List<int[]> runs, int frame, int length, int pad) {
        List<Interval> out = new ArrayList<>();
        for (int[] r : runs) {
            int start = Math.max(0, r[0] * frame - pad);
            int end = (int) Math.min(length, (long) r[1] * frame + pad);
            Interval last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && start <= last.end()) {
                out.set(out.size() - 1, new Interval(last.start(), Math.max(last.end(), end)));
            } else {
                out.add(new Interval(start, end));
            }
        }
        return out;
    }

    /** A duration in whole frames, rounded to nearest. */
    private int framesIn(double ms) {
        return (int) Math.round(ms / config.frameMs());
    }
}
