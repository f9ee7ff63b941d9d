package org.dqwhisper.audio;

import org.dqwhisper.tensor.Tensor;

/**
 * A log-mel spectrogram, row-major {@code [nMels, frames]} floats (element (m, f) at {@code m * frames + f}).
 * Immutable: {@link #toFloatArray()} returns a copy.
 */
public final class MelSpectrogram {
    private final int nMels;
    private final int frames;
    private final float[] data;

    MelSpectrogram(int nMels, int frames, float[] data) {
        if ((long) nMels * frames != data.length) {
            throw new IllegalArgumentException("mel data has " + data.length + " values, expected " + nMels + " x "
                + frames);
        }
        this.nMels = nMels;
        this.frames = frames;
        this.data = data;
    }

    public int nMels() {
        return nMels;
    }

    public int frames() {
        return frames;
    }

    public float get(int mel, int frame) {
        if (mel < 0 || mel >= nMels || frame < 0 || frame >= frames) {
            throw new IndexOutOfBoundsException("(" + mel + ", " + frame + ") outside [" + nMels + ", " + frames
                + "]");
        }
        return data[mel * frames + frame];
    }

    /** A copy of the values, row-major [nMels, frames]. */
    public float[] toFloatArray() {
        return data.clone();
    }

    /** A new off-heap F32 tensor {@code [nMels, frames]} (the caller closes it). */
    public Tensor toTensor() {
        return Tensor.of(data, nMels, frames);
    }

    /**
     * Frames {@code [start, start + count)}, cut at the end of the spectrogram, then zero-padded or truncated to
     * {@code targetFrames}: whisper's {@code pad_or_trim(mel[:, start:start + count], targetFrames)}.
     */
    public MelSpectrogram segment(int start, int count, int targetFrames) {
        if (start < 0 || count < 0 || targetFrames < 0) {
            throw new IllegalArgumentException("segment(start=" + start + ", count=" + count + ", target="
                + targetFrames + ") needs non-negative arguments");
        }
        int available = Math.max(0, Math.min(count, frames - start));
        int copy = Math.min(available, targetFrames);
        float[] out = new float[nMels * targetFrames];
        for (int m = 0; m < nMels && copy > 0; m++) {
            System.arraycopy(data, m * frames + start, out, m * targetFrames, copy);
        }
        return new MelSpectrogram(nMels, targetFrames, out);
    }

    /** Whisper's {@code pad_or_trim(mel, targetFrames)}: zeros appended to, or frames cut from, the end. */
    public MelSpectrogram padOrTrim(int targetFrames) {
        return segment(0, frames, targetFrames);
    }

    @Override
    public String toString() {
        return "MelSpectrogram[" + nMels + ", " + frames + "]";
    }
}
