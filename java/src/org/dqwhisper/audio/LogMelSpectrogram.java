package org.dqwhisper.audio;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Whisper's log-mel front end ({@code whisper/audio.py: log_mel_spectrogram}) for 16 kHz mono audio:
 * <ol>
 * <li>STFT with {@code center=True}: reflect-pad {@value #N_FFT}/2 samples on each side (mirror without repeating
 * the edge sample), periodic Hann window of {@value #N_FFT}, hop {@value #HOP_LENGTH}, one-sided FFT (201 bins);
 * the last frame is dropped, so {@code n} samples give {@code n / 160} frames;</li>
 * <li>power {@code |X|^2}, then the mel filter bank (80 or 128 bins);</li>
 * <li>{@code log10(max(mel, 1e-10))}, floored at (global max - 8), then {@code (x + 4) / 4}.</li>
 * </ol>
 * FFT, power, mel product and log10 are computed in double precision (float input, float filters); the log10
 * values are kept as floats (half the memory of doubles for long audio) before the final rescale. Frames run in
 * parallel for long inputs with identical results (each frame is independent). Thread-safe.
 */
public final class LogMelSpectrogram {
    public static final int SAMPLE_RATE = 16000;
    public static final int N_FFT = 400;
    public static final int HOP_LENGTH = 160;
    /** Samples in one 30-second window. */
    public static final int CHUNK_SAMPLES = 30 * SAMPLE_RATE;
    /** Mel frames in one 30-second window. */
    public static final int CHUNK_FRAMES = CHUNK_SAMPLES / HOP_LENGTH;

    private static final int BINS = N_FFT / 2 + 1;
    private static final double LOG_FLOOR = 1e-10;
    private static final double DYNAMIC_RANGE = 8.0;
    private static final int FRAMES_PER_TASK = 256;
    private static final double[] WINDOW = periodicHann(N_FFT);

    private final MelFilterBank filters;
    private final boolean parallelFrames;

    /**
     * A front end with 80 (whisper v1/v2, tiny..large-v2) or 128 (large-v3, turbo) mel bins that spreads long inputs
     * over the common fork-join pool.
     */
    public LogMelSpectrogram(int nMels) {
        this(nMels, true);
    }

    /**
     * As {@link #LogMelSpectrogram(int)}; {@code parallelFrames = false} keeps all work on the calling thread (for
     * callers that already run many spectrograms concurrently). Results are identical either way.
     */
    public LogMelSpectrogram(int nMels, boolean parallelFrames) {
        this.filters = MelFilterBank.forMels(nMels);
        this.parallelFrames = parallelFrames;
    }

    public int nMels() {
        return filters.nMels;
    }

    /** {@code log_mel_spectrogram(pcm, n_mels)}: {@code [nMels, pcm.length / 160]}; needs more than 200 samples. */
    public MelSpectrogram compute(float[] pcm) {
        return compute(pcm, 0);
    }

    /**
     * {@code log_mel_spectrogram(pcm, n_mels, padding=padding)}: {@code padding} zeros appended to the audio first;
     * {@code [nMels, (pcm.length + padding) / 160]}.
     */
    public MelSpectrogram compute(float[] pcm, int padding) {
        if (pcm == null) {
            throw new IllegalArgumentException("pcm must not be null");
        }
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got " + padding);
        }
        long total = (long) pcm.length + padding;
        if (total <= N_FFT / 2) {
            throw new IllegalArgumentException("reflect padding of " + N_FFT / 2 + " samples needs more than "
                + N_FFT / 2 + " samples of audio, got " + total);
        }
        if (total > Integer.MAX_VALUE - 2 * N_FFT) {
            throw new IllegalArgumentException("audio of " + total + " samples is too long for one spectrogram");
        }
        float[] padded = reflectPadded(pcm, (int) total);
        int frames = (int) (total / HOP_LENGTH);
        int nMels = filters.nMels;
        float[] logMel = new float[nMels * frames]; // log10 values, then rescaled in place
        int tasks = (frames + FRAMES_PER_TASK - 1) / FRAMES_PER_TASK;
        IntStream range = IntStream.range(0, tasks);
        if (parallelFrames && tasks > 1) {
            range = range.parallel();
        }
        range.forEach(t -> logMelFrames(padded, logMel, frames, t * FRAMES_PER_TASK,
            Math.min(frames, (t + 1) * FRAMES_PER_TASK)));

        float max = Float.NEGATIVE_INFINITY;
        for (float v : logMel) {
            max = Math.max(max, v);
        }
        double floor = max - DYNAMIC_RANGE;
        for (int i = 0; i < logMel.length; i++) {
            logMel[i] = (float) ((Math.max(logMel[i], floor) + 4.0) / 4.0);
        }
        return new MelSpectrogram(nMels, frames, logMel);
    }

    /** {@code pad_or_trim(log_mel_spectrogram(pcm), 3000)}: the raw mel with zero frames appended. */
    public MelSpectrogram modelInput(float[] pcm) {
        return compute(pcm).padOrTrim(CHUNK_FRAMES);
    }

    /** {@code log_mel_spectrogram(pad_or_trim(pcm))}: audio padded/trimmed to 30 s first (whisper's decode path). */
    public MelSpectrogram audioPaddedInput(float[] pcm) {
        return compute(padOrTrim(pcm, CHUNK_SAMPLES));
    }

    /**
     * The first window {@code whisper.transcribe} feeds: {@code pad_or_trim(mel[:, :min(3000, content)], 3000)}
     * with {@code mel = log_mel_spectrogram(pcm, padding=480000)} and {@code content = pcm.length / 160} frames.
     * For later windows use {@link #compute(float[], int)} with {@link #CHUNK_SAMPLES} and
     * {@link MelSpectrogram#segment(int, int, int)}.
     */
    public MelSpectrogram transcribeFirstWindow(float[] pcm) {
        MelSpectrogram mel = compute(pcm, CHUNK_SAMPLES);
        int content = mel.frames() - CHUNK_FRAMES;
        return mel.segment(0, Math.min(CHUNK_FRAMES, content), CHUNK_FRAMES);
    }

    /**
     * The STFT power {@code |X|^2} as row-major {@code [201, pcm.length / 160]} (the intermediate whisper computes
     * before the mel filters; for checks and debugging).
     */
    public static float[] stftPower(float[] pcm) {
        if (pcm == null || pcm.length <= N_FFT / 2) {
            throw new IllegalArgumentException("stftPower needs more than " + N_FFT / 2 + " samples");
        }
        float[] padded = reflectPadded(pcm, pcm.length);
        int frames = pcm.length / HOP_LENGTH;
        float[] out = new float[BINS * frames];
        RealFft fft = new RealFft(N_FFT);
        double[] x = new double[N_FFT];
        double[] re = new double[BINS];
        double[] im = new double[BINS];
        double[] power = new double[BINS];
        for (int f = 0; f < frames; f++) {
            windowFrame(padded, f, x);
            fft.power(x, re, im, power);
            for (int k = 0; k < BINS; k++) {
                out[k * frames + f] = (float) power[k];
            }
        }
        return out;
    }

    /** Whisper's {@code pad_or_trim(array, length)} for audio: zeros appended, or the end cut off. */
    public static float[] padOrTrim(float[] pcm, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        return Arrays.copyOf(pcm, length);
    }

    private void logMelFrames(float[] padded, float[] logMel, int frames, int from, int to) {
        RealFft fft = new RealFft(N_FFT);
        double[] x = new double[N_FFT];
        double[] re = new double[BINS];
        double[] im = new double[BINS];
        double[] power = new double[BINS];
        float[] w = filters.weights;
        for (int f = from; f < to; f++) {
            windowFrame(padded, f, x);
            fft.power(x, re, im, power);
            for (int m = 0; m < filters.nMels; m++) {
                double sum = 0;
                int row = m * BINS;
                for (int k = filters.firstBin[m]; k < filters.endBin[m]; k++) {
                    sum += w[row + k] * power[k];
                }
                logMel[m * frames + f] = (float) Math.log10(Math.max(sum, LOG_FLOOR));
            }
        }
    }

    private static void windowFrame(float[] padded, int frame, double[] x) {
        int start = frame * HOP_LENGTH;
        for (int j = 0; j < N_FFT; j++) {
            x[j] = padded[start + j] * WINDOW[j];
        }
    }

    /** {@code total} samples (pcm, then zeros) with {@value #N_FFT}/2 reflected samples on each side. */
    private static float[] reflectPadded(float[] pcm, int total) {
        int pad = N_FFT / 2;
        float[] out = new float[total + 2 * pad];
        System.arraycopy(pcm, 0, out, pad, Math.min(pcm.length, total));
        for (int j = 0; j < pad; j++) {
            out[pad - 1 - j] = sampleAt(pcm, j + 1, total);            // x[-1-j] = x[1+j]
            out[pad + total + j] = sampleAt(pcm, total - 2 - j, total); // x[total+j] = x[total-2-j]
        }
        return out;
    }

    private static float sampleAt(float[] pcm, int i, int total) {
        return i < pcm.length && i < total ? pcm[i] : 0f;
    }

    private static double[] periodicHann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
        }
        return w;
    }
}
