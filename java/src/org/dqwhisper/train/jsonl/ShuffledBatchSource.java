package org.dqwhisper.train.jsonl;

import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.BatchSource;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.train.TrainingRng;

/**
 * Batches of utterances in shuffled epochs: the stream is the concatenation of one random
 * permutation of the utterances per epoch (epoch e shuffled by a generator seeded from
 * {@code seed} and e), cut into batches of {@code batchSize}; a batch may span two epochs. Batch k
 * depends only on (seed, k), so {@link #seek} is exact.
 */
public final class ShuffledBatchSource implements BatchSource {
    private final UtteranceFeatures data;
    private final int batchSize;
    private final long seed;
    private long position;
    private long cachedEpoch = -1;
    private int[] cachedOrder;

    public ShuffledBatchSource(UtteranceFeatures data, int batchSize, long seed) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    @Override
    public TrainingBatch next() {
        int n = data.size();
        int frames = data.frames(), mels = data.nMels();
        int[][] inputs = new int[batchSize][];
        int[][] targets = new int[batchSize][];
        Tensor mel = Tensor.allocate("batch.mel", DType.F32, batchSize, mels, frames);
        try {
            for (int b = 0; b < batchSize; b++) {
                long item = position * batchSize + b;
                int index = order(item / n)[(int) (item % n)];
                inputs[b] = data.decoderInput(index);
                targets[b] = data.targets(index);
                mel.rows(b, b + 1).copyFrom(data.mel(index));
            }
            position++;
            return new TrainingBatch(mel, inputs, targets);
        } catch (RuntimeException e) {
            mel.close();
            throw e;
        }
    }

    private int[] order(long epoch) {
        if (epoch != cachedEpoch) {
            cachedOrder = new TrainingRng(seed + 0x632BE59BD9B4E019L * (epoch + 1)).permutation(data.size());
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void seek(long position) {
        if (position < 0) throw new IllegalArgumentException("position must be >= 0, got " + position);
        this.position = position;
    }
}
