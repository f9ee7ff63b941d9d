package org.dqwhisper.demo;

import java.util.stream.IntStream;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperModel;

/**
 * The encoder outputs of a frozen encoder for every utterance of a split, computed once ([N, n_audio_ctx, d]),
 * so that many decoder-only training runs (the DQ-Whisper recipe keeps both encoders frozen) skip the encoders.
 */
public final class FrozenEncoderOutputs implements AutoCloseable {
    private static final int BATCH = 8;
    private final Tensor outputs;

    private FrozenEncoderOutputs(Tensor outputs) {
        this.outputs = outputs;
    }

    /** Runs {@code model}'s encoder (FP32) over {@code data} in batches. */
    public static FrozenEncoderOutputs compute(WhisperModel model, DemoData data) {
        int n = data.size(), ctx = model.config().nAudioCtx(), d = model.config().nAudioState();
        if (data.nMels() != model.config().nMels() || data.frames() != model.config().nMelFrames()) {
            throw new IllegalArgumentException("features [" + data.nMels() + ", " + data.frames() + "] do not fit a model taking ["
                    + model.config().nMels() + ", " + model.config().nMelFrames() + "]");
        }
        Tensor all = Tensor.allocate("encoder outputs", DType.F32, n, ctx, d);
        try {
            for (int start = 0; start < n; start += BATCH) {
                int b = Math.min(BATCH, n - start);
                try (Tensor m = data.mel(IntStream.range(start, start + b).toArray()); Tensor out = model.encoder().forward(m, Precision.FP32);
                        Tensor dst = all.rows(start, start + b)) {
                    dst.copyFrom(out);
                }
            }
            return new FrozenEncoderOutputs(all);
        } catch (RuntimeException e) {
            all.close();
            throw e;
        }
    }

    public int size() {
        return (int) outputs.dim(0);
    }

    /** The outputs of utterances {@code indices} as a new [B, n_audio_ctx, d] tensor. */
    public Tensor gather(int[] indices) {
        Tensor batch = Tensor.allocate("encoder outputs batch", DType.F32, indices.length, outputs.dim(1), outputs.dim(2));
        try {
            for (int i = 0; i < indices.length; i++) {
                int k = indices[i];
                if (k < 0 || k >= size()) throw new IndexOutOfBoundsException("utterance " + k + " outside [0, " + size() + ")");
                try (Tensor src = outputs.rows(k, k + 1); Tensor dst = batch.rows(i, i + 1)) {
                    dst.copyFrom(src);
                }
            }
            return batch;
        } catch (RuntimeException e) {
            batch.close();
            throw e;
        }
    }

    @Override
    public void close() {
        outputs.close();
    }
}
