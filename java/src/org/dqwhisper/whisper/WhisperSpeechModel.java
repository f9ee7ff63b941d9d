package org.dqwhisper.whisper;

import java.util.ArrayList;
import java.util.List;
import org.dqwhisper.decode.AlignmentHeads;
import org.dqwhisper.decode.AudioFeatures;
import org.dqwhisper.decode.DecoderSession;
import org.dqwhisper.decode.SpeechModel;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.kernels.NnKernels;

/**
 * The decoding stack's {@link SpeechModel} over a {@link WhisperModel}. Thread-safe: the model is
 * immutable; every {@link AudioFeatures} and {@link DecoderSession} belongs to one caller.
 */
public final class WhisperSpeechModel implements SpeechModel, AutoCloseable {
    private final WhisperModel model;
    private final WhisperTokenizer tokenizer;
    private final AlignmentHeads alignmentHeads;
    private final boolean ownsModel;

    /**
     * @param modelName an official name ("base", "large-v3", ...) selects OpenAI's alignment heads; null uses
     *     the checkpoint's own heads if it has them, else the last half of the decoder layers
     */
    public WhisperSpeechModel(WhisperModel model, String modelName, boolean ownsModel) {
        this.model = model;
        this.ownsModel = ownsModel;
        WhisperConfig c = model.config();
        this.tokenizer = WhisperTokenizer.forVocabSize(c.nVocab());
        if (modelName != null && AlignmentHeads.isKnownModel(modelName)) {
            alignmentHeads = AlignmentHeads.forModel(modelName);
        } else if (!c.alignmentHeads().isEmpty()) {
            List<int[]> h = new ArrayList<>();
            for (WhisperConfig.AlignmentHead a : c.alignmentHeads()) h.add(new int[] {a.layer(), a.head()});
            alignmentHeads = new AlignmentHeads(c.nTextLayer(), c.nTextHead(), h);
        } else {
            alignmentHeads = AlignmentHeads.lastHalf(c.nTextLayer(), c.nTextHead());
        }
    }

    public WhisperModel model() {
        return model;
    }

    @Override
    public WhisperTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int nTextCtx() {
        return model.config().nTextCtx();
    }

    @Override
    public int nAudioCtx() {
        return model.config().nAudioCtx();
    }

    @Override
    public int nMels() {
        return model.config().nMels();
    }

    @Override
    public int nTextLayer() {
        return model.config().nTextLayer();
    }

    @Override
    public int nTextHead() {
        return model.config().nTextHead();
    }

    @Override
    public AlignmentHeads alignmentHeads() {
        return alignmentHeads;
    }

    @Override
    public AudioFeatures encode(float[] mel) {
        int frames = model.encoder().nFrames();
        if (mel.length != (long) nMels() * frames) {
            throw new IllegalArgumentException("mel has " + mel.length + " values, the model needs " + nMels() + " x " + frames);
        }
        try (Tensor m = Tensor.of(mel, nMels(), frames)) {
            return new Features(model.encode(m));
        }
    }

    /** One encoder call over all windows ({@code [B, n_mels, frames]}); each window's output is copied out. */
    @Override
    public List<AudioFeatures> encodeBatch(List<float[]> mels) {
        if (mels.isEmpty()) throw new IllegalArgumentException("no windows to encode");
        int frames = model.encoder().nFrames();
        int b = mels.size();
        for (int i = 0; i < b; i++) {
            if (mels.get(i).length != (long) nMels() * frames) {
                throw new IllegalArgumentException("mel window " + i + " has " + mels.get(i).length + " values, the model needs "
                        + nMels() + " x " + frames);
            }
        }
        if (b == 1) return List.of(encode(mels.get(0)));
        List<AudioFeatures> out = new ArrayList<>(b);
        try (Tensor m = Tensor.allocate("mel", DType.F32, b, nMels(), frames)) {
            for (int i = 0; i < b; i++) m.rows(i, i + 1).copyFrom(mels.get(i));
            try (Tensor encoded = model.encode(m)) {
                long ctx = encoded.dim(1), width = encoded.dim(2);
                for (int i = 0; i < b; i++) {
                    Tensor one = Tensor.allocate("audio_features", DType.F32, ctx, width);
                    out.add(new Features(one));
                    one.copyFrom(encoded.rows(i, i + 1).reshape(ctx, width));
                }
            }
            return out;
        } catch (RuntimeException e) {
            for (AudioFeatures f : out) f.close();
            throw e;
        }
    }

    /** One batched decoder forward ({@link WhisperModel#decodeBatch}) over sessions of this model. */
    @Override
    public float[][][] feedBatch(List<DecoderSession> sessions, int[][] tokens, int[][] rows) {
        if (sessions.isEmpty()) throw new IllegalArgumentException("no decoder sessions to feed");
        List<DecoderState> states = new ArrayList<>(sessions.size());
        for (DecoderSession s : sessions) {
            if (!(s instanceof Session session)) throw new IllegalArgumentException("decoder session of another model: " + s);
            states.add(session.state);
        }
        return model.decodeBatch(states, tokens, rows);
    }

    @Override
    public DecoderSession startDecoder(AudioFeatures audio) {
        return new Session(model.newState(features(audio).tensor));
    }

    @Override
    public float[][][] crossAttentionScores(AudioFeatures audio, int[] tokens, AlignmentHeads heads) {
        return CrossAttentionProbe.scores(model, features(audio).tensor, tokens, heads);
    }

    private static Features features(AudioFeatures a) {
        if (!(a instanceof Features f)) throw new IllegalArgumentException("audio features come from another model: " + a);
        if (f.closed) throw new IllegalStateException("audio features are closed");
        return f;
    }

    @Override
    public void close() {
        if (ownsModel) model.close();
    }

    private static final class Features implements AudioFeatures {
        final Tensor tensor;
        volatile boolean closed;

        Features(Tensor t) {
            this.tensor = t;
        }

        @Override
        public int frames() {
            return (int) tensor.dim(0);
        }

        @Override
        public void close() {
            closed = true;
            tensor.close();
        }
    }

    private final class Session implements DecoderSession {
        private final DecoderState state;

        Session(DecoderState state) {
            this.state = state;
        }

        @Override
        public float[][] feed(int[] tokens, int... rows) {
            try (Tensor logits = model.decode(state, tokens)) {
                int v = (int) logits.dim(1);
                float[][] out = new float[rows.length][];
                for (int i = 0; i < rows.length; i++) {
                    if (rows[i] < 0 || rows[i] >= tokens.length) {
                        throw new IllegalArgumentException("row " + rows[i] + " outside the " + tokens.length + " fed tokens");
                    }
                    out[i] = logits.rows(rows[i], rows[i] + 1).toFloatArray();
                    if (out[i].length != v) throw new IllegalStateException("logit row has " + out[i].length + " values");
                }
                return out;
            }
        }

        @Override
        public int length() {
            return state.length();
        }

        @Override
        public void rollback(int length) {
            state.truncate(length);
        }

        @Override
        public DecoderSession fork() {
            return new Session(state.fork());
        }

        @Override
        public void copyFrom(DecoderSession other) {
            if (!(other instanceof Session s)) throw new IllegalArgumentException("session of another model");
            state.copyCacheFrom(s.state);
        }

        @Override
        public void close() {
            state.close();
        }
    }

    /** Runs the decoder over a token sequence and collects cross-attention scores of selected heads. */
    static final class CrossAttentionProbe {
        private CrossAttentionProbe() {}

        static float[][][] scores(WhisperModel model, Tensor audio, int[] tokens, AlignmentHeads heads) {
            TextDecoder dec = model.decoder();
            Precision p = model.precision();
            int t = tokens.length;
            int d = dec.width();
            int nHeads = model.config().nTextHead();
            int dh = d / nHeads;
            float[][][] out = new float[heads.size()][][];
            try (DecoderState s = model.newState(audio); Tensor ids = Tensor.of(tokens, t);
                    Tensor x = Tensor.allocate("probe.x", DType.F32, t, d); Tensor h = Tensor.allocate("probe.h", DType.F32, t, d);
                    Tensor q = Tensor.allocate("probe.q", DType.F32, t, d)) {
                NnKernels.embeddingLookup(dec.tokenEmbedding.value(), ids, x);
                NnKernels.addInto(x, dec.positionalEmbedding.value().rows(0, t));
                for (int layer = 0; layer < dec.blocks.length; layer++) {
                    ResidualAttentionBlock b = dec.blocks[layer];
                    boolean wanted = false;
                    for (int i = 0; i < heads.size(); i++) wanted |= heads.layer(i) == layer;
                    if (wanted) {
                        // the cross-attention query of this layer, as forwardDecoder computes it
                        try (Tensor x2 = Tensor.allocate("probe.x2", DType.F32, t, d)) {
                            x2.copyFrom(x);
                            LayerNorm ln = b.attnLn;
                            ln.forward(x2, h);
                            b.attn.projectKeyValue(h, s.selfK[layer].rows(0, t), s.selfV[layer].rows(0, t), p);
                            b.attn.attendInto(h, s.selfK[layer].rows(0, t), s.selfV[layer].rows(0, t), 0, x2, p);
                            b.crossAttnLn.forward(x2, h);
                            b.crossAttn.query().forward(h, q, false, p);
                        }
                        float[] qa = q.toFloatArray();
                        float[] ka = s.crossK[layer].toFloatArray();
                        int frames = (int) s.crossK[layer].dim(0);
                        double scale = 1.0 / Math.sqrt(dh);
                        for (int i = 0; i < heads.size(); i++) {
                            if (heads.layer(i) != layer) continue;
                            int c0 = heads.head(i) * dh;
                            float[][] sc = new float[t][frames];
                            for (int tok = 0; tok < t; tok++) {
                                for (int f = 0; f < frames; f++) {
                                    double acc = 0;
                                    for (int c = 0; c < dh; c++) acc += (double) qa[tok * d + c0 + c] * ka[f * d + c0 + c];
                                    sc[tok][f] = (float) (acc * scale);
                                }
                            }
                            out[i] = sc;
                        }
                    }
                    b.forwardDecoder(x, s.selfK[layer], s.selfV[layer], 0, s.crossK[layer], s.crossV[layer], p);
                }
            }
            return out;
        }
    }
}
