package org.dqwhisper.decode;

import java.util.Arrays;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.DecoderState;
import org.dqwhisper.whisper.WhisperModel;

/**
 * Plain greedy decoding on the KV-cache path, as whisper's {@code GreedyDecoder(temperature=0)}: the
 * first call runs the whole prompt, later calls feed only the last token; each step takes the argmax
 * (lowest id on ties) of the last position's logits, picked natively by {@link NnKernels#argmaxLogSoftmax}.
 * No logit filters here.
 */
public final class GreedyDecoder {
    /** Result: the new tokens, the last-position logits of every step, and the sum of log-probabilities. */
    public record Result(int[] tokens, float[][] stepLogits, double sumLogprob) {}

    private GreedyDecoder() {}

    /**
     * Decodes up to {@code maxTokens} tokens after {@code prompt}; stops after {@code stopToken} when it
     * is ≥ 0 (the stop token is included), never when it is negative.
     */
    public static Result decode(WhisperModel model, DecoderState state, int[] prompt, int maxTokens, int stopToken, boolean keepLogits) {
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
        int[] out = new int[maxTokens];
        float[][] logits = keepLogits ? new float[maxTokens][] : null;
        double sum = 0;
        int n = 0;
        int[] feed = prompt;
        int[] pick = new int[1];
        double[] logprob = new double[1];
        while (n < maxTokens) {
            try (Tensor l = model.decode(state, feed); Tensor last = l.rows(l.dim(0) - 1, l.dim(0))) {
                NnKernels.argmaxLogSoftmax(last, pick, logprob); // on the native logits: no per-token copy of the vocabulary
                if (keepLogits) logits[n] = last.toFloatArray();
            }
            int best = pick[0];
            sum += logprob[0];
            out[n++] = best;
            if (best == stopToken && stopToken >= 0) break;
            feed = new int[] {best};
        }
        return new Result(Arrays.copyOf(out, n), keepLogits ? Arrays.copyOf(logits, n) : null, sum);
    }
}
