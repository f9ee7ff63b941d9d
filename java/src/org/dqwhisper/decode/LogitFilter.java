package org.dqwhisper.decode;

/**
 * A rule applied to the next-token logits before a token is chosen (whisper's {@code LogitFilter}). Filters set
 * forbidden entries to {@code -Infinity} in place. They are stateless and may be shared between threads.
 */
public interface LogitFilter {
    /**
     * @param logits the next-token logits of one hypothesis, {@code n_vocab} entries, modified in place
     * @param tokens the hypothesis's whole context so far: initial tokens (prompt, start-of-transcript sequence,
     *     prefix) followed by the tokens sampled so far
     */
    void apply(float[] logits, int[] tokens);
}
