package org.dqwhisper.decode;

import org.dqwhisper.text.WhisperTokenizer;

/**
 * Whisper's {@code ApplyTimestampRules}: the grammar of timestamp tokens in the sampled part of a hypothesis.
 * <ol>
 *   <li>{@code <|notimestamps|>} is never sampled (it belongs to the initial tokens or nowhere).</li>
 *   <li>Timestamps come in pairs: after a timestamp that follows text, the next token is a timestamp or
 *       end-of-text (no text); after two timestamps in a row (or a timestamp at the first position) it must not
 *       be a timestamp.</li>
 *   <li>Timestamps never decrease: the timestamp opening a segment may repeat the one that closed the previous
 *       segment (the pair {@code <|t|><|t|>}); any other timestamp, in particular one closing a segment after its
 *       text, must be strictly later than the last one, so every segment has a nonzero length and the decoder
 *       cannot loop on one time.</li>
 *   <li>The first sampled token is a timestamp no later than {@code maxInitialTimestampIndex} (if given).</li>
 *   <li>If the total probability of all timestamps exceeds that of the most likely text token, a timestamp is
 *       forced (text tokens masked).</li>
 * </ol>
 */
public final class TimestampRules implements LogitFilter {
    private final int sampleBegin;
    private final Integer maxInitialTimestampIndex;
    private final int eot;
    private final int noTimestamps;
    private final int timestampBegin;

    /**
     * @param sampleBegin number of initial tokens
     * @param maxInitialTimestampIndex latest first timestamp as an index from {@code <|0.00|>}, or null
     */
    public TimestampRules(WhisperTokenizer tokenizer, int sampleBegin, Integer maxInitialTimestampIndex) {
        this.sampleBegin = sampleBegin;
        this.maxInitialTimestampIndex = maxInitialTimestampIndex;
        this.eot = tokenizer.eot();
        this.noTimestamps = tokenizer.noTimestamps();
        this.timestampBegin = tokenizer.timestampBegin();
    }

    @Override
    public void apply(float[] logits, int[] tokens) {
        int vocab = logits.length;
        logits[noTimestamps] = Float.NEGATIVE_INFINITY;

        int sampled = tokens.length - sampleBegin;
        boolean lastWasTimestamp = sampled >= 1 && tokens[tokens.length - 1] >= timestampBegin;
        boolean penultimateWasTimestamp = sampled < 2 || tokens[tokens.length - 2] >= timestampBegin;
        if (lastWasTimestamp) {
            if (penultimateWasTimestamp) {
                fill(logits, timestampBegin, vocab); // has to be a non-timestamp
            } else {
                fill(logits, 0, eot); // cannot be a normal text token
            }
        }

        int lastTimestamp = -1;
        for (int i = tokens.length - 1; i >= sampleBegin; i--) {
            if (tokens[i] >= timestampBegin) {
                lastTimestamp = tokens[i];
                break;
            }
        }
        if (lastTimestamp >= 0) {
            // right after a closing timestamp the next one may repeat it; otherwise it must move forward
            int firstAllowed = lastWasTimestamp && !penultimateWasTimestamp ? lastTimestamp : lastTimestamp + 1;
            fill(logits, timestampBegin, Math.min(firstAllowed, vocab));
        }

        if (sampled == 0) {
            fill(logits, 0, timestampBegin); // the first sampled token is a timestamp
            if (maxInitialTimestampIndex != null) {
                fill(logits, Math.min(vocab, timestampBegin + maxInitialTimestampIndex + 1), vocab);
            }
        }

        // if the total probability of timestamps beats every single text token, sample a timestamp
        double timestampMass = Softmax.logSumExp(logits, timestampBegin, vocab);
        double maxText = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < timestampBegin; i++) {
            maxText = Math.max(maxText, logits[i]);
        }
        if (timestampMass > maxText) {
            fill(logits, 0, timestampBegin);
        }
    }

    private static void fill(float[] logits, int from, int to) {
        for (int i = from; i < to; i++) {
            logits[i] = Float.NEGATIVE_INFINITY;
        }
    }
}
