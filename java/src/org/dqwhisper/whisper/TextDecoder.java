package org.dqwhisper.whisper;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.nn.Workspace;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Whisper's text decoder: token + learned positional embeddings, causal pre-LN blocks with
 * cross-attention, final LayerNorm, logits tied to the token embedding ({@code x · Eᵀ}). In training
 * both uses of the token embedding (lookup and logits) add into its one gradient.
 */
public final class TextDecoder implements AutoCloseable {
    final Parameter tokenEmbedding; // [n_vocab, d]
    final Parameter positionalEmbedding; // [n_text_ctx, d]
    final ResidualAttentionBlock[] blocks;
    final LayerNorm ln;
    final Linear logitsProjection; // weight = tokenEmbedding (shared), no bias

    /** What the backward needs from one training forward; {@link #logits()} [B·T, n_vocab]. */
    static final class Activations implements AutoCloseable {
        private final Workspace.Scope scope = Workspace.scope();
        Tensor ids; // S32 [B, T]
        final ResidualAttentionBlock.Activations[] blocks;
        Tensor lnIn; // [B, T, d]
        LayerNorm.Stats lnStats;
        Tensor lnOut; // [B, T, d]
        Tensor logits; // [B·T, V]

        Activations(int layers) {
            blocks = new ResidualAttentionBlock.Activations[layers];
        }

        Tensor logits() {
            return logits;
        }

        @Override
        public void close() {
            for (AutoCloseable c : new AutoCloseable[] {ids, lnStats}) close(c);
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

    TextDecoder(Tensor tokenEmbedding, Tensor positionalEmbedding, ResidualAttentionBlock[] blocks, LayerNorm ln) {
        tokenEmbedding.requireShape(DType.F32, -1, -1);
        positionalEmbedding.requireShape(DType.F32, -1, tokenEmbedding.dim(1));
        this.tokenEmbedding = new Parameter("decoder.token_embedding.weight", tokenEmbedding);
        this.positionalEmbedding = new Parameter("decoder.positional_embedding", positionalEmbedding);
        this.blocks = blocks;
        this.ln = ln;
        this.logitsProjection = new Linear("decoder.token_embedding(logits)", this.tokenEmbedding, null);
    }

    public int nVocab() {
        return (int) tokenEmbedding.value().dim(0);
    }

    public int nCtx() {
        return (int) positionalEmbedding.value().dim(0);
    }

    public int width() {
        return (int) tokenEmbedding.value().dim(1);
    }

    public ResidualAttentionBlock[] blocks() {
        return blocks;
    }

    void prepare(Precision p) {
        for (ResidualAttentionBlock b : blocks) b.prepare(p);
        logitsProjection.prepare(p);
    }

    void invalidate() {
        for (ResidualAttentionBlock b : blocks) b.invalidate();
        logitsProjection.invalidate();
    }

    /** Parameters in OpenAI state_dict order: token and positional embeddings, blocks, ln. */
    public void collectParameters(List<Parameter> out) {
        out.add(tokenEmbedding);
        out.add(positionalEmbedding);
        for (ResidualAttentionBlock b : blocks) b.collectParameters(out);
        ln.collectParameters(out);
    }

    public void setRequiresGrad(boolean requiresGrad) {
        tokenEmbedding.setRequiresGrad(requiresGrad);
        positionalEmbedding.setRequiresGrad(requiresGrad);
        for (ResidualAttentionBlock b : blocks) b.setRequiresGrad(requiresGrad);
        ln.setRequiresGrad(requiresGrad);
    }

    /** Computes every layer's cross-attention keys and values from the encoder output [n_audio_ctx, d]. */
    void projectAudio(Tensor audio, Tensor[] crossK, Tensor[] crossV, Precision p) {
        for (int i = 0; i < blocks.length; i++) {
            blocks[i].crossAttn.projectKeyValue(audio, crossK[i], crossV[i], p);
        }
    }

    private void checkTokens(int[] tokens, int offset, String where) {
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens to decode" + where);
        if (offset + tokens.length > nCtx()) {
            throw new IllegalArgumentException("decoder context overflow" + where + ": " + offset + " cached + " + tokens.length
                    + " new tokens > n_text_ctx " + nCtx());
        }
        int v = nVocab();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= v) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at position " + i + where + " outside the vocabulary [0, " + v + ")");
            }
        }
    }

    /**
     * Runs new tokens through the decoder at positions {@code state.length()..}, appends their keys and
     * values to the cache and returns their logits [T, n_vocab] (a new tensor).
     */
    Tensor forward(DecoderState state, int[] tokens, Precision p) {
        int t = tokens.length;
        int offset = state.length();
        checkTokens(tokens, offset, "");
        Tensor logits = Tensor.allocateUninitialized("logits", DType.F32, t, nVocab());
        try (Tensor ids = Tensor.of(tokens, t);
                Tensor x = Tensor.allocateUninitialized("decoder.x", DType.F32, t, width())) {
            NnKernels.embeddingLookup(tokenEmbedding.value(), ids, x);
            NnKernels.addPositional(x, positionalEmbedding.value(), offset);
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

    /**
     * Lock-step forward of several decoder states at once: feeds {@code tokens[i]} to {@code states[i]} (positions
     * {@code states[i].length() ..}, appended to its cache) and returns, for each state, the logits of the rows
     * {@code rows[i]} (indices into {@code tokens[i]}) as {@code [i][r][n_vocab]}. The embeddings, LayerNorms and
     * every Linear (q/k/v/out, MLP, logits) run once over the rows of all states, the attention per state over its
     * own cache and audio; the logits are computed only for the requested rows. Row for row this gives the same
     * numbers as {@link #forward} on each state alone (the kernels compute each row independently).
     */
    float[][][] forwardBatch(DecoderState[] states, int[][] tokens, int[][] rows, Precision p) {
        int n = states.length;
        if (n == 0) throw new IllegalArgumentException("no decoder states to feed");
        if (tokens.length != n || rows.length != n) {
            throw new IllegalArgumentException(n + " decoder states need as many token and row lists, got " + tokens.length
                    + " and " + rows.length);
        }
        int[] rowStart = new int[n + 1];
        int[] offsets = new int[n];
        int selected = 0;
        Set<DecoderState> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < n; i++) {
            DecoderState s = states[i];
            if (s == null || s.isClosed()) throw new IllegalStateException("decoder state " + i + " is " + (s == null ? "null" : "closed"));
            if (!seen.add(s)) throw new IllegalArgumentException("decoder state " + i + " appears twice in one batch");
            if (s.crossK.length != blocks.length) throw new IllegalArgumentException("decoder state " + i + " belongs to another model");
            offsets[i] = s.length();
            checkTokens(tokens[i], offsets[i], " in sequence " + i);
            for (int j = 0; j < rows[i].length; j++) {
                if (rows[i][j] < 0 || rows[i][j] >= tokens[i].length || (j > 0 && rows[i][j] <= rows[i][j - 1])) {
                    throw new IllegalArgumentException("sequence " + i + ": logit rows " + Arrays.toString(rows[i])
                            + " must ascend within the " + tokens[i].length + " fed tokens");
                }
            }
            rowStart[i + 1] = rowStart[i] + tokens[i].length;
            selected += rows[i].length;
        }
        int total = rowStart[n];
        int[] flat = new int[total];
        for (int i = 0; i < n; i++) System.arraycopy(tokens[i], 0, flat, rowStart[i], tokens[i].length);
        int d = width();
        int vocab = nVocab();
        float[][][] out = new float[n][][];
        try (Tensor ids = Tensor.of(flat, total);
                Tensor x = Tensor.allocateUninitialized("decoder.x", DType.F32, total, d)) {
            NnKernels.embeddingLookup(tokenEmbedding.value(), ids, x);
            for (int i = 0; i < n; i++) NnKernels.addPositional(x.rows(rowStart[i], rowStart[i + 1]), positionalEmbedding.value(), offsets[i]);
            for (int layer = 0; layer < blocks.length; layer++) blocks[layer].forwardDecoderBatch(x, states, layer, rowStart, offsets, p);
            for (int i = 0; i < n; i++) out[i] = new float[rows[i].length][];
            if (selected > 0) {
                try (Tensor h = Tensor.allocateUninitialized("decoder.selected", DType.F32, selected, d);
                        Tensor logits = Tensor.allocateUninitialized("logits", DType.F32, selected, vocab)) {
                    int at = 0;
                    for (int i = 0; i < n; i++) {
                        for (int row : rows[i]) {
                            int src = rowStart[i] + row;
                            h.rows(at, at + 1).copyFrom(x.rows(src, src + 1));
                            at++;
                        }
                    }
                    ln.forward(h, h);
                    logitsProjection.forward(h, logits, false, p);
                    // one Java array per row: a single [selected x vocab] array (1.7 MB for 8 rows) would be a humongous
                    // G1 allocation at every step, page-faulted and zeroed outside the young generation
                    at = 0;
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < rows[i].length; j++, at++) out[i][j] = logits.rows(at, at + 1).toFloatArray();
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) states[i].advance(tokens[i].length);
        return out;
    }

    /**
     * Training forward (FP32, teacher forcing): tokens [B][T] (all rows of one length, positions 0..T-1,
     * causal) over audio [B, Ta, d]; the logits [B·T, n_vocab] are {@code activations.logits()}.
     */
    Activations forwardTrain(int[][] tokens, Tensor audio) {
        int b = tokens.length;
        if (b == 0) throw new IllegalArgumentException("empty token batch");
        int t = tokens[0].length;
        int[] flat = new int[b * t];
        for (int i = 0; i < b; i++) {
            if (tokens[i].length != t) {
                throw new IllegalArgumentException("token rows differ in length: row 0 has " + t + ", row " + i + " has " + tokens[i].length
                        + " (pad the batch)");
            }
            checkTokens(tokens[i], 0, " in row " + i);
            System.arraycopy(tokens[i], 0, flat, i * t, t);
        }
        if (audio.rank() != 3 || audio.dim(0) != b || audio.dim(2) != width()) {
            throw new IllegalArgumentException("decoder: audio features " + audio.describe() + " must be [" + b + ", T, " + width() + "]");
        }
        Activations a = new Activations(blocks.length);
        try {
            a.ids = Tensor.of(flat, b, t);
            Tensor x = a.scope.take("decoder.x", b, t, width());
            a.lnIn = x;
            NnKernels.embeddingLookup(tokenEmbedding.value(), a.ids, x);
            NnKernels.addPositional(x, positionalEmbedding.value(), 0);
            for (int i = 0; i < blocks.length; i++) a.blocks[i] = blocks[i].forwardTrain(x, audio);
            a.lnOut = a.scope.take("decoder.ln_out", b, t, width());
            a.lnStats = ln.forwardTrain(x, a.lnOut);
            a.logits = a.scope.take("logits", (long) b * t, nVocab());
            logitsProjection.forward(a.lnOut, a.logits, false, Precision.FP32);
            return a;
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /**
     * Backward of {@link #forwardTrain}: dLogits [B·T, n_vocab] (read only) gives the decoder's parameter
     * gradients and adds the gradient of the audio features into {@code dAudio} unless it is null.
     */
    void backward(Activations a, Tensor audio, Tensor dLogits, Tensor dAudio) {
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor dh = s.take("decoder.dh", a.lnOut.shape());
            Tensor dx = s.takeZeroed("decoder.dx", a.lnOut.shape());
            logitsProjection.backward(a.lnOut, dLogits, dh, false);
            ln.backward(a.lnIn, a.lnStats, dh, dx);
            for (int i = blocks.length - 1; i >= 0; i--) {
                blocks[i].backward(a.blocks[i], audio, dx, dAudio);
                if (a.blocks[i].unmasked != null) a.blocks[i].unmasked.backward(audio, dx, dAudio); // dx: ∂/∂(block input)
                a.blocks[i].close();
                a.blocks[i] = null;
            }
            if (tokenEmbedding.requiresGrad()) NnKernels.embeddingBackward(dx, a.ids, tokenEmbedding.grad());
            if (positionalEmbedding.requiresGrad()) NnKernels.addPositionalBackward(dx, positionalEmbedding.grad(), 0);
        }
    }

    @Override
    public void close() {
        logitsProjection.close(); // closes the token embedding too
        positionalEmbedding.close();
        for (ResidualAttentionBlock b : blocks) b.close();
        ln.close();
    }
}
