package org.dqwhisper.train;

import java.util.Arrays;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * One batch of B utterances, the one batch type of training and distillation: the log-mel input
 * {@code mel [B, n_mels, frames]} (owned by the batch), per utterance the decoder input ids and the
 * next-token targets, of equal length per row ({@code targets[b][t]} is the token after
 * {@code decoderInputs[b][t]}, or {@link #IGNORE_INDEX} for positions without a loss), and the frames of
 * each row that hold audio ({@code contentFrames[b] <= frames}; SpecAugment masks time only there). Rows
 * may differ in length: the trainer pads them. The data pipeline ({@code org.dqwhisper.train.data.Batcher})
 * makes these from a manifest.
 */
public record TrainingBatch(Tensor mel, int[][] decoderInputs, int[][] targets, int[] contentFrames) implements AutoCloseable {
    /** Target value of positions that carry no loss (PyTorch's default ignore_index). */
    public static final int IGNORE_INDEX = -100;

    public TrainingBatch {
        if (mel == null || decoderInputs == null || targets == null || contentFrames == null) {
            throw new IllegalArgumentException("training batch: null part");
        }
        mel.requireDType(DType.F32);
        if (mel.rank() != 3) throw new IllegalArgumentException("training batch: mel " + mel.describe() + " must be [B, n_mels, frames]");
        int b = decoderInputs.length;
        if (mel.dim(0) != b || targets.length != b || contentFrames.length != b) {
            throw new IllegalArgumentException("training batch: mel " + mel.describe() + ", " + b + " input rows, " + targets.length
                    + " target rows and " + contentFrames.length + " content lengths must agree on B");
        }
        for (int i = 0; i < b; i++) {
            if (decoderInputs[i] == null || targets[i] == null || decoderInputs[i].length != targets[i].length || targets[i].length == 0) {
                throw new IllegalArgumentException("training batch: row " + i + " needs inputs and targets of one non-zero length");
            }
            if (contentFrames[i] < 0 || contentFrames[i] > mel.dim(2)) {
                throw new IllegalArgumentException("training batch: row " + i + " has " + contentFrames[i] + " content frames, outside [0, "
                        + mel.dim(2) + "]");
            }
        }
    }

    /** A batch whose every frame counts as audio (synthetic inputs). */
    public TrainingBatch(Tensor mel, int[][] decoderInputs, int[][] targets) {
        this(mel, decoderInputs, targets, allFrames(mel, decoderInputs.length));
    }

    private static int[] allFrames(Tensor mel, int b) {
        int[] c = new int[b];
        Arrays.fill(c, mel == null || mel.rank() != 3 ? 0 : (int) mel.dim(2));
        return c;
    }

    public int size() {
        return decoderInputs.length;
    }

    public int nMels() {
        return (int) mel.dim(1);
    }

    public int frames() {
        return (int) mel.dim(2);
    }

    /** Positions with a loss. */
    public int targetTokens() {
        int n = 0;
        for (int[] row : targets) for (int t : row) if (t != IGNORE_INDEX) n++;
        return n;
    }

    /** The same tokens with another log-mel tensor (which the new batch owns; this batch still owns its own). */
    public TrainingBatch withMel(Tensor newMel) {
        return new TrainingBatch(newMel, decoderInputs, targets, contentFrames);
    }

    @Override
    public void close() {
        mel.close();
    }
}
