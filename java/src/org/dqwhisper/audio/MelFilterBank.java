package org.dqwhisper.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whisper's mel filter banks ({@code mel_80} [80, 201] and {@code mel_128} [128, 201], librosa Slaney mel), loaded
 * from the jar resource {@value #RESOURCE} (the arrays of openai/whisper's {@code mel_filters.npz}, MIT licence
 * beside it). Rows are stored with their non-zero range so the product with a power spectrum skips the zeros.
 */
final class MelFilterBank {
    static final String RESOURCE = "/org/dqwhisper/assets/mel_filters.safetensors";
    private static final Map<Integer, MelFilterBank> CACHE = new ConcurrentHashMap<>();

    final int nMels;
    final int nBins;
    final float[] weights;  // [nMels, nBins]
    final int[] firstBin;   // per row: first non-zero bin
    final int[] endBin;     // per row: one past the last non-zero bin

    private MelFilterBank(int nMels, int nBins, float[] weights) {
        this.nMels = nMels;
        this.nBins = nBins;
        this.weights = weights;
        this.firstBin = new int[nMels];
        this.endBin = new int[nMels];
        for (int m = 0; m < nMels; m++) {
            int first = nBins;
            int end = 0;
            for (int k = 0; k < nBins; k++) {
                if (weights[m * nBins + k] != 0f) {
                    first = Math.min(first, k);
                    end = k + 1;
                }
            }
            firstBin[m] = Math.min(first, end);
            endBin[m] = end;
        }
    }

    /** The bank for 80 or 128 mel bins. */
    static MelFilterBank forMels(int nMels) {
        if (nMels != 80 && nMels != 128) {
            throw new IllegalArgumentException("whisper has mel filter banks for 80 and 128 bins, not " + nMels);
        }
        return CACHE.computeIfAbsent(nMels, MelFilterBank::load);
    }

    private static MelFilterBank load(int nMels) {
        try (InputStream in = MelFilterBank.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the classpath");
            }
            SafetensorsF32.Entry e = SafetensorsF32.parse(in.readAllBytes(), RESOURCE).get("mel_" + nMels);
            if (e == null || e.shape().length != 2 || e.shape()[0] != nMels
                    || e.shape()[1] != LogMelSpectrogram.N_FFT / 2 + 1) {
                throw new IllegalStateException(RESOURCE + ": tensor mel_" + nMels + " missing or not ["
                    + nMels + ", " + (LogMelSpectrogram.N_FFT / 2 + 1) + "]");
            }
            return new MelFilterBank(nMels, (int) e.shape()[1], e.values());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + RESOURCE, ex);
        }
    }
}
