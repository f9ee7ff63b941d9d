package org.dqwhisper.decode;

import org.dqwhisper.text.WhisperTokenizer;

/**
 * Whisper's {@code SuppressBlank}: at the first sampled position, forbid the blank token(s) of {@code encode(" ")}
 * and end-of-text, so a window cannot start with a space or be empty by choice.
 */
public final class SuppressBlank implements LogitFilter {
    private final int[] suppressed;
    private final int sampleBegin;

    /** @param sampleBegin number of initial tokens, i.e. the context length at the first sampled position */
    public SuppressBlank(WhisperTokenizer tokenizer, int sampleBegin) {
        int[] blank = tokenizer.encode(" ");
        suppressed = java.util.Arrays.copyOf(blank, blank.length + 1);
        suppressed[blank.length] = tokenizer.eot();
        this.sampleBegin = sampleBegin;
    }

    @Override
    public void apply(float[] logits, int[] tokens) {
        if (tokens.length == sampleBegin) {
            for (int id : suppressed) {
                logits[id] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
