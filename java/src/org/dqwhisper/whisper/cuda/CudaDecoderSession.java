package org.dqwhisper.whisper.cuda;

import org.dqwhisper.cuda.CudaBuffer;
import org.dqwhisper.decode.AlignmentHeads;
import org.dqwhisper.decode.DecoderSession;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.whisper.WhisperConfig;

/**
 * A decoder run on the device: the self-attention key/value cache F16 {@code [2·n_text_layer, n_text_ctx, d]}
 * (layer l: keys at 2l, values at 2l+1) of the tokens fed so far, over one {@link CudaFeatures}. Every call
 * takes the model's lock; only the requested logit rows are copied back.
 */
final class CudaDecoderSession implements DecoderSession {
    private final CudaSpeechModel model;
    private final CudaFeatures features;
    private final WhisperConfig config;
    private final CudaBuffer cache;
    private int length;
    private boolean closed;

    /** Lock held by the caller. */
    CudaDecoderSession(CudaSpeechModel model, CudaFeatures features) {
        this.model = model;
        this.features = features;
        this.config = model.config();
        this.cache = CudaBuffer.allocate("self_kv", DType.F16, 2L * config.nTextLayer(), config.nTextCtx(), config.nTextState());
    }

    @Override
    public float[][] feed(int[] tokens, int... rows) {
        checkTokens(tokens);
        if (rows == null) throw new IllegalArgumentException("rows is null");
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= tokens.length || (i > 0 && rows[i] <= rows[i - 1])) {
                throw new IllegalArgumentException("rows must ascend within 0.." + (tokens.length - 1) + ", got " + java.util.Arrays.toString(rows));
            }
        }
        synchronized (model.gpuLock()) {
            begin();
            CudaBuffer h = run(tokens, null);
            length += tokens.length;
            if (rows.length == 0) {
                model.stream().synchronize();
                return new float[0][];
            }
            int v = config.nVocab();
            CudaBuffer logits = model.scratch().take("logits", DType.F32, rows.length, v);
            boolean contiguous = rows[rows.length - 1] - rows[0] == rows.length - 1;
            if (contiguous) {
                model.forward().logits(h.rows(rows[0], rows[0] + rows.length), logits);
            } else {
                for (int i = 0; i < rows.length; i++) model.forward().logits(h.rows(rows[i], rows[i] + 1), logits.rows(i, i + 1));
            }
            model.stream().synchronize();
            float[] all = logits.toFloatArray();
            float[][] out = new float[rows.length][v];
            for (int i = 0; i < rows.length; i++) System.arraycopy(all, i * v, out[i], 0, v);
            return out;
        }
    }

    /** Runs the decoder over {@code tokens} at the current length (lock held); returns the final LayerNorm output. */
    private CudaBuffer run(int[] tokens, CudaWhisperForward.CrossQueryProbe probe) {
        if (length + tokens.length > config.nTextCtx()) {
            throw new IllegalArgumentException(length + " cached + " + tokens.length + " new tokens exceed n_text_ctx " + config.nTextCtx());
        }
        CudaBuffer ids = model.scratch().take("ids", DType.S32, tokens.length);
        ids.copyFrom(tokens);
        return model.forward().decode(ids, length, cache, features.crossKv, probe);
    }

    /**
     * Pre-softmax cross-attention scores {@code q·k/√d_head} of the given heads over a fresh run of
     * {@code tokens} from position 0 (see {@link org.dqwhisper.decode.SpeechModel#crossAttentionScores}): the
     * F16 queries and keys of the wanted layers are copied back and multiplied on the host in double.
     */
    float[][][] crossAttentionScores(int[] tokens, AlignmentHeads heads) {
        checkTokens(tokens);
        int t = tokens.length, d = config.nTextState(), dh = d / config.nTextHead(), frames = config.nAudioCtx();
        float[][] queries = new float[config.nTextLayer()][];
        boolean[] wanted = new boolean[config.nTextLayer()];
        for (int i = 0; i < heads.size(); i++) wanted[heads.layer(i)] = true;
        float[][][] out = new float[heads.size()][][];
        synchronized (model.gpuLock()) {
            begin();
            if (length != 0) throw new IllegalStateException("cross-attention scores need a fresh session");
            run(tokens, (layer, q) -> {
                if (wanted[layer]) queries[layer] = model.downloadAsFloat(q, "probe.q");
            });
            length = t;
            model.stream().synchronize();
            for (int layer = 0; layer < wanted.length; layer++) {
                if (!wanted[layer]) continue;
                float[] k = model.downloadAsFloat(CudaWhisperForward.layerSlice(features.crossKv, 2 * layer), "probe.k");
                double scale = 1.0 / Math.sqrt(dh);
                for (int i = 0; i < heads.size(); i++) {
                    if (heads.layer(i) != layer) continue;
                    int c0 = heads.head(i) * dh;
                    float[][] sc = new float[t][frames];
                    for (int tok = 0; tok < t; tok++) {
                        for (int f = 0; f < frames; f++) {
                            double acc = 0;
                            for (int c = 0; c < dh; c++) acc += (double) queries[layer][tok * d + c0 + c] * k[f * d + c0 + c];
                            sc[tok][f] = (float) (acc * scale);
                        }
                    }
                    out[i] = sc;
                }
            }
        }
        return out;
    }

    @Override
    public int length() {
        synchronized (model.gpuLock()) {
            checkOpen();
            return length;
        }
    }

    @Override
    public void rollback(int newLength) {
        synchronized (model.gpuLock()) {
            checkOpen();
            if (newLength < 0 || newLength > length) {
                throw new IllegalArgumentException("rollback to " + newLength + " outside 0.." + length);
            }
            length = newLength;
        }
    }

    @Override
    public DecoderSession fork() {
        synchronized (model.gpuLock()) {
            begin();
            CudaDecoderSession s = new CudaDecoderSession(model, features);
            try {
                s.copyCache(this);
                return s;
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        }
    }

    @Override
    public void copyFrom(DecoderSession other) {
        if (!(other instanceof CudaDecoderSession o) || o.model != model || o.features != features) {
            throw new IllegalArgumentException("copyFrom: session of another model or audio: " + other);
        }
        if (o == this) return;
        synchronized (model.gpuLock()) {
            begin();
            o.checkOpen();
            copyCache(o);
        }
    }

    /** Copies the first {@code other.length} positions of every layer's keys and values (lock held). */
    private void copyCache(CudaDecoderSession other) {
        int n = other.length;
        if (n > 0) {
            for (int i = 0; i < cache.dim(0); i++) {
                CudaWhisperForward.layerSlice(cache, i).rows(0, n)
                        .copyFrom(CudaWhisperForward.layerSlice(other.cache, i).rows(0, n), model.stream());
            }
            model.stream().synchronize();
        }
        length = n;
    }

    /** Lock held: the model, the features and this session are open and the stream is idle. */
    private void begin() {
        model.checkOpen();
        features.checkOpen();
        checkOpen();
        model.stream().synchronize();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("decoder session is closed");
    }

    private void checkTokens(int[] tokens) {
        if (tokens == null || tokens.length == 0) throw new IllegalArgumentException("feed needs at least one token");
        for (int tok : tokens) {
            if (tok < 0 || tok >= config.nVocab()) throw new IllegalArgumentException("token " + tok + " outside 0.." + (config.nVocab() - 1));
        }
    }

    @Override
    public void close() {
        synchronized (model.gpuLock()) {
            if (closed) return;
            closed = true;
            cache.close();
        }
    }
}
