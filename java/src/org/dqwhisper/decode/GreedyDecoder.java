package org.dqwhisper.decode;

import java.util.Arrays;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.DecoderState;
import org.dqwhisper.whisper.WhisperModel;

/**
 * Plain greedy decoding on the KV-cache path, as whisper's {@code GreedyDecoder(temperature=0)}: the
 * first call runs the whole prompt, later calls feed only the last token; each step takes the argmax
 * (lowest id on ties) of the last position's logits. No logit filters here.
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
        while (n < maxTokens) {
            float[] last;
            try (Tensor l = model.decode(state, feed)) {
                int v = (int) l.dim(1);
                last = new float[v];
                float[] all = l.toFloatArray();
                System.arraycopy(all, (int) ((l.dim(0) - 1) * v), last, 0, v);
            }
            int best = argmax(last);
            sum += logSoftmaxAt(last, best);
            if (keepLogits) logits[n] = last;
            out[n++] = best;
            if (best == stopToken && stopToken >= 0) break;
            feed = new int[] {best};
        }
        return new Result(Arrays.copyOf(out, n), keepLogits ? Arrays.copyOf(logits, n) : null, sum);
    }

    public static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    /** log softmax(x)[i], computed in double. */
    public static double logSoftmaxAt(float[] x, int i) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) max = Math.max(max, v);
        double s = 0;
        for (float v : x) s += Math.exp(v - max);
        return x[i] - max - Math.log(s);
    }
}
