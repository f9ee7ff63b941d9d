package org.dqwhisper.train;

import java.util.Random;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperConfig;

/**
 * A deterministic in-memory {@link BatchSource} for loop tests: {@code items} random utterances
 * (Gaussian mel, random token sequences of {@code length} tokens, the first target ignored as a
 * prompt), served in order, {@code batchSize} per batch, wrapping around.
 */
final class SyntheticBatches implements BatchSource {
    final float[][] mels;
    final int[][] sequences;
    final int batchSize;
    final WhisperConfig cfg;
    long position;

    SyntheticBatches(WhisperConfig cfg, int items, int length, int batchSize, long seed) {
        this.cfg = cfg;
        this.batchSize = batchSize;
        Random rnd = new Random(seed);
        mels = new float[items][cfg.nMels() * cfg.nMelFrames()];
        sequences = new int[items][length + 1];
        for (int i = 0; i < items; i++) {
            for (int j = 0; j < mels[i].length; j++) mels[i][j] = (float) rnd.nextGaussian();
            for (int j = 0; j <= length; j++) sequences[i][j] = rnd.nextInt(cfg.nVocab());
        }
    }

    static WhisperConfig config() {
        return WhisperConfig.of(8, 8, 32, 2, 1, 61, 12, 32, 2, 1);
    }

    @Override
    public TrainingBatch next() {
        Tensor mel = Tensor.allocate(DType.F32, batchSize, cfg.nMels(), cfg.nMelFrames());
        int[][] in = new int[batchSize][];
        int[][] tg = new int[batchSize][];
        for (int b = 0; b < batchSize; b++) {
            int i = (int) ((position * batchSize + b) % mels.length);
            mel.rows(b, b + 1).copyFrom(mels[i]);
            int[] s = sequences[i];
            in[b] = java.util.Arrays.copyOf(s, s.length - 1);
            tg[b] = java.util.Arrays.copyOfRange(s, 1, s.length);
            tg[b][0] = TrainingBatch.IGNORE_INDEX;
        }
        position++;
        return new TrainingBatch(mel, in, tg);
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void seek(long p) {
        position = p;
    }
}
