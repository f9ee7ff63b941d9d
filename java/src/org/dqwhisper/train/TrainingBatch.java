package org.dqwhisper.train;

import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * One batch of B utterances: the log-mel input {@code mel [B, n_mels, frames]} (owned by the batch)
 * and per utterance the decoder input ids and the next-token targets, of equal length per row
 * ({@code targets[b][t]} is the token after {@code decoderInputs[b][t]}, or
 * {@link #IGNORE_INDEX} for positions without a loss, e.g. the prompt). Rows may differ in length:
 * the trainer pads them.
 */
public record TrainingBatch(Tensor mel, int[][] decoderInputs, int[][] targets) implements AutoCloseable {
    /** Target value of positions that carry no loss (PyTorch's default ignore_index). */
    public static final int IGNORE_INDEX = -100;

    public TrainingBatch {
        if (mel == null || decoderInputs == null || targets == null) throw new IllegalArgumentException("training batch: null part");
        mel.requireDType(DType.F32);
        if (mel.rank() != 3) throw new IllegalArgumentException("training batch: mel " + mel.describe() + " must be [B, n_mels, frames]");
        int b = decoderInputs.length;
        if (mel.dim(0) != b || targets.length != b) {
            throw new IllegalArgumentException("training batch: mel " + mel.describe() + ", " + b + " input rows and " + targets.length
                    + " target rows must agree on B");
        }
        for (int i = 0; i < b; i++) {
            if (decoderInputs[i] == null || targets[i] == null || decoderInputs[i].length != targets[i].length || targets[i].length == 0) {
                throw new IllegalArgumentException("training batch: row " + i + " needs inputs and targets of one non-zero length");
            }
        }
    }

    public int size() {
        return decoderInputs.length;
    }

    /** Positions with a loss. */
    public int targetTokens() {
        int n = 0;
        for (int[] row : targets) for (int t : row) if (t != IGNORE_INDEX) n++;
        return n;
    }

    @Override
    public void close() {
        mel.close();
    }
}
