package org.dqwhisper.decode;

import java.util.Arrays;

/**
 * Forbids timestamp tokens past the end of the model's window. Whisper's 1501 timestamp tokens span 0..30 s in 20 ms
 * steps, exactly an official model's window; a model trained on shorter windows ({@code n_audio_ctx} 375: 7.5 s)
 * can still emit {@code <|20.00|>}, which would place a segment beyond the audio it saw. Allowed: indices
 * {@code 0..maxIndex} ({@code maxIndex = n_audio_ctx}, the window's end). A no-op for the official models. Runs
 * before {@link TimestampRules}, so its timestamp-vs-text comparison sees only reachable timestamps.
 */
public final class WindowEndTimestamps implements LogitFilter {
    private final int from;

    /** @param timestampBegin the id of {@code <|0.00|>}; @param maxIndex the last allowed timestamp index */
    public WindowEndTimestamps(int timestampBegin, int maxIndex) {
        if (timestampBegin < 0 || maxIndex < 0) {
            throw new IllegalArgumentException("timestamp begin " + timestampBegin + " and max index " + maxIndex + " must be >= 0");
        }
        this.from = timestampBegin + maxIndex + 1;
    }

    @Override
    public void apply(float[] logits, int[] tokens) {
        if (from < logits.length) Arrays.fill(logits, from, logits.length, Float.NEGATIVE_INFINITY);
    }
}
