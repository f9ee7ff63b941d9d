package org.dqwhisper.whisper;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Whisper model dimensions (OpenAI's {@code ModelDimensions} field names, in camelCase) plus what a
 * checkpoint may add: MLP widths (default 4 x state), the end-of-text and start-of-transcript token
 * ids (known from the config or from a standard vocabulary size) and the cross-attention heads used
 * for word timestamps, when the checkpoint names them. Parsed and written by
 * {@link org.dqwhisper.whisper.io.WhisperConfigJson}.
 *
 * @param nMels         mel bins of the input (80, or 128 for large-v3)
 * @param nAudioCtx     encoder positions (1500 for 30 s)
 * @param nAudioState   encoder width
 * @param nAudioHead    encoder attention heads
 * @param nAudioLayer   encoder blocks
 * @param nVocab        vocabulary size (51864 English-only, 51865 multilingual, 51866 large-v3)
 * @param nTextCtx      decoder positions (448)
 * @param nTextState    decoder width (equal to the encoder width: cross-attention projects encoder states)
 * @param nTextHead     decoder attention heads
 * @param nTextLayer    decoder blocks
 * @param encoderFfnDim encoder MLP hidden width
 * @param decoderFfnDim decoder MLP hidden width
 * @param eotId         {@code <|endoftext|>} id, if known
 * @param sotId         {@code <|startoftranscript|>} id, if known
 * @param alignmentHeads decoder (layer, head) pairs for timestamp alignment; empty if unknown
 */
public record WhisperConfig(int nMels, int nAudioCtx, int nAudioState, int nAudioHead, int nAudioLayer,
                            int nVocab, int nTextCtx, int nTextState, int nTextHead, int nTextLayer,
                            int encoderFfnDim, int decoderFfnDim, OptionalInt eotId, OptionalInt sotId,
                            List<AlignmentHead> alignmentHeads) {
    /** Vocabulary size of the English-only ({@code *.en}) models. */
    public static final int ENGLISH_ONLY_VOCAB = 51864;

    /** One cross-attention head of one decoder block. */
    public record AlignmentHead(int layer, int head) {}

    public WhisperConfig {
        Objects.requireNonNull(eotId, "eotId");
        Objects.requireNonNull(sotId, "sotId");
        alignmentHeads = List.copyOf(Objects.requireNonNull(alignmentHeads, "alignmentHeads"));
        positive("n_mels", nMels);
        positive("n_audio_ctx", nAudioCtx);
        positive("n_audio_state", nAudioState);
        positive("n_audio_head", nAudioHead);
        positive("n_audio_layer", nAudioLayer);
        positive("n_vocab", nVocab);
        positive("n_text_ctx", nTextCtx);
        positive("n_text_state", nTextState);
        positive("n_text_head", nTextHead);
        positive("n_text_layer", nTextLayer);
        positive("encoder ffn dim", encoderFfnDim);
        positive("decoder ffn dim", decoderFfnDim);
        if (nAudioState % nAudioHead != 0) {
            throw new IllegalArgumentException("n_audio_state " + nAudioState + " is not divisible by n_audio_head " + nAudioHead);
        }
        if (nTextState % nTextHead != 0) {
            throw new IllegalArgumentException("n_text_state " + nTextState + " is not divisible by n_text_head " + nTextHead);
        }
        if (nAudioState != nTextState) {
            throw new IllegalArgumentException("n_audio_state " + nAudioState + " != n_text_state " + nTextState
                    + ": whisper's cross-attention projects encoder states with n_text_state x n_text_state weights");
        }
        tokenId("eot id", eotId, nVocab);
        tokenId("sot id", sotId, nVocab);
        Set<AlignmentHead> seen = new HashSet<>();
        for (AlignmentHead h : alignmentHeads) {
            if (h.layer() < 0 || h.layer() >= nTextLayer || h.head() < 0 || h.head() >= nTextHead) {
                throw new IllegalArgumentException("alignment head (layer " + h.layer() + ", head " + h.head() + ") outside "
                        + nTextLayer + " decoder layers x " + nTextHead + " heads");
            }
            if (!seen.add(h)) throw new IllegalArgumentException("alignment head " + h + " listed twice");
        }
    }

    /**
     * The ten OpenAI dimensions with the defaults whisper itself uses: MLP width 4 x state, token ids
     * of the standard vocabulary of this size (if it is one), no alignment heads.
     */
    public static WhisperConfig of(int nMels, int nAudioCtx, int nAudioState, int nAudioHead, int nAudioLayer,
                                   int nVocab, int nTextCtx, int nTextState, int nTextHead, int nTextLayer) {
        return new WhisperConfig(nMels, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nVocab, nTextCtx, nTextState,
                nTextHead, nTextLayer, 4 * nAudioState, 4 * nTextState, standardEotId(nVocab), standardSotId(nVocab), List.of());
    }

    /** {@code <|endoftext|>} of the standard vocabulary of size {@code nVocab}, if it is one. */
    public static OptionalInt standardEotId(int nVocab) {
        if (nVocab == ENGLISH_ONLY_VOCAB) return OptionalInt.of(50256);
        if (nVocab == 51865 || nVocab == 51866) return OptionalInt.of(50257);
        return OptionalInt.empty();
    }

    /** {@code <|startoftranscript|>} of the standard vocabulary of size {@code nVocab}, if it is one. */
    public static OptionalInt standardSotId(int nVocab) {
        OptionalInt eot = standardEotId(nVocab);
        return eot.isPresent() ? OptionalInt.of(eot.getAsInt() + 1) : OptionalInt.empty();
    }

    /** Whether this is an English-only model ({@code n_vocab == 51864}). */
    public boolean isEnglishOnly() {
        return nVocab == ENGLISH_ONLY_VOCAB;
    }

    /** Whether the vocabulary has language tokens ({@code n_vocab >= 51865}), as whisper decides it. */
    public boolean isMultilingual() {
        return nVocab >= 51865;
    }

    /** Language tokens in the vocabulary, by whisper's formula (99 for 51865, 100 for 51866). */
    public int numLanguages() {
        return nVocab - 51765 - (isMultilingual() ? 1 : 0);
    }

    public int audioHeadDim() {
        return nAudioState / nAudioHead;
    }

    public int textHeadDim() {
        return nTextState / nTextHead;
    }

    /** The mel frames one window of input has (two per encoder position: conv2 has stride 2). */
    public int nMelFrames() {
        return 2 * nAudioCtx;
    }

    public WhisperConfig withAlignmentHeads(List<AlignmentHead> heads) {
        return new WhisperConfig(nMels, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nVocab, nTextCtx, nTextState,
                nTextHead, nTextLayer, encoderFfnDim, decoderFfnDim, eotId, sotId, heads);
    }

    public WhisperConfig withTokenIds(OptionalInt eot, OptionalInt sot) {
        return new WhisperConfig(nMels, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nVocab, nTextCtx, nTextState,
                nTextHead, nTextLayer, encoderFfnDim, decoderFfnDim, eot, sot, alignmentHeads);
    }

    public WhisperConfig withFfnDims(int encoder, int decoder) {
        return new WhisperConfig(nMels, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nVocab, nTextCtx, nTextState,
                nTextHead, nTextLayer, encoder, decoder, eotId, sotId, alignmentHeads);
    }

    private static void positive(String what, int v) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be positive, got " + v);
    }

    private static void tokenId(String what, OptionalInt id, int nVocab) {
        if (id.isPresent() && (id.getAsInt() < 0 || id.getAsInt() >= nVocab)) {
            throw new IllegalArgumentException(what + " " + id.getAsInt() + " is outside the vocabulary of " + nVocab);
        }
    }
}
