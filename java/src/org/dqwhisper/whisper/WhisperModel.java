package org.dqwhisper.whisper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.nn.Mlp;
import org.dqwhisper.nn.MultiHeadAttention;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.io.WhisperCheckpoint;

/**
 * A Whisper encoder-decoder on the native kernels. Load once and share across threads: the model is
 * immutable after loading; each decoding call owns a {@link DecoderState}.
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

    private WhisperModel(WhisperConfig config, AudioEncoder encoder, TextDecoder decoder, Precision precision) {
        this.config = config;
        this.encoder = encoder;
        this.decoder = decoder;
        this.precision = precision;
        encoder.prepare(precision);
        decoder.prepare(precision);
    }

    /** Loads an HF folder, an OpenAI .pt file, or a folder with an OpenAI-layout checkpoint. */
    public static WhisperModel load(Path path, Precision precision) throws IOException {
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
        Linear conv1 = conv(src, "encoder.conv1");
        Linear conv2 = conv(src, "encoder.conv2");
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

    private static Linear conv(TensorSource src, String prefix) {
        Tensor w = src.take(prefix + ".weight"); // [d, c_in, k]
        if (w.rank() != 3) throw new IllegalArgumentException(prefix + ".weight: expected [out, in, kernel], got " + w.describe());
        Tensor flat = w.reshape(w.dim(0), w.dim(1) * w.dim(2));
        // the reshaped view shares memory with w: copy so the Linear owns a plain tensor
        Tensor owned = Tensor.allocate(prefix + ".weight", flat.dtype(), flat.shape());
        owned.copyFrom(flat);
        w.close();
        return new Linear(prefix, owned, src.take(prefix + ".bias"));
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

    /** Full-sequence forward without a persistent cache: logits [T, n_vocab] for all tokens. */
    public Tensor logits(int[] tokens, Tensor audioFeatures) {
        try (DecoderState s = newState(audioFeatures)) {
            return decode(s, tokens);
        }
    }

    @Override
    public void close() {
        encoder.close();
        decoder.close();
    }
}
