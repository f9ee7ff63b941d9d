package org.dqwhisper.whisper;

import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Whisper's text decoder: token + learned positional embeddings, causal pre-LN blocks with
 * cross-attention, final LayerNorm, logits tied to the token embedding ({@code x · Eᵀ}).
 */
public final class TextDecoder implements AutoCloseable {
    final Tensor tokenEmbedding; // [n_vocab, d]
    final Tensor positionalEmbedding; // [n_text_ctx, d]
    final ResidualAttentionBlock[] blocks;
    final LayerNorm ln;
    final Linear logitsProjection; // weight = tokenEmbedding (shared), no bias

    TextDecoder(Tensor tokenEmbedding, Tensor positionalEmbedding, ResidualAttentionBlock[] blocks, LayerNorm ln) {
        this.tokenEmbedding = tokenEmbedding;
        this.positionalEmbedding = positionalEmbedding;
        this.blocks = blocks;
        this.ln = ln;
        this.logitsProjection = new Linear("decoder.token_embedding(logits)", tokenEmbedding, null);
    }

    public int nVocab() {
        return (int) tokenEmbedding.dim(0);
    }

    public int nCtx() {
        return (int) positionalEmbedding.dim(0);
    }

    public int width() {
        return (int) tokenEmbedding.dim(1);
    }

    public ResidualAttentionBlock[] blocks() {
        return blocks;
    }

    void prepare(Precision p) {
        for (ResidualAttentionBlock b : blocks) b.prepare(p);
        logitsProjection.prepare(p);
    }

    /** Computes every layer's cross-attention keys and values from the encoder output [n_audio_ctx, d]. */
    void projectAudio(Tensor audio, Tensor[] crossK, Tensor[] crossV, Precision p) {
        for (int i = 0; i < blocks.length; i++) {
            blocks[i].crossAttn.projectKeyValue(audio, crossK[i], crossV[i], p);
        }
    }

    /**
     * Runs new tokens through the decoder at positions {@code state.length()..}, appends their keys and
     * values to the cache and returns their logits [T, n_vocab] (a new tensor).
     */
    Tensor forward(DecoderState state, int[] tokens, Precision p) {
        int t = tokens.length;
        int offset = state.length();
        if (t == 0) throw new IllegalArgumentException("no tokens to decode");
        if (offset + t > nCtx()) {
            throw new IllegalArgumentException("decoder context overflow: " + offset + " cached + " + t + " new tokens > n_text_ctx " + nCtx());
        }
        int v = nVocab();
        for (int i = 0; i < t; i++) {
            if (tokens[i] < 0 || tokens[i] >= v) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at position " + i + " outside the vocabulary [0, " + v + ")");
            }
        }
        Tensor logits = Tensor.allocate("logits", DType.F32, t, v);
        try (Tensor ids = Tensor.of(tokens, t);
                Tensor x = Tensor.allocate("decoder.x", DType.F32, t, width())) {
            NnKernels.embeddingLookup(tokenEmbedding, ids, x);
            NnKernels.addInto(x, positionalEmbedding.rows(offset, offset + t));
            for (int i = 0; i < blocks.length; i++) {
                blocks[i].forwardDecoder(x, state.selfK[i], state.selfV[i], offset, state.crossK[i], state.crossV[i], p);
            }
            ln.forward(x, x);
            logitsProjection.forward(x, logits, false, p);
            state.advance(t);
            return logits;
        } catch (RuntimeException e) {
            logits.close();
            throw e;
        }
    }

    @Override
    public void close() {
        logitsProjection.close(); // closes tokenEmbedding too
        positionalEmbedding.close();
        for (ResidualAttentionBlock b : blocks) b.close();
        ln.close();
    }
}
