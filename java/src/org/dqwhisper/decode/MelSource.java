package org.dqwhisper.decode;

/**
 * The log-mel spectrogram of a whole recording, read window by window by {@link Transcriber}.
 *
 * <p>It must be computed as whisper's {@code log_mel_spectrogram(audio, n_mels, padding=N_SAMPLES)}: over the
 * audio followed by 30 s of zero samples, with the dynamic-range clamp ({@code max(x, max(x) - 8)}) taken over
 * that whole padded signal. Frames are 10 ms (hop 160 at 16 kHz). Frames in
 * {@code [contentFrames(), contentFrames() + 3000)} are the padding; whisper reads them only for language
 * detection on recordings shorter than 30 s.
 *
 * <p>Implementations must allow concurrent reads if one source is shared between threads.
 */
public interface MelSource {
    /** Whisper's {@code N_FRAMES}: mel frames in one 30 s window. */
    int WINDOW_FRAMES = 3000;

    /** Mel bands. */
    int nMels();

    /** Frames of actual audio (excluding the 3000 padding frames). */
    int contentFrames();

    /**
     * Frames {@code [start, start + count)} as {@code n_mels x count} row-major (band-major).
     *
     * @throws IllegalArgumentException unless {@code 0 <= start}, {@code 0 <= count} and
     *     {@code start + count <= contentFrames() + 3000}
     */
    float[] frames(int start, int count);

    /**
     * A 30 s model input: {@code frames(start, count)} followed by zeros up to 3000 frames (whisper's
     * {@code pad_or_trim} of a mel slice), {@code n_mels x 3000} row-major.
     */
    default float[] window(int start, int count) {
        return window(start, count, WINDOW_FRAMES);
    }

    /**
     * A model input of {@code windowFrames} frames ({@link SpeechModel#windowFrames()}, at most 3000):
     * {@code frames(start, count)} followed by zeros up to {@code windowFrames}, {@code n_mels x windowFrames}.
     */
    default float[] window(int start, int count, int windowFrames) {
        if (windowFrames < 1 || windowFrames > WINDOW_FRAMES) {
            throw new IllegalArgumentException("a model window holds 1.." + WINDOW_FRAMES + " frames, got " + windowFrames);
        }
        if (count < 0 || count > windowFrames) {
            throw new IllegalArgumentException("a window holds 0.." + windowFrames + " frames, asked for " + count);
        }
        int bands = nMels();
        float[] slice = frames(start, count);
        if (slice.length != bands * count) {
            throw new IllegalStateException("mel source returned " + slice.length + " values for " + bands
                    + " bands x " + count + " frames");
        }
        if (count == windowFrames) {
            return slice;
        }
        float[] out = new float[bands * windowFrames];
        for (int b = 0; b < bands; b++) {
            System.arraycopy(slice, b * count, out, b * windowFrames, count);
        }
        return out;
    }

    /**
     * A source over an in-memory spectrogram {@code mel} of {@code nMels x totalFrames} (row-major) whose first
     * {@code contentFrames} frames are audio; {@code totalFrames} must be at least {@code contentFrames + 3000}.
     */
    static MelSource of(float[] mel, int nMels, int totalFrames, int contentFrames) {
        return new ArrayMelSource(mel, nMels, totalFrames, contentFrames);
    }
}
