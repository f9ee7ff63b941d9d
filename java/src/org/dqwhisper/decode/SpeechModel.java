package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.List;
import org.dqwhisper.text.WhisperTokenizer;

/**
 * What decoding needs from a Whisper model: the encoder, decoder sessions with a key/value cache, and the
 * cross-attention scores of selected heads for word timestamps. The decoding code in this package (greedy, beam
 * search, temperature fallback, long-form transcription, word timing) is written against this interface only.
 *
 * <p><b>Thread safety.</b> Implementations must allow every method to be called from several threads at once;
 * per-call state lives in the returned {@link AudioFeatures} and {@link DecoderSession} objects, which belong to
 * the caller and must be closed by it. Nothing here may grow with the number of calls.
 *
 * <p>Names and shapes follow OpenAI whisper ({@code n_mels}, {@code n_audio_ctx}, {@code n_text_ctx}, ...).
 */
public interface SpeechModel {
    /** The tokenizer matching the model's {@code n_vocab}. */
    WhisperTokenizer tokenizer();

    /** Decoder context length ({@code n_text_ctx}, 448 for the official models). */
    int nTextCtx();

    /** Encoder positions per 30 s window ({@code n_audio_ctx}, 1500: one per 20 ms). */
    int nAudioCtx();

    /**
     * Mel frames of one model input window: {@code 2 · n_audio_ctx} (the conv stem halves the frames), 3000 = 30 s for
     * every official model; a model trained on shorter windows (e.g. {@code n_audio_ctx} 375: 7.5 s) is transcribed
     * window by window of its own length, with the same 20 ms per encoder position and timestamp step.
     */
    default int windowFrames() {
        return 2 * nAudioCtx();
    }

    /** Mel bands of the input ({@code n_mels}: 80, or 128 for large-v3 and turbo). */
    int nMels();

    /** Decoder layers ({@code n_text_layer}). */
    int nTextLayer();

    /** Attention heads per decoder layer ({@code n_text_head}). */
    int nTextHead();

    /** Whether the model has language tokens (whisper: {@code n_vocab >= 51865}). */
    default boolean isMultilingual() {
        return tokenizer().isMultilingual();
    }

    /**
     * The cross-attention heads whose weights follow the audio-text alignment. Whisper's default for a model
     * without a known table is every head of the last half of the decoder layers; implementations of official
     * models should return {@link AlignmentHeads#forModel(String)}.
     */
    default AlignmentHeads alignmentHeads() {
        return AlignmentHeads.lastHalf(nTextLayer(), nTextHead());
    }

    /**
     * Runs the encoder on one window.
     *
     * @param mel log-mel spectrogram, {@code n_mels x windowFrames()} row-major (band-major:
     *     {@code mel[band * windowFrames() + frame]}; 3000 frames for the official models)
     * @return the encoded audio ({@code [n_audio_ctx, n_audio_state]}), to be closed by the caller
     * @throws IllegalArgumentException when {@code mel.length != n_mels * windowFrames()}
     */
    AudioFeatures encode(float[] mel);

    /**
     * Runs the encoder on several windows; element i is {@code encode(mels.get(i))}, with the same numbers.
     * Implementations may run them as one batch (one encoder call with {@code B = mels.size()}); this default
     * encodes them one at a time. On failure, features already made are closed.
     *
     * @throws IllegalArgumentException when the list is empty or a window has the wrong size
     */
    default List<AudioFeatures> encodeBatch(List<float[]> mels) {
        if (mels.isEmpty()) throw new IllegalArgumentException("no windows to encode");
        List<AudioFeatures> out = new ArrayList<>(mels.size());
        try {
            for (float[] mel : mels) out.add(encode(mel));
            return out;
        } catch (RuntimeException e) {
            for (AudioFeatures f : out) f.close();
            throw e;
        }
    }

    /**
     * One lock-step decoder forward over several sessions (of distinct windows or hypotheses): element i is
     * {@code sessions.get(i).feed(tokens[i], rows[i])}, with the same numbers. Implementations may run the
     * sessions' rows through the decoder's matrix products together; this default feeds them one at a time.
     *
     * @throws IllegalArgumentException when the three lists differ in length, are empty, or a session appears twice
     */
    default float[][][] feedBatch(List<DecoderSession> sessions, int[][] tokens, int[][] rows) {
        if (sessions.isEmpty()) throw new IllegalArgumentException("no decoder sessions to feed");
        if (tokens.length != sessions.size() || rows.length != sessions.size()) {
            throw new IllegalArgumentException(sessions.size() + " sessions need as many token and row lists, got "
                    + tokens.length + " and " + rows.length);
        }
        float[][][] out = new float[sessions.size()][][];
        for (int i = 0; i < out.length; i++) out[i] = sessions.get(i).feed(tokens[i], rows[i]);
        return out;
    }

    /** A new decoder session with an empty token context over {@code audio}. */
    DecoderSession startDecoder(AudioFeatures audio);

    /**
     * Cross-attention scores for word timing: runs the decoder over {@code tokens} (positions 0..T-1, causal, no
     * cache reuse) and returns, for each head of {@code heads} in its order, the pre-softmax cross-attention logits
     * {@code q_t . k_f / sqrt(d_head)} of every token t against every audio position f: {@code [heads][T][n_audio_ctx]}.
     * Whisper's {@code find_alignment} keeps only the first {@code num_frames / 2} positions and applies the
     * softmax itself, which is why raw scores are asked for here.
     */
    float[][][] crossAttentionScores(AudioFeatures audio, int[] tokens, AlignmentHeads heads);
}
