package org.dqwhisper.decode;

import java.util.List;

/**
 * The candidate search of one window (greedy, best-of-N sampling or beam search) run step by step, so that the
 * searches of several hypotheses and windows can share each decoder forward ({@link LockStepSearch}): each step the
 * search names the sessions to extend and their tokens ({@link #pending}), and gets back their next-token logits
 * ({@link #accept}). Its first step is taken at construction from the prefill's logits, which need no forward.
 */
interface CandidateSearch {
    /** Whether the search is over; {@link #candidates} is then final. */
    boolean done();

    /**
     * Adds to the lists the sessions to feed this step and the token each one gets, in the order their logits must
     * come back to {@link #accept}; at least one while not {@link #done}.
     */
    void pending(List<SessionPool.Slot> slots, List<Integer> tokens);

    /**
     * Takes one step with the next-token logits of the sessions named by the last {@link #pending} call: rows
     * {@code logits[from]}, {@code logits[from + 1]}, ... in that order. The arrays may be modified.
     */
    void accept(float[][] logits, int from);

    /** The finished candidates (when {@link #done}), for {@link WindowDecoder#result}. */
    List<Candidate> candidates();
}
