package org.dqwhisper.train.data;

import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;

/**
 * The model input of one utterance, a {@code [nMels, 3000]} log-mel window, stored compactly: the first
 * {@code storedFrames} frames, and one value that every later frame has in every mel bin ({@code fill}).
 *
 * @param nMels         mel bins
 * @param storedFrames  frames kept in {@code values}
 * @param contentFrames frames that hold audio ({@code samples / 160}, at most 3000); SpecAugment masks time only there
 * @param fill          the value of frames {@code storedFrames..2999}
 * @param values        row-major {@code [nMels, storedFrames]}
 */
public record LogMelFeatures(int nMels, int storedFrames, int contentFrames, float fill, float[] values) {
    /** Frames of the model input: 30 s at 100 frames per second. */
    public static final int MODEL_FRAMES = LogMelSpectrogram.CHUNK_FRAMES;

    public LogMelFeatures {
        if (nMels <= 0 || storedFrames < 0 || storedFrames > MODEL_FRAMES || contentFrames < 0
            || contentFrames > MODEL_FRAMES) {
            throw new IllegalArgumentException("bad log-mel shape: " + nMels + " mels, " + storedFrames + " stored, "
                + contentFrames + " content frames");
        }
        if (values.length != nMels * storedFrames) {
            throw new IllegalArgumentException(values.length + " values for [" + nMels + ", " + storedFrames + "]");
        }
    }

    /**
     * Compacts a full window: trailing frames whose every bin equals the last frame's (single) value are dropped.
     *
     * @param window        {@code [nMels, 3000]}
     * @param contentFrames frames holding audio
     */
    public static LogMelFeatures compact(MelSpectrogram window, int contentFrames) {
        if (window.frames() != MODEL_FRAMES) {
            throw new IllegalArgumentException("expected a window of " + MODEL_FRAMES + " frames, got " + window);
        }
        int nMels = window.nMels();
        float[] all = window.toFloatArray();
        float fill = all[MODEL_FRAMES - 1];
        int keep = MODEL_FRAMES;
        while (keep > 0 && frameEquals(all, nMels, keep - 1, fill)) {
            keep--;
        }
        float[] values = new float[nMels * keep];
        for (int m = 0; m < nMels; m++) {
            System.arraycopy(all, m * MODEL_FRAMES, values, m * keep, keep);
        }
        return new LogMelFeatures(nMels, keep, Math.min(contentFrames, MODEL_FRAMES), fill, values);
    }

    /** Writes the full {@code [nMels, 3000]} window into {@code dst} at {@code offset}. */
    public void copyTo(float[] dst, int offset) {
        copyTo(dst, offset, MODEL_FRAMES);
    }

    /**
     * Writes the first {@code frames} frames of the window, row-major {@code [nMels, frames]}, into {@code dst} at
     * {@code offset}: the input of a model whose encoder takes fewer than 3000 frames ({@code 2 * n_audio_ctx}),
     * i.e. the window cut to the model's length.
     */
    public void copyTo(float[] dst, int offset, int frames) {
        if (frames < 1 || frames > MODEL_FRAMES) {
            throw new IllegalArgumentException("model input of " + frames + " frames: only 1.." + MODEL_FRAMES + " (30 s) is supported");
        }
        int kept = Math.min(storedFrames, frames);
        for (int m = 0; m < nMels; m++) {
            int row = offset + m * frames;
            System.arraycopy(values, m * storedFrames, dst, row, kept);
            java.util.Arrays.fill(dst, row + kept, row + frames, fill);
        }
    }

    /** The full window as a new array, row-major {@code [nMels, 3000]}. */
    public float[] window() {
        float[] out = new float[nMels * MODEL_FRAMES];
        copyTo(out, 0);
        return out;
    }

    /** Heap bytes held (for the cache budget). */
    public long bytes() {
        return 4L * values.length + 64;
    }

    private static boolean frameEquals(float[] all, int nMels, int frame, float value) {
        for (int m = 0; m < nMels; m++) {
            if (Float.floatToIntBits(all[m * MODEL_FRAMES + frame]) != Float.floatToIntBits(value)) {
                return false;
            }
        }
        return true;
    }
}
