package org.dqwhisper.whisper;

import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Whisper's audio encoder: {@code GELU(conv1(mel))}, {@code GELU(conv2(·))} (stride 2), plus the
 * positional embedding stored in the checkpoint, pre-LN blocks, {@code ln_post}. The two convolutions
 * run as im2col + the FP32 GEMM (their weights [d, c_in, 3] are Linear weights [d, c_in·3]); they stay
 * FP32 in INT8 mode (small, and the first layer is the most precision-sensitive).
 */
public final class AudioEncoder implements AutoCloseable {
    final Linear conv1;
    final Linear conv2;
    final Tensor positionalEmbedding; // [n_audio_ctx, d]
    final ResidualAttentionBlock[] blocks;
    final LayerNorm lnPost;
    private final int nMels;
    private final int nCtx;
    private final int width;

    AudioEncoder(Linear conv1, Linear conv2, Tensor positionalEmbedding, ResidualAttentionBlock[] blocks, LayerNorm lnPost) {
        this.conv1 = conv1;
        this.conv2 = conv2;
        this.positionalEmbedding = positionalEmbedding;
        this.blocks = blocks;
        this.lnPost = lnPost;
        this.width = conv1.out();
        this.nMels = conv1.in() / 3;
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

    void prepare(Precision p) {
        conv1.prepare(Precision.FP32);
        conv2.prepare(Precision.FP32);
        for (ResidualAttentionBlock b : blocks) b.prepare(p);
    }

    /** mel [n_mels, 2·n_audio_ctx] → encoder output [n_audio_ctx, d] (a new tensor). */
    public Tensor forward(Tensor mel, Precision p) {
        mel.requireShape(DType.F32, nMels, nFrames());
        int frames = nFrames();
        Tensor x = Tensor.allocate("encoder.output", DType.F32, nCtx, width);
        try (Tensor melT = Tensor.allocate("mel.T", DType.F32, frames, nMels);
                Tensor cols1 = Tensor.allocate("conv1.cols", DType.F32, frames, nMels * 3L);
                Tensor h1 = Tensor.allocate("conv1.out", DType.F32, frames, width);
                Tensor cols2 = Tensor.allocate("conv2.cols", DType.F32, nCtx, width * 3L)) {
            NnKernels.transpose2d(mel, melT);
            NnKernels.im2col1d(melT, 3, 1, 1, cols1);
            conv1.forward(cols1, h1, true, Precision.FP32);
            NnKernels.im2col1d(h1, 3, 2, 1, cols2);
            conv2.forward(cols2, x, true, Precision.FP32);
            NnKernels.addInto(x, positionalEmbedding);
            for (ResidualAttentionBlock b : blocks) b.forwardEncoder(x, p);
            lnPost.forward(x, x);
            return x;
        } catch (RuntimeException e) {
            x.close();
            throw e;
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
