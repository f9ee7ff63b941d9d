package org.dqwhisper.whisper;

import java.util.List;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Mlp;
import org.dqwhisper.nn.MultiHeadAttention;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.nn.Workspace;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * One pre-LN transformer block: {@code x += attn(attn_ln(x))}; decoder blocks also
 * {@code x += cross_attn(cross_attn_ln(x), audio)}; then {@code x += mlp(mlp_ln(x))}.
 *
 * <p>Training ({@link #forwardTrain}/{@link #backward}) runs a batch [B, T, d] in FP32 and keeps the
 * residual stream at each LayerNorm input plus each sub-module's own activations.
 */
public final class ResidualAttentionBlock implements AutoCloseable {
    final LayerNorm attnLn;
    final MultiHeadAttention attn;
    final LayerNorm crossAttnLn; // null in encoder blocks
    final MultiHeadAttention crossAttn;
    final LayerNorm mlpLn;
    final Mlp mlp;

    /** What the backward needs from one training forward. */
    static final class Activations implements AutoCloseable {
        private final Workspace.Scope scope = Workspace.scope();
        final Tensor attnIn; // residual stream entering attn_ln [B,T,d]
        final Tensor attnH; // attn_ln output
        LayerNorm.Stats attnStats;
        MultiHeadAttention.Activations attnAct;
        Tensor crossIn;
        Tensor crossH;
        LayerNorm.Stats crossStats;
        MultiHeadAttention.Activations crossAct;
        final Tensor mlpIn;
        final Tensor mlpH;
        LayerNorm.Stats mlpStats;
        Mlp.Activations mlpAct;
        UnmaskedFfnRecompute unmasked; // decoder blocks, on request: the authors' unmasked hidden path

        Activations(long[] shape, boolean cross) {
            attnIn = scope.take("block.attn_in", shape);
            attnH = scope.take("block.attn_h", shape);
            if (cross) {
                crossIn = scope.take("block.cross_in", shape);
                crossH = scope.take("block.cross_h", shape);
            }
            mlpIn = scope.take("block.mlp_in", shape);
            mlpH = scope.take("block.mlp_h", shape);
        }

        @Override
        public void close() {
            for (AutoCloseable c : new AutoCloseable[] {unmasked, attnStats, attnAct, crossStats, crossAct, mlpStats, mlpAct, scope}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
    }

    ResidualAttentionBlock(LayerNorm attnLn, MultiHeadAttention attn, LayerNorm crossAttnLn, MultiHeadAttention crossAttn,
            LayerNorm mlpLn, Mlp mlp) {
        this.attnLn = attnLn;
        this.attn = attn;
        this.crossAttnLn = crossAttnLn;
        this.crossAttn = crossAttn;
        this.mlpLn = mlpLn;
        this.mlp = mlp;
    }

    public MultiHeadAttention attention() {
        return attn;
    }

    public MultiHeadAttention crossAttention() {
        return crossAttn;
    }

    public Mlp mlp() {
        return mlp;
    }

    void prepare(Precision p) {
        attn.prepare(p);
        if (crossAttn != null) crossAttn.prepare(p);
        mlp.prepare(p);
    }

    void invalidate() {
        attn.invalidate();
        if (crossAttn != null) crossAttn.invalidate();
        mlp.invalidate();
    }

    /** Parameters in OpenAI state_dict order: attn, attn_ln, cross_attn, cross_attn_ln, mlp, mlp_ln. */
    void collectParameters(List<Parameter> out) {
        attn.collectParameters(out);
        attnLn.collectParameters(out);
        if (crossAttn != null) {
            crossAttn.collectParameters(out);
            crossAttnLn.collectParameters(out);
        }
        mlp.collectParameters(out);
        mlpLn.collectParameters(out);
    }

    void setRequiresGrad(boolean requiresGrad) {
        attn.setRequiresGrad(requiresGrad);
        attnLn.setRequiresGrad(requiresGrad);
        if (crossAttn != null) {
            crossAttn.setRequiresGrad(requiresGrad);
            crossAttnLn.setRequiresGrad(requiresGrad);
        }
        mlp.setRequiresGrad(requiresGrad);
        mlpLn.setRequiresGrad(requiresGrad);
    }

    /** Encoder block over whole sequences x [T, d] or [B, T, d] (updated in place). */
    void forwardEncoder(Tensor x, Precision p) {
        try (Tensor h = Tensor.allocateUninitialized("block.h", DType.F32, x.shape());
                Tensor k = Tensor.allocateUninitialized("block.k", DType.F32, x.shape());
                Tensor v = Tensor.allocateUninitialized("block.v", DType.F32, x.shape())) {
            attnLn.forward(x, h);
            attn.projectKeyValue(h, k, v, p);
            attn.attendInto(h, k, v, -1, x, p);
            mlpLn.forward(x, h);
            mlp.forwardInto(h, x, p);
        }
    }

    /**
     * Decoder block for new tokens x [T, d] at positions offset..offset+T-1: writes their keys and
     * values into rows offset.. of the self-attention cache, attends causally over the cache, then over
     * the audio keys/values.
     */
    void forwardDecoder(Tensor x, Tensor selfK, Tensor selfV, int offset, Tensor crossK, Tensor crossV, Precision p) {
        long t = x.dim(0);
        try (Tensor h = Tensor.allocateUninitialized("block.h", DType.F32, t, x.dim(1))) {
            attnLn.forward(x, h);
            attn.projectKeyValue(h, selfK.rows(offset, offset + t), selfV.rows(offset, offset + t), p);
            attn.attendInto(h, selfK.rows(0, offset + t), selfV.rows(0, offset + t), offset, x, p);
            crossAttnLn.forward(x, h);
            crossAttn.attendInto(h, crossK, crossV, -1, x, p);
            mlpLn.forward(x, h);
            mlp.forwardInto(h, x, p);
        }
    }

    /**
     * Lock-step decoder block for several sequences: x [R, d] holds each sequence's new tokens back to back
     * (sequence i at rows {@code rowStart[i] ..}, positions {@code offsets[i] ..} of its own cache). The LayerNorms,
     * the q/k/v/out projections and the MLP run once over all R rows; each sequence's keys and values go into
     * its own cache and it attends over that cache and its own audio. Row for row the numbers of
     * {@link #forwardDecoder} on each sequence alone.
     */
    void forwardDecoderBatch(Tensor x, DecoderState[] states, int layer, int[] rowStart, int[] offsets, Precision p) {
        int n = states.length;
        long r = x.dim(0);
        Tensor[] keys = new Tensor[n];
        Tensor[] values = new Tensor[n];
        Tensor[] crossKeys = new Tensor[n];
        Tensor[] crossValues = new Tensor[n];
        long[] causal = new long[n];
        long[] noMask = new long[n];
        try (Tensor h = Tensor.allocateUninitialized("block.h", DType.F32, r, x.dim(1));
                Tensor k = Tensor.allocateUninitialized("block.k", DType.F32, r, x.dim(1));
                Tensor v = Tensor.allocateUninitialized("block.v", DType.F32, r, x.dim(1))) {
            attnLn.forward(x, h);
            attn.projectKeyValue(h, k, v, p);
            for (int i = 0; i < n; i++) {
                DecoderState s = states[i];
                int t = rowStart[i + 1] - rowStart[i];
                s.selfK[layer].rows(offsets[i], offsets[i] + t).copyFrom(k.rows(rowStart[i], rowStart[i + 1]));
                s.selfV[layer].rows(offsets[i], offsets[i] + t).copyFrom(v.rows(rowStart[i], rowStart[i + 1]));
                keys[i] = s.selfK[layer].rows(0, offsets[i] + t);
                values[i] = s.selfV[layer].rows(0, offsets[i] + t);
                crossKeys[i] = s.crossK[layer];
                crossValues[i] = s.crossV[layer];
                causal[i] = offsets[i];
                noMask[i] = -1;
            }
            attn.attendRaggedInto(h, keys, values, rowStart, causal, x, p);
            crossAttnLn.forward(x, h);
            crossAttn.attendRaggedInto(h, crossKeys, crossValues, rowStart, noMask, x, p);
            mlpLn.forward(x, h);
            mlp.forwardInto(h, x, p);
        }
    }

    /**
     * Training forward over a batch x [B, T, d] (updated in place): encoder blocks attend without a
     * mask; decoder blocks ({@code audio} [B, Ta, d] non-null) causally, then over the audio.
     */
    Activations forwardTrain(Tensor x, Tensor audio) {
        boolean decoder = crossAttn != null;
        if (decoder != (audio != null)) {
            throw new IllegalArgumentException(decoder ? "a decoder block needs the audio features" : "an encoder block takes no audio");
        }
        Activations a = new Activations(x.shape(), decoder);
        try {
            a.attnIn.copyFrom(x);
            a.attnStats = attnLn.forwardTrain(x, a.attnH);
            a.attnAct = attn.forwardTrain(a.attnH, a.attnH, decoder, x);
            if (decoder) {
                a.crossIn.copyFrom(x);
                a.crossStats = crossAttnLn.forwardTrain(x, a.crossH);
                a.crossAct = crossAttn.forwardTrain(a.crossH, audio, false, x);
            }
            a.mlpIn.copyFrom(x);
            a.mlpStats = mlpLn.forwardTrain(x, a.mlpH);
            a.mlpAct = mlp.forwardTrain(a.mlpH, x);
            return a;
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /**
     * Backward of {@link #forwardTrain}: {@code dx} [B, T, d] holds the gradient of the block output
     * and is turned into the gradient of its input; the audio gradient is added into {@code dAudio}
     * unless it is null (frozen encoder).
     */
    void backward(Activations a, Tensor audio, Tensor dx, Tensor dAudio) {
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor dh = s.take("block.dh", dx.shape());
            mlp.backward(a.mlpAct, a.mlpH, dx, dh);
            mlpLn.backward(a.mlpIn, a.mlpStats, dh, dx);
            if (crossAttn != null) {
                crossAttn.backward(a.crossAct, a.crossH, audio, false, dx, dh, dAudio);
                crossAttnLn.backward(a.crossIn, a.crossStats, dh, dx);
            }
            attn.backward(a.attnAct, a.attnH, a.attnH, crossAttn != null, dx, dh, dh);
            attnLn.backward(a.attnIn, a.attnStats, dh, dx);
        }
    }

    @Override
    public void close() {
        attnLn.close();
        attn.close();
        if (crossAttn != null) {
            crossAttnLn.close();
            crossAttn.close();
        }
        mlpLn.close();
        mlp.close();
    }
}
