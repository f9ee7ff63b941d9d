package org.dqwhisper.decode;

/** {@link MelSource} over one float array of {@code n_mels x totalFrames}. Immutable. */
final class ArrayMelSource implements MelSource {
    private final float[] mel;
    private final int nMels;
    private final int totalFrames;
    private final int contentFrames;

    ArrayMelSource(float[] mel, int nMels, int totalFrames, int contentFrames) {
        if (nMels <= 0 || contentFrames < 0 || totalFrames < contentFrames + WINDOW_FRAMES) {
            throw new IllegalArgumentException("mel source needs nMels > 0 and totalFrames >= contentFrames + "
                    + WINDOW_FRAMES + ", got nMels=" + nMels + " totalFrames=" + totalFrames + " contentFrames="
                    + contentFrames);
        }
        if (mel.length != (long) nMels * totalFrames) {
            throw new IllegalArgumentException("mel has " + mel.length + " values, expected " + nMels + " x "
                    + totalFrames);
        }
        this.mel = mel;
        this.nMels = nMels;
        this.totalFrames = totalFrames;
        this.contentFrames = contentFrames;
    }

    @Override
    public int nMels() {
        return nMels;
    }

    @Override
    public int contentFrames() {
        return contentFrames;
    }

    @Override
    public float[] frames(int start, int count) {
        if (start < 0 || count < 0 || (long) start + count > contentFrames + (long) WINDOW_FRAMES
                || start + count > totalFrames) {
            throw new IllegalArgumentException("frames [" + start + ", " + ((long) start + count) + ") outside 0.."
                    + (contentFrames + WINDOW_FRAMES));
        }
        float[] out = new float[nMels * count];
        for (int b = 0; b < nMels; b++) {
            System.arraycopy(mel, b * totalFrames + start, out, b * count, count);
        }
        return out;
    }
}
