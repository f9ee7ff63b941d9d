package org.dqwhisper.whisper;

import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Per-utterance decoder state: the self-attention KV cache ([n_text_ctx, d] per layer) and the
 * cross-attention keys/values of one encoder output, computed once. Not thread-safe: one state per
 * decoding call; the model itself is shared.
 */
public final class DecoderState implements AutoCloseable {
    final Tensor[] selfK;
    final Tensor[] selfV;
    final Tensor[] crossK;
    final Tensor[] crossV;
    private int length;

    DecoderState(int layers, int textCtx, int audioCtx, int width) {
        selfK = new Tensor[layers];
        selfV = new Tensor[layers];
        crossK = new Tensor[layers];
        crossV = new Tensor[layers];
        for (int i = 0; i < layers; i++) {
            selfK[i] = Tensor.allocate("decoder.cache.k" + i, DType.F32, textCtx, width);
            selfV[i] = Tensor.allocate("decoder.cache.v" + i, DType.F32, textCtx, width);
            crossK[i] = Tensor.allocate("decoder.cross.k" + i, DType.F32, audioCtx, width);
            crossV[i] = Tensor.allocate("decoder.cross.v" + i, DType.F32, audioCtx, width);
        }
    }

    /** Tokens already in the cache. */
    public int length() {
        return length;
    }

    void advance(int t) {
        length += t;
    }

    /** Drops cached tokens beyond {@code newLength} (e.g. to re-decode from a prefix). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a cache of " + length + " tokens to " + newLength);
        }
        length = newLength;
    }

    /** Copies the self-attention cache of {@code other} (same model) into this state (for beam search). */
    public void copyCacheFrom(DecoderState other) {
        for (int i = 0; i < selfK.length; i++) {
            int n = other.length;
            if (n > 0) {
                selfK[i].rows(0, n).copyFrom(other.selfK[i].rows(0, n));
                selfV[i].rows(0, n).copyFrom(other.selfV[i].rows(0, n));
            }
        }
        length = other.length;
    }

    @Override
    public void close() {
        for (Tensor[] arr : new Tensor[][] {selfK, selfV, crossK, crossV}) {
            for (Tensor t : arr) if (t != null) t.close();
        }
    }
}
