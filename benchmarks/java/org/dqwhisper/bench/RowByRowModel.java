package org.dqwhisper.bench;

import org.dqwhisper.decode.AlignmentHeads;
import org.dqwhisper.decode.AudioFeatures;
import org.dqwhisper.decode.DecoderSession;
import org.dqwhisper.decode.SpeechModel;
import org.dqwhisper.text.WhisperTokenizer;

/**
 * A model that hides its delegate's batched calls: {@code encodeBatch} and {@code feedBatch} are the interface's
 * defaults, so every encoder call takes one window and every decoder forward feeds one session (one hypothesis).
 * This is decoding without lock-step batching: the baseline of the batching benchmarks and the independent
 * reference of the lock-step tests (same numbers, one row per forward).
 */
public class RowByRowModel implements SpeechModel {
    protected final SpeechModel inner;

    public RowByRowModel(SpeechModel inner) {
        this.inner = inner;
    }

    @Override public WhisperTokenizer tokenizer() { return inner.tokenizer(); }
    @Override public int nTextCtx() { return inner.nTextCtx(); }
    @Override public int nAudioCtx() { return inner.nAudioCtx(); }
    @Override public int windowFrames() { return inner.windowFrames(); }
    @Override public int nMels() { return inner.nMels(); }
    @Override public int nTextLayer() { return inner.nTextLayer(); }
    @Override public int nTextHead() { return inner.nTextHead(); }
    @Override public boolean isMultilingual() { return inner.isMultilingual(); }
    @Override public AlignmentHeads alignmentHeads() { return inner.alignmentHeads(); }
    @Override public AudioFeatures encode(float[] mel) { return inner.encode(mel); }
    @Override public DecoderSession startDecoder(AudioFeatures audio) { return inner.startDecoder(audio); }

    @Override
    public float[][][] crossAttentionScores(AudioFeatures audio, int[] tokens, AlignmentHeads heads) {
        return inner.crossAttentionScores(audio, tokens, heads);
    }
}
