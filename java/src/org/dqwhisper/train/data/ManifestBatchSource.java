package org.dqwhisper.train.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.dqwhisper.train.BatchSource;
import org.dqwhisper.train.TrainingBatch;

/**
 * The endless batch stream of a training run: the {@link Batcher}'s epochs one after another (batch {@code k} of
 * the stream is batch {@code k mod batchesPerEpoch} of epoch {@code k / batchesPerEpoch}), each loaded through the
 * {@link FeatureCache} at the model's frame count. Batch {@code k} depends only on the seed and {@code k}, so
 * {@link #seek} is exact and a resumed run sees the data of an uninterrupted one.
 *
 * <p>A read error of an utterance is thrown as an {@link UncheckedIOException} (the {@link BatchSource} contract
 * has no checked exceptions) whose cause names the utterance and manifest line.
 */
public final class ManifestBatchSource implements BatchSource {
    private final Batcher batcher;
    private final FeatureCache features;
    private final int frames;
    private long position;
    private long cachedEpoch = -1;
    private List<int[]> cachedBatches;

    /** @param frames the model's input frames ({@code 2 * n_audio_ctx}, at most 3000) */
    public ManifestBatchSource(Batcher batcher, FeatureCache features, int frames) {
        if (frames < 1 || frames > LogMelFeatures.MODEL_FRAMES) {
            throw new IllegalArgumentException("model input of " + frames + " frames: only 1.." + LogMelFeatures.MODEL_FRAMES
                + " (30 s) is supported");
        }
        if (features.nMels() <= 0) {
            throw new IllegalArgumentException("feature cache without mel bins");
        }
        this.batcher = batcher;
        this.features = features;
        this.frames = frames;
    }

    public Batcher batcher() {
        return batcher;
    }

    /** The indices (into the batcher's entries) of stream batch {@code k}. */
    public int[] indicesAt(long k) {
        if (k < 0) {
            throw new IllegalArgumentException("batch index must be >= 0, got " + k);
        }
        int perEpoch = batcher.batchesPerEpoch();
        long epoch = k / perEpoch;
        if (epoch != cachedEpoch) {
            cachedBatches = batcher.epoch(epoch);
            cachedEpoch = epoch;
        }
        return cachedBatches.get((int) (k % perEpoch));
    }

    @Override
    public TrainingBatch next() {
        int[] indices = indicesAt(position);
        try {
            TrainingBatch b = batcher.load(indices, features, frames);
            position++;
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void seek(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, got " + position);
        }
        this.position = position;
    }
}
