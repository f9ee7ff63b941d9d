package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs several {@link CandidateSearch}es (hypotheses of one window, or of many windows) in lock-step: every step,
 * one decoder forward ({@link SpeechModel#feedBatch}) extends the sessions of every live hypothesis of every
 * search still running, so the decoder's matrix products take one row per live hypothesis instead of one forward
 * per hypothesis. A search leaves when it is done; the others go on.
 *
 * <p>The results are those of running each search alone with one forward per hypothesis, given a model whose
 * batched forward computes every row as a single one does (true of {@code WhisperSpeechModel}: its kernels compute
 * rows independently), since each search sees exactly the logits it asked for.
 */
final class LockStepSearch {
    private LockStepSearch() {}

    /** Runs every search to its end. */
    static void run(SpeechModel model, List<? extends CandidateSearch> searches) {
        List<CandidateSearch> live = new ArrayList<>();
        for (CandidateSearch s : searches) {
            if (!s.done()) {
                live.add(s);
            }
        }
        List<SessionPool.Slot> slots = new ArrayList<>();
        List<Integer> tokens = new ArrayList<>();
        while (!live.isEmpty()) {
            slots.clear();
            tokens.clear();
            int[] from = new int[live.size() + 1];
            for (int i = 0; i < live.size(); i++) {
                live.get(i).pending(slots, tokens);
                from[i + 1] = slots.size();
                if (from[i + 1] == from[i]) {
                    throw new IllegalStateException("a live search asked for no decoder step: " + live.get(i));
                }
            }
            int[] fed = new int[tokens.size()];
            for (int j = 0; j < fed.length; j++) {
                fed[j] = tokens.get(j);
            }
            float[][] logits = SessionPool.feedAll(model, slots, fed);
            List<CandidateSearch> still = new ArrayList<>(live.size());
            for (int i = 0; i < live.size(); i++) {
                CandidateSearch s = live.get(i);
                s.accept(logits, from[i]);
                if (!s.done()) {
                    still.add(s);
                }
            }
            live = still;
        }
    }
}
