package org.dqwhisper.whisper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dqwhisper.nn.Conv1d;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.nn.Mlp;
import org.dqwhisper.nn.MultiHeadAttention;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.nn.Workspace;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.kernels.NativeInt4Weights;
import org.dqwhisper.kernels.NativeInt8Weights;
import org.dqwhisper.whisper.io.CheckpointFormatException;
import org.dqwhisper.whisper.io.CompactCheckpoint;
import org.dqwhisper.whisper.io.QuantizedCheckpoint;
import org.dqwhisper.whisper.io.WhisperCheckpoint;

/**
 * A Whisper encoder-decoder on the native kernels. Load once and share across threads for inference:
 * each decoding call owns a {@link DecoderState}. The same model trains ({@link #forwardTrain},
 * {@link #backward}, {@link #parameters()}): training is single-threaded at this level (the kernels
 * use all threads), and after the weights change {@link #invalidatePackedWeights()} must run before
 * the next inference or training forward.
 *
 * <pre>{@code
 * try (WhisperModel m = WhisperModel.load(Path.of("whisper-base"), Precision.INT8)) {
 *     Tensor audio = m.encode(mel);                 // [n_audio_ctx, d]
 *     try (DecoderState s = m.newState(audio)) {
 *         Tensor logits = m.decode(s, new int[] {50258, 50259, 50359, 50363});
 *     }
 * }
 * }</pre>
 */
public final class WhisperModel implements AutoCloseable {
    private final WhisperConfig config;
    private final AudioEncoder encoder;
    private final TextDecoder decoder;
    private final Precision precision;
    private volatile boolean masterWeightsReleased;

    private WhisperModel(WhisperConfig config, AudioEncoder encoder, TextDecoder decoder, Precision precision) {
        this.config = config;
        this.encoder = encoder;
        this.decoder = decoder;
        this.precision = precision;
        encoder.prepare(precision);
        decoder.prepare(precision);
    }

    /**
     * Loads an HF folder, an OpenAI .pt file, a folder with an OpenAI-layout checkpoint, or a quantized
     * export ({@link QuantizedCheckpoint}: its integer Linears run on the integer GEMMs whatever {@code precision} says),
     * or an 8-bit storage folder ({@link CompactCheckpoint}, dequantized to an ordinary FP model).
     */
    public static WhisperModel load(Path path, Precision precision) throws IOException {
        if (QuantizedCheckpoint.isQuantized(path)) return loadQuantized(path, precision);
        if (CompactCheckpoint.isCompact(path)) {
            try (CompactCheckpoint ck = CompactCheckpoint.open(path)) {
                return buildUnchecked(ck.config(), new TensorSource() {
                    @Override
                    public boolean has(String name) {
                        return ck.has(name);
                    }

                    @Override
                    public Tensor take(String name) {
                        try {
                            return ck.tensor(name);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }, precision);
            }
        }
        try (WhisperCheckpoint ck = WhisperCheckpoint.load(path)) {
            return buildUnchecked(ck.config(), new TensorSource() {
                @Override
                public boolean has(String name) {
                    return ck.has(name);
                }

                @Override
                public Tensor take(String name) {
                    try {
                        return ck.tensor(name);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }, precision);
        }
    }

    private static WhisperModel loadQuantized(Path path, Precision precision) throws IOException {
        Map<String, QuantizedCheckpoint.QuantizedWeight> stored = new LinkedHashMap<>();
        try (QuantizedCheckpoint ck = QuantizedCheckpoint.open(path)) {
            WhisperModel m = buildUnchecked(ck.config(), new TensorSource() {
                @Override
                public boolean has(String name) {
                    return ck.has(name) || (name.endsWith(".weight") && ck.isQuantized(prefixOf(name)));
                }

                @Override
                public Tensor take(String name) {
                    try {
                        if (name.endsWith(".weight") && ck.isQuantized(prefixOf(name))) {
                            QuantizedCheckpoint.QuantizedWeight w = ck.weight(prefixOf(name));
                            stored.put(w.name(), w);
                            return QuantizedCheckpoint.dequantize(w); // the FP32 reference weight of the Linear
                        }
                        return ck.tensor(name);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }, precision);
            try {
                Map<String, Linear> linears = m.blockLinears();
                for (QuantizedCheckpoint.QuantizedWeight w : stored.values()) {
                    if (w.name().equals("decoder.token_embedding")) continue; // 8-bit storage only: dequantized for lookup and logits
                    Linear l = linears.get(w.name());
                    if (l == null) throw new CheckpointFormatException(path, w.name(), "quantized weight of no block Linear");
                    if (w.bits() == 8) l.attachInt8(NativeInt8Weights.of(w.codes(), w.scales()));
                    else l.attachInt4(NativeInt4Weights.of(w.codes(), w.scales(), w.k(), w.group()));
                }
                return m;
            } catch (IOException | RuntimeException e) {
                m.close();
                throw e;
            }
        } finally {
            for (QuantizedCheckpoint.QuantizedWeight w : stored.values()) {
                w.codes().close();
                w.scales().close();
            }
        }
    }

    private static String prefixOf(String weightName) {
        return weightName.substring(0, weightName.length() - ".weight".length());
    }

    private static WhisperModel buildUnchecked(WhisperConfig cfg, TensorSource src, Precision precision) throws IOException {
        try {
            return build(cfg, src, precision);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Builds a model from weights under OpenAI names; every dimension comes from the tensors and config. */
    public static WhisperModel build(WhisperConfig cfg, TensorSource src, Precision precision) {
        AudioEncoder enc = buildEncoder(cfg, src);
        TextDecoder dec = buildDecoder(cfg, src);
        return new WhisperModel(cfg, enc, dec, precision);
    }

    private static AudioEncoder buildEncoder(WhisperConfig cfg, TensorSource src) {
        Conv1d conv1 = new Conv1d("encoder.conv1", src.take("encoder.conv1.weight"), src.take("encoder.conv1.bias"), 1, 1, true);
        Conv1d conv2 = new Conv1d("encoder.conv2", src.take("encoder.conv2.weight"), src.take("encoder.conv2.bias"), 2, 1, true);
        Tensor pos = src.take("encoder.positional_embedding");
        ResidualAttentionBlock[] blocks = new ResidualAttentionBlock[cfg.nAudioLayer()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = block(src, "encoder.blocks." + i, cfg.nAudioHead(), false);
        return new AudioEncoder(conv1, conv2, pos, blocks, layerNorm(src, "encoder.ln_post"));
    }

    private static TextDecoder buildDecoder(WhisperConfig cfg, TensorSource src) {
        Tensor tok = src.take("decoder.token_embedding.weight");
        Tensor pos = src.take("decoder.positional_embedding");
        ResidualAttentionBlock[] blocks = new ResidualAttentionBlock[cfg.nTextLayer()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = block(src, "decoder.blocks." + i, cfg.nTextHead(), true);
        return new TextDecoder(tok, pos, blocks, layerNorm(src, "decoder.ln"));
    }

    private static Linear linear(TensorSource src, String prefix, boolean bias) {
        String b = prefix + ".bias";
        return new Linear(prefix, src.take(prefix + ".weight"), bias && src.has(b) ? src.take(b) : null);
    }

    private static LayerNorm layerNorm(TensorSource src, String prefix) {
        return new LayerNorm(prefix, src.take(prefix + ".weight"), src.take(prefix + ".bias"));
    }

    private static MultiHeadAttention attention(TensorSource src, String prefix, int heads) {
        return new MultiHeadAttention(linear(src, prefix + ".query", true), linear(src, prefix + ".key", false),
                linear(src, prefix + ".value", true), linear(src, prefix + ".out", true), heads);
    }

    private static ResidualAttentionBlock block(TensorSource src, String prefix, int heads, boolean cross) {
        return new ResidualAttentionBlock(layerNorm(src, prefix + ".attn_ln"), attention(src, prefix + ".attn", heads),
                cross ? layerNorm(src, prefix + ".cross_attn_ln") : null, cross ? attention(src, prefix + ".cross_attn", heads) : null,
                layerNorm(src, prefix + ".mlp_ln"), new Mlp(linear(src, prefix + ".mlp.0", true), linear(src, prefix + ".mlp.2", true)));
    }

    public WhisperConfig config() {
        return config;
    }

    public Precision precision() {
        return precision;
    }

    public AudioEncoder encoder() {
        return encoder;
    }

    public TextDecoder decoder() {
        return decoder;
    }

    /** mel [n_mels, 2·n_audio_ctx] → audio features [n_audio_ctx, d] (caller closes). */
    public Tensor encode(Tensor mel) {
        return encoder.forward(mel, precision);
    }

    /** A fresh decoding state for one encoder output: computes the cross-attention keys/values once. */
    public DecoderState newState(Tensor audioFeatures) {
        DecoderState s = new DecoderState(decoder.blocks.length, decoder.nCtx(), (int) audioFeatures.dim(0), decoder.width());
        try {
            decoder.projectAudio(audioFeatures, s.crossK, s.crossV, precision);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Feeds tokens after those already cached; returns their logits [T, n_vocab] (caller closes). */
    public Tensor decode(DecoderState state, int[] tokens) {
        return decoder.forward(state, tokens, precision);
    }

    /**
     * Lock-step decoding of several states (one per sequence, each over its own audio): feeds {@code tokens[i]} to
     * {@code states.get(i)} and returns the logits of rows {@code rows[i]} of each, {@code [i][r][n_vocab]}. The
     * GEMMs run over the rows of all states at once; results equal {@link #decode} on each state alone.
     */
    public float[][][] decodeBatch(List<DecoderState> states, int[][] tokens, int[][] rows) {
        return decoder.forwardBatch(states.toArray(new DecoderState[0]), tokens, rows, precision);
    }

    /** Full-sequence forward without a persistent cache: logits [T, n_vocab] for all tokens. */
    public Tensor logits(int[] tokens, Tensor audioFeatures) {
        try (DecoderState s = newState(audioFeatures)) {
            return decode(s, tokens);
        }
    }

    // ---- training -------------------------------------------------------------------------------

    /** Every trainable parameter, in OpenAI state_dict order (encoder, then decoder). */
    public List<Parameter> parameters() {
        checkMasterWeights();
        List<Parameter> out = new ArrayList<>();
        encoder.collectParameters(out);
        decoder.collectParameters(out);
        return Collections.unmodifiableList(out);
    }

    /**
     * Every tensor a checkpoint holds, OpenAI name to a view with the checkpoint shape, in
     * state_dict order: the parameters plus the encoder's fixed positional embedding.
     */
    public Map<String, Tensor> stateTensors() {
        checkMasterWeights();
        Map<String, Tensor> m = new LinkedHashMap<>();
        List<Parameter> ps = new ArrayList<>();
        encoder.conv1.collectParameters(ps);
        encoder.conv2.collectParameters(ps);
        for (Parameter p : ps) m.put(p.name(), p.storedView());
        m.put("encoder.positional_embedding", encoder.positionalEmbedding);
        ps.clear();
        for (ResidualAttentionBlock b : encoder.blocks) b.collectParameters(ps);
        encoder.lnPost.collectParameters(ps);
        decoder.collectParameters(ps);
        for (Parameter p : ps) m.put(p.name(), p.storedView());
        return m;
    }

    /** Every Linear of the encoder and decoder blocks, by OpenAI prefix (e.g. {@code decoder.blocks.0.mlp.0}), in state_dict order. */
    public Map<String, Linear> blockLinears() {
        Map<String, Linear> m = new java.util.LinkedHashMap<>();
        for (ResidualAttentionBlock b : encoder.blocks()) addLinears(b, m);
        for (ResidualAttentionBlock b : decoder.blocks()) addLinears(b, m);
        return m;
    }

    private static void addLinears(ResidualAttentionBlock b, Map<String, Linear> m) {
        for (MultiHeadAttention a : new MultiHeadAttention[] {b.attention(), b.crossAttention()}) {
            if (a == null) continue;
            for (Linear l : new Linear[] {a.query(), a.key(), a.value(), a.out()}) m.put(l.name(), l);
        }
        m.put(b.mlp().fc1().name(), b.mlp().fc1());
        m.put(b.mlp().fc2().name(), b.mlp().fc2());
    }

    /**
     * Fake-quantizes every block Linear whose weight {@code config} applies to, their inputs per row
     * as {@link org.dqwhisper.quant.QuantConfig#quantizesInputs()} says (by default whenever the export
     * runs on the integer kernels, which always quantize their inputs; not with {@code weight-only});
     * returns how many layers. {@code QuantConfig.NONE} removes nothing.
     */
    public int enableFakeQuant(org.dqwhisper.quant.QuantConfig config) {
        return enableFakeQuant(config, false);
    }

    /** {@link #enableFakeQuant(org.dqwhisper.quant.QuantConfig)}, with the inputs quantized in any case when {@code quantizeInputs}. */
    public int enableFakeQuant(org.dqwhisper.quant.QuantConfig config, boolean quantizeInputs) {
        int n = 0;
        for (Linear l : blockLinears().values()) {
            if (config.appliesTo(l.name() + ".weight")) {
                l.enableFakeQuant(config, quantizeInputs || config.quantizesInputs());
                n++;
            }
        }
        return n;
    }

    /** The learned step sizes (LSQ {@code ln(scale)}) of the fake-quantized block Linears, in state_dict order; empty without LSQ. */
    public List<Parameter> quantizerParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Linear l : blockLinears().values()) if (l.lsqLogScaleParameter() != null) out.add(l.lsqLogScaleParameter());
        return Collections.unmodifiableList(out);
    }

    /** Swaps every fake-quantized Linear for its integer export ({@link Linear#useIntegerWeights}); returns how many. */
    public int useIntegerWeights() {
        int n = 0;
        for (Linear l : blockLinears().values()) {
            if (l.fakeQuant() != null) {
                l.useIntegerWeights();
                n++;
            }
        }
        return n;
    }

    /**
     * For inference only: frees the FP32 master weight of every block Linear that runs on integer weights (a loaded
     * integer export, or after {@link #useIntegerWeights}); the integer kernels never read it. Returns the bytes freed.
     * Forwards are unchanged; from then on {@link #parameters()}, {@link #stateTensors()} (training, checkpoints,
     * exports, CUDA upload) give an {@link IllegalStateException}.
     */
    public long releaseIntegerMasterWeights() {
        long bytes = 0;
        for (Linear l : blockLinears().values()) {
            if (l.hasIntegerWeights()) {
                bytes += l.releaseMasterWeight();
                masterWeightsReleased = true;
            }
        }
        return bytes;
    }

    /** Whether {@link #releaseIntegerMasterWeights()} freed any master weight. */
    public boolean integerMasterWeightsReleased() {
        return masterWeightsReleased;
    }

    private void checkMasterWeights() {
        if (masterWeightsReleased) {
            throw new IllegalStateException("model: the FP32 master weights of its integer Linears were released for inference; load it again"
                    + " to train it, write it or upload it");
        }
    }

    /** Drops the packed FP32/INT8 weight copies; run after every change of the weights (an optimizer step). */
    public void invalidatePackedWeights() {
        encoder.invalidate();
        decoder.invalidate();
    }

    /**
     * One training forward (FP32, teacher forcing). mel [B, n_mels, frames]; tokens [B][T], rows of one
     * length T ≤ n_text_ctx. A frozen encoder (no parameter requiring a gradient) runs its inference
     * forward and keeps no activations. The caller closes the pass after {@link #backward}.
     */
    public TrainingPass forwardTrain(Tensor mel, int[][] tokens) {
        return forwardTrain(mel, tokens, false);
    }

    /**
     * {@link #forwardTrain(Tensor, int[][])}; with {@code keepEncoderActivations} the encoder runs its training
     * forward even when frozen, so that {@link TrainingPass#encoderFfn} can be read (e.g. a frozen teacher's
     * encoder FFN activations for distillation; a frozen encoder still gets no gradient).
     */
    public TrainingPass forwardTrain(Tensor mel, int[][] tokens, boolean keepEncoderActivations) {
        if (mel.rank() != 3 || mel.dim(0) != tokens.length) {
            throw new IllegalArgumentException("training batch: mel " + mel.describe() + " must be [" + tokens.length
                    + ", n_mels, frames] for " + tokens.length + " token rows");
        }
        TrainingPass pass = new TrainingPass();
        try {
            if (keepEncoderActivations || encoder.requiresGrad()) {
                pass.encoder = encoder.forwardTrain(mel);
                pass.audio = pass.encoder.output();
            } else {
                pass.audio = encoder.forward(mel, Precision.FP32);
                pass.ownsAudio = true;
            }
            pass.decoder = decoder.forwardTrain(tokens, pass.audio);
            pass.batch = tokens.length;
            pass.length = tokens[0].length;
            return pass;
        } catch (RuntimeException e) {
            pass.close();
            throw e;
        }
    }

    /**
     * {@link #forwardTrain} from a precomputed encoder output audio [B, n_audio_ctx, d] (a frozen encoder's
     * cached features): only the decoder runs, and {@link #backward} gives no encoder gradient. The pass
     * does not own {@code audio}; the caller keeps it open until the pass is closed.
     */
    public TrainingPass forwardTrainOnAudio(Tensor audio, int[][] tokens) {
        audio.requireShape(DType.F32, tokens.length, config.nAudioCtx(), config.nAudioState());
        TrainingPass pass = new TrainingPass();
        try {
            pass.audio = audio;
            pass.decoder = decoder.forwardTrain(tokens, audio);
            pass.batch = tokens.length;
            pass.length = tokens[0].length;
            return pass;
        } catch (RuntimeException e) {
            pass.close();
            throw e;
        }
    }

    /**
     * Backward of {@link #forwardTrain}: dLogits [B·T, n_vocab] (e.g. from the cross-entropy kernel)
     * gives the gradient of every parameter that requires one, accumulated into {@link Parameter#grad()}.
     * Activations are freed as the backward passes them; the pass cannot be reused.
     */
    public void backward(TrainingPass pass, Tensor dLogits) {
        if (pass.decoder == null) throw new IllegalStateException("training pass already used or closed");
        dLogits.requireShape(DType.F32, (long) pass.batch * pass.length, decoder.nVocab());
        boolean encoderGrad = pass.encoder != null && encoder.requiresGrad();
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor dAudio = encoderGrad ? s.takeZeroed("encoder.doutput", pass.audio.shape()) : null;
            decoder.backward(pass.decoder, pass.audio, dLogits, dAudio);
            pass.decoder.close();
            pass.decoder = null;
            if (encoderGrad) encoder.backward(pass.encoder, dAudio);
        }
    }

    /**
     * The DQ-Whisper authors' hidden state of decoder block {@code layer} ({@link UnmaskedFfnRecompute}): the
     * post-GELU fc1 output [B·T, 4d] recomputed from the block's causal-pass input with self-attention unmasked.
     * Computed on the first call and kept with the pass; a gradient added to it
     * ({@link org.dqwhisper.nn.Mlp.Activations#addActivationGrad}) reaches the parameters and the inputs in
     * {@link #backward}. The logits stay those of the causal pass.
     */
    public org.dqwhisper.nn.Mlp.Activations unmaskedDecoderFfn(TrainingPass pass, int layer) {
        if (pass.decoder == null) throw new IllegalStateException("training pass already used or closed");
        if (pass.decoder.blocks.length != decoder.blocks.length) throw new IllegalArgumentException("training pass of another model");
        if (layer < 0 || layer >= decoder.blocks.length) {
            throw new IllegalArgumentException("decoder layer " + layer + " outside [0, " + decoder.blocks.length + ")");
        }
        ResidualAttentionBlock.Activations a = pass.decoder.blocks[layer];
        if (a == null) throw new IllegalStateException("decoder layer " + layer + ": its activations were already freed by the backward");
        if (a.unmasked == null) a.unmasked = new UnmaskedFfnRecompute(decoder.blocks[layer], a.attnIn, pass.audio);
        return a.unmasked.ffn();
    }

    /** The activations of one training forward; {@link #logits()} is [B·T, n_vocab], row b·T + t. */
    public static final class TrainingPass implements AutoCloseable {
        AudioEncoder.Activations encoder;
        TextDecoder.Activations decoder;
        Tensor audio;
        boolean ownsAudio;
        int batch;
        int length;

        TrainingPass() {}

        public Tensor logits() {
            if (decoder == null) throw new IllegalStateException("training pass already used or closed");
            return decoder.logits();
        }

        /** The FFN activations (post-GELU fc1 output, [B·T, 4d]) of decoder block {@code layer}, causal-masked forward. */
        public org.dqwhisper.nn.Mlp.Activations decoderFfn(int layer) {
            if (decoder == null) throw new IllegalStateException("training pass already used or closed");
            if (layer < 0 || layer >= decoder.blocks.length) {
                throw new IllegalArgumentException("decoder layer " + layer + " outside [0, " + decoder.blocks.length + ")");
            }
            return decoder.blocks[layer].mlpAct;
        }

        /**
         * The FFN activations (post-GELU fc1 output, [B·n_audio_ctx, 4d]) of encoder block {@code layer}; only when
         * the encoder ran its training forward (trained, or {@code keepEncoderActivations}).
         */
        public org.dqwhisper.nn.Mlp.Activations encoderFfn(int layer) {
            if (decoder == null) throw new IllegalStateException("training pass already used or closed");
            if (encoder == null) {
                throw new IllegalStateException("the encoder ran without training activations (frozen, and not kept): no encoder FFN activations");
            }
            if (layer < 0 || layer >= encoder.blocks.length) {
                throw new IllegalArgumentException("encoder layer " + layer + " outside [0, " + encoder.blocks.length + ")");
            }
            return encoder.blocks[layer].mlpAct;
        }

        public int decoderLayers() {
            return decoder == null ? 0 : decoder.blocks.length;
        }

        /** The encoder output [B, n_audio_ctx, d]. */
        public Tensor audioFeatures() {
            return audio;
        }

        @Override
        public void close() {
            if (decoder != null) decoder.close();
            if (encoder != null) encoder.close();
            if (ownsAudio && audio != null) audio.close();
            decoder = null;
            encoder = null;
            audio = null;
        }
    }

    @Override
    public void close() {
        encoder.close();
        decoder.close();
    }
}
