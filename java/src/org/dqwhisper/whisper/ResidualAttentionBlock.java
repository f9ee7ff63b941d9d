package org.dqwhisper.whisper;

import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Mlp;
import org.dqwhisper.nn.MultiHeadAttention;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * One pre-LN transformer block: {@code x += attn(attn_ln(x))}; decoder blocks also
 * {@code x += cross_attn(cross_attn_ln(x), audio)}; then {@code x += mlp(mlp_ln(x))}.
 */
public final class ResidualAttentionBlock implements AutoCloseable {
    final LayerNorm attnLn;
    final MultiHeadAttention attn;
    final LayerNorm crossAttnLn; // null in encoder blocks
    final MultiHeadAttention crossAttn;
    final LayerNorm mlpLn;
    final Mlp mlp;

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

    /** Encoder block over the whole sequence x [T, d] (updated in place). */
    void forwardEncoder(Tensor x, Precision p) {
        long t = x.dim(0);
        try (Tensor h = Tensor.allocate("block.h", DType.F32, t, x.dim(1));
                Tensor k = Tensor.allocate("block.k", DType.F32, t, attn.width());
                Tensor v = Tensor.allocate("block.v", DType.F32, t, attn.width())) {
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
        try (Tensor h = Tensor.allocate("block.h", DType.F32, t, x.dim(1))) {
            attnLn.forward(x, h);
            attn.projectKeyValue(h, selfK.rows(offset, offset + t), selfV.rows(offset, offset + t), p);
            attn.attendInto(h, selfK.rows(0, offset + t), selfV.rows(0, offset + t), offset, x, p);
            crossAttnLn.forward(x, h);
            crossAttn.attendInto(h, crossK, crossV, -1, x, p);
            mlpLn.forward(x, h);
            mlp.forwardInto(h, x, p);
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
