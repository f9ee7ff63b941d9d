package org.dqwhisper.whisper;

import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Per-utterance decoder state: the self-attention KV cache ([n_text_ctx, d] per layer) and the
 * cross-attention keys/values of one encoder output, computed once. Not thread-safe: one state per
 * decoding call; the model itself is shared.
 *
 * <p>The tensors are allocated without a zero fill ({@link Tensor#allocateUninitialized}): the cross keys and
 * values are written whole by the projection of the audio, and the cache is read only up to {@link #length()}, so
 * the pages of its unused tail (most of the 448 positions) are never touched.
 */
public final class DecoderState implements AutoCloseable {
    final Tensor[] selfK;
    final Tensor[] selfV;
    final Tensor[] crossK;
    final Tensor[] crossV;
    private final CrossCache cross;
    private int length;
    private boolean closed;

    /** Cross-attention keys/values of one encoder output: shared by forks, freed with the last one. */
    private static final class CrossCache {
        final Tensor[] k;
        final Tensor[] v;
        int users = 1;

        CrossCache(int layers, int audioCtx, int width) {
            k = new Tensor[layers];
            v = new Tensor[layers];
            for (int i = 0; i < layers; i++) {
                k[i] = Tensor.allocateUninitialized("decoder.cross.k" + i, DType.F32, audioCtx, width);
                v[i] = Tensor.allocateUninitialized("decoder.cross.v" + i, DType.F32, audioCtx, width);
            }
        }

        synchronized void retain() {
            users++;
        }

        synchronized void release() {
            if (--users == 0) {
                for (Tensor t : k) t.close();
                for (Tensor t : v) t.close();
            }
        }
    }

    DecoderState(int layers, int textCtx, int audioCtx, int width) {
        this(layers, textCtx, width, new CrossCache(layers, audioCtx, width));
    }

    private DecoderState(int layers, int textCtx, int width, CrossCache cross) {
        this.cross = cross;
        selfK = new Tensor[layers];
        selfV = new Tensor[layers];
        crossK = cross.k;
        crossV = cross.v;
        for (int i = 0; i < layers; i++) {
            selfK[i] = Tensor.allocateUninitialized("decoder.cache.k" + i, DType.F32, textCtx, width);
            selfV[i] = Tensor.allocateUninitialized("decoder.cache.v" + i, DType.F32, textCtx, width);
        }
    }

    /** A new state over the same audio (cross-attention keys/values shared, not copied) with a copy of this cache. */
    public DecoderState fork() {
        if (closed) throw new IllegalStateException("decoder state is closed");
        cross.retain();
        DecoderState f = new DecoderState(selfK.length, (int) selfK[0].dim(0), (int) selfK[0].dim(1), cross);
        f.copyCacheFrom(this);
        return f;
    }

    /** Tokens already in the cache. */
    public int length() {
        return length;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
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
        if (other.crossK != crossK) throw new IllegalArgumentException("decoder states belong to different audio");
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
        if (closed) return;
        closed = true;
        for (Tensor t : selfK) t.close();
        for (Tensor t : selfV) t.close();
        cross.release();
    }
}
