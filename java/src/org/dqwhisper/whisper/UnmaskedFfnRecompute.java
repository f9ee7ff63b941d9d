package org.dqwhisper.whisper;

import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Mlp;
import org.dqwhisper.nn.MultiHeadAttention;
import org.dqwhisper.nn.Workspace;
import org.dqwhisper.tensor.Tensor;

/**
 * The DQ-Whisper authors' hidden-state path of one decoder block (method note §2.1), recomputed beside the
 * causal training forward: from the block's input x (the residual stream of the causal pass, [B, T, d])
 * <pre>
 *   h1  = x + SelfAttn(attn_ln(x))          without the causal mask
 *   h1 += CrossAttn(cross_attn_ln(h1), audio)
 *   act = GELU(fc1(mlp_ln(h1)))             [B·T, 4d], read through {@link #ffn()}
 * </pre>
 * It only feeds a distillation loss: the logits and the residual stream stay those of the causal pass. The
 * {@link #backward} takes the gradient added to {@code ffn()} back through this path, accumulating the
 * gradients of the block parameters it uses and adding the gradient of x (which the caller then carries through
 * the earlier, causal blocks) and of the audio features.
 */
final class UnmaskedFfnRecompute implements AutoCloseable {
    private final ResidualAttentionBlock block;
    private final Tensor x; // owned by the causal pass's block activations
    private final Workspace.Scope scope = Workspace.scope();
    private final Tensor attnH;
    private final Tensor h1; // after the unmasked self-attention
    private final Tensor crossH;
    private final Tensor mlpIn; // after the cross-attention
    private final Tensor mlpH;
    private LayerNorm.Stats attnStats;
    private MultiHeadAttention.Activations attnAct;
    private LayerNorm.Stats crossStats;
    private MultiHeadAttention.Activations crossAct;
    private LayerNorm.Stats mlpStats;
    private Mlp.Activations mlpAct;

    /** Runs the path on block input x [B, T, d] and audio [B, Ta, d] (both must stay open until {@link #close}). */
    UnmaskedFfnRecompute(ResidualAttentionBlock block, Tensor x, Tensor audio) {
        if (block.crossAttn == null) throw new IllegalArgumentException("the unmasked FFN recompute is for decoder blocks");
        this.block = block;
        this.x = x;
        try {
            attnH = scope.take("unmasked.attn_h", x.shape());
            h1 = scope.take("unmasked.h1", x.shape());
            crossH = scope.take("unmasked.cross_h", x.shape());
            mlpIn = scope.take("unmasked.mlp_in", x.shape());
            mlpH = scope.take("unmasked.mlp_h", x.shape());
            attnStats = block.attnLn.forwardTrain(x, attnH);
            h1.copyFrom(x);
            attnAct = block.attn.forwardTrain(attnH, attnH, false, h1);
            crossStats = block.crossAttnLn.forwardTrain(h1, crossH);
            mlpIn.copyFrom(h1);
            crossAct = block.crossAttn.forwardTrain(crossH, audio, false, mlpIn);
            mlpStats = block.mlpLn.forwardTrain(mlpIn, mlpH);
            mlpAct = block.mlp.forwardTrainHidden(mlpH);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The recomputed post-GELU fc1 output [B·T, 4d]; a loss adds its gradient with {@link Mlp.Activations#addActivationGrad}. */
    Mlp.Activations ffn() {
        return mlpAct;
    }

    /**
     * Backward of the path for the gradient added to {@link #ffn()} (nothing when none was added): parameter
     * gradients accumulated, {@code dx += ∂/∂x} ([B, T, d]), {@code dAudio += ∂/∂audio} unless dAudio is null.
     */
    void backward(Tensor audio, Tensor dx, Tensor dAudio) {
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor dMlpH = s.take("unmasked.dmlp_h", mlpH.shape());
            if (!block.mlp.backwardHidden(mlpAct, mlpH, dMlpH)) return;
            Tensor dH = s.takeZeroed("unmasked.dh", x.shape());
            block.mlpLn.backward(mlpIn, mlpStats, dMlpH, dH); // dH = ∂/∂mlpIn
            Tensor dCrossH = s.take("unmasked.dcross_h", x.shape());
            block.crossAttn.backward(crossAct, crossH, audio, false, dH, dCrossH, dAudio);
            block.crossAttnLn.backward(h1, crossStats, dCrossH, dH); // dH = ∂/∂h1
            Tensor dAttnH = s.take("unmasked.dattn_h", x.shape());
            block.attn.backward(attnAct, attnH, attnH, false, dH, dAttnH, dAttnH);
            block.attnLn.backward(x, attnStats, dAttnH, dH); // dH = ∂/∂x
            NnKernels.addInto(dx, dH);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {attnStats, attnAct, crossStats, crossAct, mlpStats, mlpAct, scope}) {
            if (c == null) continue;
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
