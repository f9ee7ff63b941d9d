package org.dqwhisper.decode;

import java.util.Arrays;
import java.util.List;

/**
 * One greedy or sampled hypothesis of a window, step by step: each {@link #accept} applies the logit filters to
 * the next-token logits, picks a token with the sampler and adds its log-probability. It is done after
 * end-of-text, when the context is full, or after {@code sampleLen} tokens. Shared by the one-window decoder and
 * the lock-step batch, so both make the same choices from the same logits.
 */
final class Hypothesis {
    private final int[] tokens;
    private final int sampleBegin;
    private final int sampleLen;
    private final int nTextCtx;
    private final int eot;
    private int length;
    private int steps;
    private double sumLogprob;
    private boolean done;

    /** @param prefill the initial tokens already in the decoder's cache */
    Hypothesis(int[] prefill, int sampleLen, int nTextCtx, int eot) {
        this.sampleBegin = prefill.length;
        this.sampleLen = sampleLen;
        this.nTextCtx = nTextCtx;
        this.eot = eot;
        this.tokens = Arrays.copyOf(prefill, sampleBegin + sampleLen + 1);
        this.length = sampleBegin;
        this.done = sampleLen <= 0;
    }

    boolean done() {
        return done;
    }

    /** The last chosen token, to be fed to the decoder for the next step's logits. */
    int lastToken() {
        return tokens[length - 1];
    }

    /**
     * Chooses the next token from {@code logits} (modified in place by the filters).
     *
     * @throws IllegalStateException when every token is suppressed
     */
    void accept(float[] logits, List<LogitFilter> filters, TokenSampler sampler) {
        if (done) throw new IllegalStateException("hypothesis is complete");
        int[] context = Arrays.copyOf(tokens, length);
        for (LogitFilter filter : filters) {
            filter.apply(logits, context);
        }
        int next = sampler.next(logits);
        if (logits[next] == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("every token is suppressed at step " + steps);
        }
        sumLogprob += Softmax.logProbability(logits, next);
        tokens[length++] = next;
        steps++;
        done = next == eot || length > nTextCtx || steps >= sampleLen;
    }

    /** The sampled tokens up to (not including) end-of-text, with their summed log-probability. */
    Candidate candidate() {
        int end = length;
        for (int i = sampleBegin; i < length; i++) {
            if (tokens[i] == eot) {
                end = i;
                break;
            }
        }
        return new Candidate(Arrays.copyOfRange(tokens, sampleBegin, end), sumLogprob);
    }
}
