package org.dqwhisper.audio;

import java.util.stream.IntStream;

/**
 * Band-limited sample-rate conversion by a Kaiser-windowed sinc, evaluated as a polyphase filter bank at the exact
 * rational ratio {@code outRate/inRate = L/M} (reduced by their gcd, e.g. 44100 -> 16000 is 160/441).
 *
 * <p>Design: the low-pass has its stopband edge at the lower of the two Nyquist frequencies and a transition band
 * of {@value #TRANSITION_FRACTION} of it below (for 16 kHz output: passband to 7.2 kHz, stopband from 8 kHz),
 * Kaiser window for {@value #STOPBAND_DB} dB stopband attenuation. Every phase is normalised to unit DC gain, so a
 * constant signal stays exactly constant away from the edges. Samples outside the input are zeros; output sample n
 * sits at input time {@code n * inRate / outRate} (no delay), and the output has
 * {@code round(n * outRate / inRate)} samples.
 *
 * <p>Rates so far apart that the filter would need more than {@value #MAX_TAPS} taps are refused (an
 * {@link IllegalArgumentException} naming both rates). When the reduced ratio has so many phases that the exact
 * table would exceed {@value #MAX_TABLE_ENTRIES} coefficients (odd rates such as 44101 Hz), a table of
 * {@value #INTERPOLATED_PHASES} phases is used with linear interpolation between neighbouring phases; the
 * interpolation error is far below the stopband level.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Resampler {
    /** Whisper's input rate. */
    public static final int WHISPER_RATE = 16000;

    static final double STOPBAND_DB = 80.0;
    static final double TRANSITION_FRACTION = 0.1;
    static final int MAX_TABLE_ENTRIES = 1 << 22;
    static final int INTERPOLATED_PHASES = 1024;
    /** Longest filter (taps grow with inRate / outRate when downsampling; 8192 allow inputs up to about 1.3 MHz at 16 kHz out). */
    static final int MAX_TAPS = 1 << 13;
    private static final int PARALLEL_MIN_OUTPUT = 1 << 16;
    private static final int CHUNK = 1 << 14;

    private final int inRate;
    private final int outRate;
    private final int up;
    private final int down;
    private final int taps;
    private final int halfTaps;
    private final boolean exactPhases;
    private final int phases;
    private final float[] table;

    /** A resampler from {@code inRate} to {@code outRate} Hz (both positive). */
    public Resampler(int inRate, int outRate) {
        if (inRate <= 0 || outRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + inRate + " -> " + outRate);
        }
        this.inRate = inRate;
        this.outRate = outRate;
        int g = gcd(inRate, outRate);
        this.up = outRate / g;
        this.down = inRate / g;

        double lowNyquist = Math.min(inRate, outRate) / 2.0;
        double transitionHz = TRANSITION_FRACTION * lowNyquist;
        double cutoff = (lowNyquist - transitionHz / 2) / inRate;        // cycles per input sample
        double transition = transitionHz / inRate;                         // cycles per input sample
        double length = Math.ceil((STOPBAND_DB - 7.95) / (14.36 * transition)) + 1; // Kaiser's estimate
        if (inRate != outRate && length > MAX_TAPS) {
            throw new IllegalArgumentException("cannot resample " + inRate + " Hz to " + outRate + " Hz: the low-pass filter would need "
                    + (long) length + " taps (at most " + MAX_TAPS + ", i.e. an input rate up to about "
                    + (long) (MAX_TAPS / (STOPBAND_DB - 7.95) * 14.36 * TRANSITION_FRACTION * outRate / 2) + " Hz)");
        }
        this.halfTaps = Math.max(1, ((int) length + 1) / 2);
        this.taps = 2 * halfTaps;
        double halfWidth = halfTaps;                                       // window half-width in input samples
        double beta = 0.1102 * (STOPBAND_DB - 8.7);

        if (inRate == outRate) {
            this.exactPhases = true;
            this.phases = 1;
            this.table = null;
        } else {
            this.exactPhases = (long) up * taps <= MAX_TABLE_ENTRIES;
            this.phases = exactPhases ? up : INTERPOLATED_PHASES;
            int rows = exactPhases ? phases : phases + 1;
            this.table = new float[rows * taps];
            double i0Beta = besselI0(beta);
            for (int p = 0; p < rows; p++) {
                double frac = p / (double) phases;
                double sum = 0;
                double[] row = new double[taps];
                for (int k = 0; k < taps; k++) {
                    double t = frac - (k - (halfTaps - 1));                // input-sample offset of this tap
                    double x = t / halfWidth;
                    if (Math.abs(x) >= 1) {
                        continue;
                    }
                    double window = besselI0(beta * Math.sqrt(1 - x * x)) / i0Beta;
                    row[k] = 2 * cutoff * sinc(2 * cutoff * t) * window;
                    sum += row[k];
                }
                for (int k = 0; k < taps; k++) {
                    table[p * taps + k] = (float) (row[k] / sum);
                }
            }
        }
    }

    /** Resamples {@code samples} at {@code rate} Hz to {@value #WHISPER_RATE} Hz (a copy when already there). */
    public static float[] toWhisperRate(float[] samples, int rate) {
        return new Resampler(rate, WHISPER_RATE).process(samples);
    }

    /** Resamples {@code audio} to {@value #WHISPER_RATE} Hz. */
    public static PcmAudio toWhisperRate(PcmAudio audio) {
        return new PcmAudio(toWhisperRate(audio.samples(), audio.sampleRate()), WHISPER_RATE, audio.sourceChannels());
    }

    public int inRate() {
        return inRate;
    }

    public int outRate() {
        return outRate;
    }

    /** Filter taps applied per output sample. */
    public int tapsPerOutput() {
        return taps;
    }

    /** True when every phase of the exact ratio has its own coefficients (no phase interpolation). */
    public boolean usesExactPhases() {
        return exactPhases;
    }

    /** Number of output samples for {@code n} input samples: {@code round(n * outRate / inRate)}. */
    public long outputLength(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative input length " + n);
        }
        return Math.floorDiv(Math.multiplyExact(n, 2L * up) + down, 2L * down);
    }

    /** Resamples the whole signal. */
    public float[] process(float[] in) {
        if (in == null) {
            throw new IllegalArgumentException("input samples must not be null");
        }
        if (inRate == outRate) {
            return in.clone();
        }
        long outLen = outputLength(in.length);
        if (outLen > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("resampled length " + outLen + " exceeds a Java array");
        }
        float[] out = new float[(int) outLen];
        int chunks = (out.length + CHUNK - 1) / CHUNK;
        IntStream range = IntStream.range(0, chunks);
        if (out.length >= PARALLEL_MIN_OUTPUT) {
            range = range.parallel(); // each output sample is computed independently: identical results
        }
        range.forEach(c -> fill(in, out, c * CHUNK, Math.min(out.length, (c + 1) * CHUNK)));
        return out;
    }

    private void fill(float[] in, float[] out, int from, int to) {
        for (int n = from; n < to; n++) {
            long pos = (long) n * down;
            long center = pos / up;
            int rem = (int) (pos % up);
            long first = center - (halfTaps - 1);
            if (exactPhases) {
                out[n] = dot(in, first, table, rem * taps);
            } else {
                double fp = rem / (double) up * phases;
                int p = Math.min((int) fp, phases - 1);
                float a = (float) (fp - p);
                float lo = dot(in, first, table, p * taps);
                float hi = dot(in, first, table, (p + 1) * taps);
                out[n] = lo + a * (hi - lo);
            }
        }
    }

    private float dot(float[] x, long first, float[] h, int hOff) {
        int k0 = 0;
        int k1 = taps;
        if (first < 0) {
            k0 = (int) Math.min(taps, -first);
        }
        if (first + taps > x.length) {
            k1 = (int) Math.max(k0, x.length - first);
        }
        int base = (int) first;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int k = k0;
        for (; k + 3 < k1; k += 4) {
            s0 += x[base + k] * h[hOff + k];
            s1 += x[base + k + 1] * h[hOff + k + 1];
            s2 += x[base + k + 2] * h[hOff + k + 2];
            s3 += x[base + k + 3] * h[hOff + k + 3];
        }
        for (; k < k1; k++) {
            s0 += x[base + k] * h[hOff + k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double sinc(double x) {
        if (x == 0) {
            return 1;
        }
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    /** Modified Bessel function of the first kind, order 0 (power series; converges fast for beta < 20). */
    static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    @Override
    public String toString() {
        return "Resampler[" + inRate + " -> " + outRate + " Hz, ratio " + up + "/" + down + ", " + taps
            + " taps, " + (exactPhases ? "exact" : "interpolated") + " phases]";
    }
}
