package org.dqwhisper.whisper;

import java.util.ArrayList;
import java.util.List;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.Conv1d;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.nn.Workspace;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Whisper's audio encoder: {@code GELU(conv1(mel))}, {@code GELU(conv2(·))} (stride 2), plus the
 * sinusoidal positional embedding stored in the checkpoint (a fixed buffer, never trained), pre-LN
 * blocks, {@code ln_post}. The convolutions run as im2col + one GEMM, in the model's precision (INT8 too).
 * Mel input is channel-major [n_mels, frames] (or a batch [B, n_mels, frames]); it is transposed to
 * time-major for the convolutions.
 */
public final class AudioEncoder implements AutoCloseable {
    final Conv1d conv1;
    final Conv1d conv2;
    final Tensor positionalEmbedding; // [n_audio_ctx, d], a buffer
    final ResidualAttentionBlock[] blocks;
    final LayerNorm lnPost;
    private final int nMels;
    private final int nCtx;
    private final int width;

    /** What the backward needs from one training forward; {@link #output()} is the encoder output. */
    static final class Activations implements AutoCloseable {
        private final Workspace.Scope scope = Workspace.scope();
        Tensor melT; // [B, frames, n_mels]
        Tensor h1; // GELU(conv1) [B, frames, d]
        Conv1d.Activations conv1;
        Conv1d.Activations conv2;
        final ResidualAttentionBlock.Activations[] blocks;
        Tensor lnIn; // [B, T, d]
        LayerNorm.Stats lnStats;
        Tensor output; // [B, T, d]

        Activations(int layers) {
            blocks = new ResidualAttentionBlock.Activations[layers];
        }

        Tensor output() {
            return output;
        }

        @Override
        public void close() {
            for (AutoCloseable c : new AutoCloseable[] {conv1, conv2, lnStats}) close(c);
            for (AutoCloseable c : blocks) close(c);
            close(scope);
        }

        private static void close(AutoCloseable c) {
            if (c == null) return;
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    AudioEncoder(Conv1d conv1, Conv1d conv2, Tensor positionalEmbedding, ResidualAttentionBlock[] blocks, LayerNorm lnPost) {
        this.conv1 = conv1;
        this.conv2 = conv2;
        this.positionalEmbedding = positionalEmbedding;
        this.blocks = blocks;
        this.lnPost = lnPost;
        this.width = conv1.outChannels();
        this.nMels = conv1.inChannels();
        this.nCtx = (int) positionalEmbedding.dim(0);
    }

    public int nMels() {
        return nMels;
    }

    public int nCtx() {
        return nCtx;
    }

    /** Mel frames the encoder takes: 2 × n_audio_ctx (3000 for the official models). */
    public int nFrames() {
        return 2 * nCtx;
    }

    public int width() {
        return width;
    }

    public ResidualAttentionBlock[] blocks() {
        return blocks;
    }

    /** The fixed sinusoidal positional embedding [n_audio_ctx, d] (not a parameter). */
    public Tensor positionalEmbedding() {
        return positionalEmbedding;
    }

    void prepare(Precision p) {
        conv1.prepare(p);
        conv2.prepare(p);
        for (ResidualAttentionBlock b : blocks) b.prepare(p);
    }

    void invalidate() {
        conv1.invalidate();
        conv2.invalidate();
        for (ResidualAttentionBlock b : blocks) b.invalidate();
    }

    /** Trainable parameters in OpenAI state_dict order (the positional embedding is a buffer, not listed). */
    public void collectParameters(List<Parameter> out) {
        conv1.collectParameters(out);
        conv2.collectParameters(out);
        for (ResidualAttentionBlock b : blocks) b.collectParameters(out);
        lnPost.collectParameters(out);
    }

    /** Freezes ({@code false}) or unfreezes every encoder parameter; a frozen encoder keeps no activations in training. */
    public void setRequiresGrad(boolean requiresGrad) {
        conv1.setRequiresGrad(requiresGrad);
        conv2.setRequiresGrad(requiresGrad);
        for (ResidualAttentionBlock b : blocks) b.setRequiresGrad(requiresGrad);
        lnPost.setRequiresGrad(requiresGrad);
    }

    /** Whether any encoder parameter takes a gradient. */
    public boolean requiresGrad() {
        List<Parameter> ps = new ArrayList<>();
        collectParameters(ps);
        for (Parameter p : ps) if (p.requiresGrad()) return true;
        return false;
    }

    /**
     * mel [n_mels, 2·n_audio_ctx] → encoder output [n_audio_ctx, d], or a batch [B, n_mels, frames] →
     * [B, n_audio_ctx, d] (a new tensor). A batch runs window by window: each window's GEMMs already have
     * n_audio_ctx rows, so stacking windows gains nothing on the CPU, while it would multiply every activation
     * buffer by B (fresh, page-faulted memory for a batch of 30 s windows). The results are the same either way.
     */
    public Tensor forward(Tensor mel, Precision p) {
        boolean single = mel.rank() == 2;
        Tensor mel3 = single ? mel.reshape(1, mel.dim(0), mel.dim(1)) : mel;
        long b = checkMel(mel3);
        Tensor out = single ? Tensor.allocateUninitialized("encoder.output", DType.F32, nCtx, width)
                : Tensor.allocateUninitialized("encoder.output", DType.F32, b, nCtx, width);
        Tensor x = single ? out.reshape(1, nCtx, width) : out;
        try {
            for (long i = 0; i < b; i++) {
                try (Tensor melI = mel3.rows(i, i + 1); Tensor xI = x.rows(i, i + 1)) {
                    forwardWindow(melI, xI, p);
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** One window: mel [1, n_mels, frames] → x [1, n_audio_ctx, d]. */
    private void forwardWindow(Tensor mel, Tensor x, Precision p) {
        try (Tensor melT = Tensor.allocateUninitialized("mel.T", DType.F32, 1, nFrames(), nMels);
                Tensor h1 = Tensor.allocateUninitialized("conv1.out", DType.F32, 1, nFrames(), width)) {
            transposeMel(mel, melT);
            conv1.forward(melT, h1, p);
            conv2.forward(h1, x, p);
            NnKernels.addPositional(x, positionalEmbedding, 0);
            for (ResidualAttentionBlock blk : blocks) blk.forwardEncoder(x, p);
            lnPost.forward(x, x);
        }
    }

    /** Training forward (FP32) of a batch mel [B, n_mels, frames]; the output is {@code activations.output()}. */
    Activations forwardTrain(Tensor mel) {
        long b = checkMel(mel);
        Activations a = new Activations(blocks.length);
        try {
            a.melT = a.scope.take("mel.T", b, nFrames(), nMels);
            transposeMel(mel, a.melT);
            a.h1 = a.scope.take("conv1.out", b, nFrames(), width);
            a.conv1 = conv1.forwardTrain(a.melT, a.h1);
            Tensor x = a.scope.take("encoder.x", b, nCtx, width);
            a.lnIn = x;
            a.conv2 = conv2.forwardTrain(a.h1, x);
            NnKernels.addPositional(x, positionalEmbedding, 0);
            for (int i = 0; i < blocks.length; i++) a.blocks[i] = blocks[i].forwardTrain(x, null);
            a.output = a.scope.take("encoder.output", b, nCtx, width);
            a.lnStats = lnPost.forwardTrain(x, a.output);
            return a;
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /** Backward of {@link #forwardTrain}: dOutput [B, T, d] (consumed: overwritten) gives every parameter gradient. */
    void backward(Activations a, Tensor dOutput) {
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor dx = s.takeZeroed("encoder.dx", dOutput.shape());
            Tensor dh1 = s.take("conv1.dout", a.h1.shape());
            lnPost.backward(a.lnIn, a.lnStats, dOutput, dx);
            for (int i = blocks.length - 1; i >= 0; i--) {
                blocks[i].backward(a.blocks[i], null, dx, null);
                a.blocks[i].close();
                a.blocks[i] = null;
            }
            // the positional embedding is a buffer: no gradient
            conv2.backward(a.conv2, dx, dh1);
            conv1.backward(a.conv1, dh1, null);
        }
    }

    private long checkMel(Tensor mel) {
        if (mel.rank() != 3 || mel.dim(1) != nMels || mel.dim(2) != nFrames()) {
            throw new IllegalArgumentException("encoder: mel " + mel.describe() + " must be [" + nMels + ", " + nFrames() + "] or [B, " + nMels
                    + ", " + nFrames() + "] (n_mels, 2 x n_audio_ctx frames)");
        }
        mel.requireDType(DType.F32);
        return mel.dim(0);
    }

    /** mel [B, n_mels, frames] → time-major t [B, frames, n_mels]. */
    private void transposeMel(Tensor mel, Tensor t) {
        for (long i = 0; i < mel.dim(0); i++) {
            NnKernels.transpose2d(mel.rows(i, i + 1).reshape(nMels, nFrames()), t.rows(i, i + 1).reshape(nFrames(), nMels));
        }
    }

    @Override
    public void close() {
        conv1.close();
        conv2.close();
        positionalEmbedding.close();
        for (ResidualAttentionBlock b : blocks) b.close();
        lnPost.close();
    }
}
