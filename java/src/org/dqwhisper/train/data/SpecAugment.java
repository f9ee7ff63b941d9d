package org.dqwhisper.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.BatchTransform;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.train.TrainingRng;

/**
 * SpecAugment (Park et al. 2019) on a batch's log-mel windows, as a pure function of the batch and a seed:
 * per utterance, {@code frequencyMasks} bands of {@code 0..maxFrequencyWidth} mel bins and {@code timeMasks} spans
 * of {@code 0..min(maxTimeWidth, maxTimeFraction * contentFrames)} frames, placed uniformly; time masks stay inside
 * the frames that hold audio. Masked values are set to 0, the value of the padding frames in Whisper's
 * {@link FeatureCache.Framing#TRANSCRIBE_WINDOW} input (Hugging Face's Whisper masks features to 0 as well).
 *
 * @param frequencyMasks     frequency masks per utterance
 * @param maxFrequencyWidth  widest frequency mask, mel bins
 * @param timeMasks          time masks per utterance
 * @param maxTimeWidth       widest time mask, frames
 * @param maxTimeFraction    widest time mask as a share of the utterance's audio frames
 */
public record SpecAugment(int frequencyMasks, int maxFrequencyWidth, int timeMasks, int maxTimeWidth,
                          double maxTimeFraction) implements BatchTransform {
    /** Value written into masked cells. */
    public static final float MASK_VALUE = 0f;

    public SpecAugment {
        if (frequencyMasks < 0 || maxFrequencyWidth < 0 || timeMasks < 0 || maxTimeWidth < 0
            || !(maxTimeFraction >= 0 && maxTimeFraction <= 1)) {
            throw new IllegalArgumentException("SpecAugment parameters must be >= 0 (time fraction <= 1): "
                + frequencyMasks + ", " + maxFrequencyWidth + ", " + timeMasks + ", " + maxTimeWidth + ", "
                + maxTimeFraction);
        }
    }

    /** LibriSpeech "LD"-like policy: 2 frequency masks of up to 27 bins, 2 time masks of up to 100 frames / 5%. */
    public static SpecAugment standard() {
        return new SpecAugment(2, 27, 2, 100, 0.05);
    }

    /** One masked interval {@code [start, start + width)}. */
    public record Span(int start, int width) {
    }

    /** The masks of one utterance. */
    public record Masks(List<Span> frequency, List<Span> time) {
    }

    /** The masks of utterance {@code row} of a batch augmented with {@code seed}. */
    public Masks masks(long seed, int row, int nMels, int contentFrames) {
        Random rng = new Random(Batcher.mix(seed, row));
        List<Span> freq = new ArrayList<>();
        for (int i = 0; i < frequencyMasks; i++) {
            int width = rng.nextInt(Math.min(maxFrequencyWidth, nMels) + 1);
            freq.add(new Span(rng.nextInt(nMels - width + 1), width));
        }
        List<Span> time = new ArrayList<>();
        int widest = Math.min(maxTimeWidth, (int) Math.floor(maxTimeFraction * contentFrames));
        for (int i = 0; i < timeMasks; i++) {
            int width = rng.nextInt(widest + 1);
            time.add(new Span(rng.nextInt(contentFrames - width + 1), width));
        }
        return new Masks(freq, time);
    }

    /** A copy of {@code batch} with masked log-mel values (the input is not modified; the caller closes both). */
    public TrainingBatch apply(TrainingBatch batch, long seed) {
        float[] mel = batch.mel().toFloatArray();
        mask(mel, batch.nMels(), batch.frames(), batch.contentFrames(), seed);
        Tensor masked = Tensor.of(mel, batch.size(), batch.nMels(), batch.frames());
        return batch.withMel(masked);
    }

    /**
     * As a training step's {@link BatchTransform}: masks {@code batch} in place with a seed drawn from the run's
     * generator, so a resumed run draws the same masks.
     */
    @Override
    public TrainingBatch apply(TrainingBatch batch, TrainingRng rng) {
        float[] mel = batch.mel().toFloatArray();
        mask(mel, batch.nMels(), batch.frames(), batch.contentFrames(), rng.nextLong());
        batch.mel().copyFrom(mel);
        return batch;
    }

    private void mask(float[] mel, int nMels, int frames, int[] contentFrames, long seed) {
        for (int r = 0; r < contentFrames.length; r++) {
            int base = r * nMels * frames;
            Masks m = masks(seed, r, nMels, contentFrames[r]);
            for (Span s : m.frequency()) {
                for (int bin = s.start(); bin < s.start() + s.width(); bin++) {
                    java.util.Arrays.fill(mel, base + bin * frames, base + (bin + 1) * frames, MASK_VALUE);
                }
            }
            for (Span s : m.time()) {
                for (int bin = 0; bin < nMels; bin++) {
                    int row = base + bin * frames;
                    java.util.Arrays.fill(mel, row + s.start(), row + s.start() + s.width(), MASK_VALUE);
                }
            }
        }
    }
}
